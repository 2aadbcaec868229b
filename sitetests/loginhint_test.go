package sitetests_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// loginRedirect is where GET path sends the browser, read without following.
func loginRedirect(t *testing.T, rawURL string) *url.URL {
	t.Helper()
	resp, err := testsupport.NoRedirect(nil).Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET %s: %d, want 302 to the provider", rawURL, resp.StatusCode)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLoginHintReachesTheProviderAndSignsThatUserIn(t *testing.T) {
	s := protectedSite(t, "")
	u := loginRedirect(t, s.URL+"/auth/login?login_hint=bob&return_to=/page")
	if !strings.HasPrefix(u.String(), s.Provider.Issuer()) || u.Query().Get("login_hint") != "bob" {
		t.Fatalf("sign-in went to %s, want the provider with login_hint=bob", u)
	}
	// A browser that types nothing at the provider: the hint alone signs bob in.
	b := testsupport.NewBrowser(t, "")
	status, body := b.Get(s.URL + "/auth/login?login_hint=bob&return_to=/page")
	if status != 200 || !strings.Contains(body, "email=bob@example.org") {
		t.Fatalf("sign-in with login_hint=bob: %d %.300s", status, body)
	}
}

func TestHostileLoginHintIsDroppedNotPassedOn(t *testing.T) {
	s := protectedSite(t, "")
	for name, hint := range map[string]string{
		"too long":        strings.Repeat("a", 257) + "@example.com",
		"a newline":       "bob\r\nSet-Cookie: x=1",
		"a NUL":           "bob\x00",
		"not UTF-8":       "bob\xff",
		"a DEL character": "bob\x7f",
	} {
		u := loginRedirect(t, s.URL+"/auth/login?"+url.Values{"login_hint": {hint}}.Encode())
		if u.Query().Has("login_hint") {
			t.Errorf("%s: login_hint %q passed on as %q", name, hint, u.Query().Get("login_hint"))
		}
	}
	// 256 bytes is the most passed on.
	longest := strings.Repeat("b", 244) + "@example.com"
	if got := loginRedirect(t, s.URL+"/auth/login?"+url.Values{"login_hint": {longest}}.Encode()).Query().Get("login_hint"); got != longest {
		t.Errorf("a 256-byte login_hint became %q", got)
	}
}

// The retry without the default prompt (a provider that refuses
// select_account) still asks for the same user.
func TestLoginHintSurvivesTheRetryWithoutTheDefaultPrompt(t *testing.T) {
	s := protectedSite(t, "")
	s.Provider.SetBehavior(devprovider.Behavior{RejectPrompt: "select_account"})
	b := testsupport.NewBrowser(t, "")
	status, body := b.Get(s.URL + "/auth/login?login_hint=bob")
	if status != 200 || !strings.Contains(body, "email=bob@example.org") {
		t.Fatalf("sign-in with login_hint=bob through the retry: %d %.300s", status, body)
	}
	if got := s.Provider.Counts().Authorize; got != 2 {
		t.Errorf("authorization requests = %d, want 2 (one refused, one retried)", got)
	}
	if got := s.Provider.LastAuthorize().Get("login_hint"); got != "bob" {
		t.Errorf("the retry sent login_hint=%q, want bob", got)
	}
}

// With several providers, the choice page's links carry the hint on.
func TestLoginHintSurvivesTheProviderChoice(t *testing.T) {
	one, two := testsupport.StartProvider(t), testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+`
http://127.0.0.1:`+strings.TrimPrefix(siteURL, "http://127.0.0.1:")+` {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri `+siteURL+`/oauth2callback
		`+testsupport.TwoProviders(one, two)+`
	}
	respond "{http.auth.user.email} at {http.auth.user.provider}"
}
`)
	b := testsupport.NewBrowser(t, "")
	status, page := b.Get(siteURL + "/auth/login?login_hint=bob")
	if status != 200 || !strings.Contains(page, "/auth/login?provider=two&amp;login_hint=bob") {
		t.Fatalf("choice page: %d %.600s", status, page)
	}
	status, body := b.Get(siteURL + "/auth/login?provider=two&login_hint=bob")
	if status != 200 || body != "bob@example.org at two" {
		t.Fatalf("sign-in from the choice page: %d %q", status, body)
	}
}
