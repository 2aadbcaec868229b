package sitetests_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// logout sends a sign-out request with the browser's cookies and extra
// headers, without following the redirect.
func logout(t *testing.T, b *testsupport.Browser, siteURL, method string, header map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, siteURL+"/auth/logout", nil)
	// What the browser sends there: the sign-out hint too (Path=/auth/logout).
	req.Header.Set("Cookie", testsupport.JoinCookies(b.Cookies(siteURL+"/auth/logout")))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := testsupport.NoRedirect(nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func clearsIdentity(resp *http.Response) bool {
	for _, sc := range resp.Header.Values("Set-Cookie") {
		if testsupport.IsSessionCookie(testsupport.SetCookieName(sc)) && strings.Contains(sc, "Max-Age=0") {
			return true
		}
	}
	return false
}

func TestSignOutAtTheProvider(t *testing.T) {
	s := protectedSite(t, "")
	b := testsupport.NewBrowser(t, "alice")
	if status, _ := b.Get(s.URL + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	resp := logout(t, b, s.URL, "GET", nil)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || !strings.HasSuffix(loc.Path, "/end_session") {
		t.Fatalf("sign-out: %d to %s, want the provider's end-session endpoint", resp.StatusCode, loc)
	}
	q := loc.Query()
	// As Streamlit: back to the redirect_uri, the address the provider
	// already has registered for this client.
	if q.Get("client_id") != testsupport.ClientID || q.Get("post_logout_redirect_uri") != s.URL+"/oauth2callback" || len(q.Get("id_token_hint")) < 100 {
		t.Errorf("end-session parameters: %v", q)
	}
	if !clearsIdentity(resp) {
		t.Errorf("the sign-out response does not expire the identity cookie: %v", resp.Header.Values("Set-Cookie"))
	}
	// The provider signs out and sends the browser back to the callback,
	// with neither code, error nor state: it lands on the site's root.
	back, err := testsupport.NoRedirect(nil).Get(q.Get("post_logout_redirect_uri"))
	if err != nil {
		t.Fatal(err)
	}
	back.Body.Close()
	if back.StatusCode != http.StatusFound || back.Header.Get("Location") != "/" {
		t.Errorf("the return from sign-out at the callback: %d to %q, want 302 to /", back.StatusCode, back.Header.Get("Location"))
	}
}

// A Streamlit user's registration at a provider that checks the
// post-logout address against its list (as Auth0, Okta, Keycloak and Entra
// do) works unchanged: the whole sign-out completes and lands on the site.
func TestSignOutWithAProviderThatChecksThePostLogoutAddress(t *testing.T) {
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	cfg := testsupport.ProviderConfig()
	callback := siteURL + "/oauth2callback"
	cfg.Clients[0].RedirectURIs, cfg.Clients[0].PostLogoutURIs = []string{callback}, []string{callback}
	p := testsupport.StartProviderWith(t, cfg)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "", `respond "in={http.auth.user.is_logged_in}"`))
	b := testsupport.NewBrowser(t, "alice")
	if status, body := b.Get(siteURL + "/page"); status != 200 || body != "in=true" {
		t.Fatalf("sign-in: %d %q", status, body)
	}
	b.User = "" // at the provider's form, nobody signs in again
	status, _ := b.Get(siteURL + "/auth/logout")
	trail := b.Trail
	// The site's root then asks for a sign-in again: the provider's form.
	if status != http.StatusOK || len(trail) < 4 || !strings.Contains(trail[1], "/end_session?") ||
		trail[2] != siteURL+"/oauth2callback" || trail[3] != siteURL+"/" {
		t.Fatalf("sign-out: %d, trail %v; want the provider's end-session, back at the callback, then the site", status, trail)
	}
	if got := userJSON(t, b, siteURL); got["is_logged_in"] != false {
		t.Errorf("still signed in after signing out: %v", got)
	}
}

func TestLogoutParamsAndRedirectAreConfigurable(t *testing.T) {
	s := protectedSite(t, "post_logout_redirect_uri http://127.0.0.1:1/bye\n\t\tlogout_params {\n\t\t\tlogout_hint someone\n\t\t\tclient_id \"\"\n\t\t}")
	b := testsupport.NewBrowser(t, "alice")
	if status, _ := b.Get(s.URL + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	q, _ := url.ParseQuery(strings.SplitN(logout(t, b, s.URL, "POST", nil).Header.Get("Location"), "?", 2)[1])
	if q.Get("logout_hint") != "someone" || q.Has("client_id") || q.Get("post_logout_redirect_uri") != "http://127.0.0.1:1/bye" {
		t.Errorf("end-session parameters: %v", q)
	}
}

func TestSignOutWithoutEndSessionEndpointGoesHome(t *testing.T) {
	s := protectedSite(t, "")
	s.Provider.SetBehavior(devprovider.Behavior{NoEndSession: true})
	b := testsupport.NewBrowser(t, "bob")
	if status, _ := b.Get(s.URL + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	resp := logout(t, b, s.URL, "GET", nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/" || !clearsIdentity(resp) {
		t.Errorf("sign-out: %d to %q, cleared %v", resp.StatusCode, resp.Header.Get("Location"), clearsIdentity(resp))
	}
}

// A third-party page must not sign users out (an <img src=".../auth/logout">
// or a cross-site form); the browser says so in Sec-Fetch-Site or Origin.
func TestCrossSiteSignOutIsRefused(t *testing.T) {
	s := protectedSite(t, "")
	b := testsupport.NewBrowser(t, "carol")
	if status, _ := b.Get(s.URL + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "http://evil.example"},
		{"Origin": "null"},
	} {
		for _, method := range []string{"GET", "POST"} {
			resp := logout(t, b, s.URL, method, h)
			if resp.StatusCode != http.StatusForbidden || clearsIdentity(resp) {
				t.Errorf("%s with %v: %d, cleared %v; want 403 and still signed in", method, h, resp.StatusCode, clearsIdentity(resp))
			}
		}
	}
	if u := userJSON(t, b, s.URL); u["is_logged_in"] != true {
		t.Fatalf("signed out by a cross-site request")
	}
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "same-origin", "Origin": s.URL},
		nil,
	} {
		if resp := logout(t, b, s.URL, "POST", h); resp.StatusCode != http.StatusFound || !clearsIdentity(resp) {
			t.Errorf("same-site sign-out with %v: %d", h, resp.StatusCode)
		}
	}
}
