package sitetests_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

func TestSeveralProvidersShowAChoiceAndEachSignsIn(t *testing.T) {
	one, two := testsupport.StartProvider(t), testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri %s/oauth2callback
		cookie_secret %s
		provider work {
			client_id %s
			client_secret %s
			server_metadata_url %s
		}
		provider home {
			client_id %s
			client_secret %s
			server_metadata_url %s
		}
	}
	respond "{http.auth.user.provider}:{http.auth.user.email}"
}
`, port, siteURL, testsupport.CookieSecret, testsupport.ClientID, testsupport.ClientSecret, one.MetadataURL(),
		testsupport.ClientID, testsupport.ClientSecret, two.MetadataURL()))

	b := testsupport.NewBrowser(t, "")
	status, page := b.Get(siteURL + "/projects?id=7")
	if status != 200 || !strings.Contains(page, "Choose how to sign in") {
		t.Fatalf("anonymous navigation: %d %.300s", status, page)
	}
	links := regexp.MustCompile(`href="(/auth/login\?[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(links) != 2 {
		t.Fatalf("want one sign-in link per provider, got %v", links)
	}
	for _, l := range links {
		if !strings.Contains(l[1], "return_to=%2Fprojects%3Fid%3D7") {
			t.Errorf("link %s does not carry return_to", l[1])
		}
	}
	for _, c := range []struct{ provider, user, want string }{
		{"home", "bob", "home:bob@example.org"},
		{"work", "alice", "work:alice@example.com"},
	} {
		b := testsupport.NewBrowser(t, c.user)
		href := strings.ReplaceAll(links[0][1], "&amp;", "&")
		if !strings.Contains(href, "provider="+c.provider) {
			href = strings.ReplaceAll(links[1][1], "&amp;", "&")
		}
		status, body := b.Get(siteURL + href)
		if status != 200 || body != c.want {
			t.Errorf("sign in with %s: %d %q, want %q", c.provider, status, body, c.want)
		}
		if last := b.Trail[len(b.Trail)-1]; last != siteURL+"/projects?id=7" {
			t.Errorf("landed on %s", last)
		}
	}
}

func TestUpstreamSeesTheUserNotOurCookiesNorSmuggledHeaders(t *testing.T) {
	seen := make(chan http.Header, 4)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
	}))
	defer app.Close()
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "optional", fmt.Sprintf(`reverse_proxy %s {
		header_up X-Auth-Email {http.auth.user.email}
		header_up X-Auth-User {http.auth.user.id}
	}`, strings.TrimPrefix(app.URL, "http://"))))

	send := func(b *testsupport.Browser) http.Header {
		req, _ := http.NewRequest("GET", siteURL+"/api", nil)
		req.Header.Set("X-Auth-Email", "ceo@victim.example")
		req.Header.Set("X-Auth-User", "ceo")
		req.AddCookie(&http.Cookie{Name: "theme", Value: "dark"})
		resp, err := b.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return <-seen
	}

	anon := send(testsupport.NewBrowser(t, ""))
	if v := anon.Get("X-Auth-Email"); v != "" {
		t.Errorf("anonymous: upstream got smuggled X-Auth-Email %q", v)
	}
	if v := anon.Get("X-Auth-User"); v != "" {
		t.Errorf("anonymous: upstream got smuggled X-Auth-User %q", v)
	}

	b := testsupport.NewBrowser(t, "alice")
	if status, _ := b.Get(siteURL + "/auth/login"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	<-seen // the landing page itself
	h := send(b)
	if h.Get("X-Auth-Email") != "alice@example.com" || h.Get("X-Auth-User") != "alice" {
		t.Errorf("signed in: upstream got X-Auth-Email=%q X-Auth-User=%q", h.Get("X-Auth-Email"), h.Get("X-Auth-User"))
	}
	if c := h.Get("Cookie"); c != "theme=dark" {
		t.Errorf("upstream Cookie header = %q, want only the site's own cookie", c)
	}
}

// Whatever order a browser sends cookies in, and whatever a sibling host
// sets around ours (a stale piece, a hint, a login state, a second cookie
// of our name), the upstream gets the site's own cookies byte for byte and
// none of ours: with ours before, after and between the others.
func TestUpstreamNeverSeesOurCookiesInAnyOrder(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, "cookie=%q lines=%d", r.Header.Get("Cookie"), len(r.Header.Values("Cookie")))
	}))
	defer app.Close()
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "", "reverse_proxy "+strings.TrimPrefix(app.URL, "http://")))
	ids := testsupport.IdentityCookies(testsupport.CallbackResponse(t, siteURL, "alice"))
	if len(ids) != 1 {
		t.Fatalf("a small session should be one cookie, got %d", len(ids))
	}
	name := ids[0].Name
	session := name + "=" + ids[0].Value
	hint, login, piece := name+"_hint=x", name+"_login_abc=y", name+"_1=z"
	client := hostileClient()
	for header, want := range map[string]string{
		session:                                     ``,
		"theme=dark; " + session:                    `"theme=dark"`,
		session + "; theme=dark; x=1":               `"theme=dark; x=1"`,
		"a=1; " + session + "; b=2":                 `"a=1; b=2"`,
		"a=1;" + session + ";b=2;" + piece:          `"a=1;b=2"`,
		piece + "; " + session + "; a=1;\tb=2":      `"a=1;\tb=2"`,
		hint + "; a=1; " + login + "; " + session:   `"a=1"`,
		"a=1; " + session + "; " + name + "=junk":   `"a=1"`,
		"  " + session + " ;  a=\"q v\" ; " + login: `"a=\"q v\""`, // HTTP trims the line's end
	} {
		status, body := pageAs(t, client, siteURL+"/api", header)
		if status != http.StatusOK {
			t.Fatalf("Cookie %.60q...: %d %.200q", header, status, body)
		}
		if strings.Contains(body, name) {
			t.Errorf("Cookie %.60q...: the upstream got one of ours: %.300s", header, body)
		}
		wantBody := "cookie=" + want + " lines=1"
		if want == "" {
			wantBody = `cookie="" lines=0`
		}
		if body != wantBody {
			t.Errorf("Cookie %.60q...: upstream got %s, want %s", header, body, wantBody)
		}
	}
}

func TestProviderErrorIsShownEscaped(t *testing.T) {
	s := protectedSite(t, "")
	s.Provider.SetBehavior(devprovider.Behavior{AuthorizeError: "access_denied"})
	b := testsupport.NewBrowser(t, "alice")
	status, body := b.Get(s.URL + "/")
	if status != http.StatusForbidden || !strings.Contains(body, "access_denied") {
		t.Errorf("access_denied: %d %.400s", status, body)
	}
	for _, c := range b.Cookies(s.URL) {
		if testsupport.IsSessionCookie(c.Name) {
			t.Errorf("identity cookie set after a refused sign-in")
		}
	}

	s.Provider.SetBehavior(devprovider.Behavior{AuthorizeError: "<script>alert(1)</script>"})
	status, body = b.Get(s.URL + "/")
	if status < 400 || strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("provider error not escaped: %d %.600s", status, body)
	}
}

func TestRefusedDefaultPromptIsRetriedWithoutIt(t *testing.T) {
	s := protectedSite(t, "")
	s.Provider.SetBehavior(devprovider.Behavior{RejectPrompt: "select_account"})
	b := testsupport.NewBrowser(t, "alice")
	status, body := b.Get(s.URL + "/page")
	if status != 200 || !strings.Contains(body, "email=alice@example.com") {
		t.Fatalf("sign-in with a provider that refuses select_account: %d %.300s", status, body)
	}
	if got := s.Provider.LastAuthorize().Get("prompt"); got != "" {
		t.Errorf("retry still sent prompt=%q", got)
	}
	if got := s.Provider.Counts().Authorize; got != 2 {
		t.Errorf("authorization requests = %d, want 2 (one refused, one retried)", got)
	}
}

func TestRestartWithTheSameSecretKeepsUsersSignedIn(t *testing.T) {
	s := protectedSite(t, "")
	b := testsupport.NewBrowser(t, "bob")
	if status, _ := b.Get(s.URL + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	b.User = ""
	authorizeBefore := s.Provider.Counts().Authorize
	// A new config load builds a fresh handler (it takes the pooled
	// providers and jar, configured as before).
	testsupport.ReloadCaddy(t, siteCaddyfile(t, s.Port, s.Provider.MetadataURL(), "", `respond "again {http.auth.user.email}"`), b.Client)
	status, body := b.Get(s.URL + "/")
	if status != 200 || body != "again bob@example.org" {
		t.Errorf("after reload: %d %q", status, body)
	}
	if s.Provider.Counts().Authorize != authorizeBefore {
		t.Errorf("the reload sent the user back to the provider")
	}
}
