package devprovider

import (
	"net/http"
	"strings"
	"testing"
)

// Request values end up in pages; they must come out as text, never markup.
func TestPagesEscapeRequestValues(t *testing.T) {
	p := startProvider(t, func(c *Config) { c.TrustLoginHint = false })
	evil := `"><script>alert(1)</script>`
	pg := get(t, p.Issuer()+"/authorize?"+authParams("state", evil, "login_hint", evil).Encode())
	if pg.status != http.StatusOK || strings.Contains(pg.body, "<script>") {
		t.Errorf("sign-in page: status %d, raw markup present=%v", pg.status, strings.Contains(pg.body, "<script>"))
	}
	pg = get(t, p.Issuer()+"/authorize?"+authParams("client_id", evil).Encode())
	if pg.status != http.StatusBadRequest || strings.Contains(pg.body, "<script>") || !strings.Contains(pg.body, "&lt;script&gt;") {
		t.Errorf("error page does not escape the client_id")
	}
}

func TestEveryPageSaysDevelopmentOnly(t *testing.T) {
	p := startProvider(t, func(c *Config) { c.TrustLoginHint = false })
	for name, u := range map[string]string{
		"sign-in":    p.Issuer() + "/authorize?" + authParams().Encode(),
		"error":      p.Issuer() + "/authorize?" + authParams("client_id", "x").Encode(),
		"signed out": p.Issuer() + "/end_session",
	} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		pg := readPage(t, resp)
		if !strings.Contains(pg.body, "for development only") {
			t.Errorf("%s page does not say it is for development only", name)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s page Content-Type %q", name, ct)
		}
	}
}

func TestSignInFormPostsToAuthorizeWithoutQuery(t *testing.T) {
	p := startProvider(t, func(c *Config) { c.TrustLoginHint = false })
	pg := get(t, p.Issuer()+"/authorize?"+authParams().Encode())
	if strings.Count(pg.body, `action="/authorize"`) != 1+len(DemoUsers()) {
		t.Errorf("forms do not all post to /authorize")
	}
}
