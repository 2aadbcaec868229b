package sitetests_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// site is a Caddy site protected by oidc_auth against one provider.
type site = testsupport.Site

// protectedSite starts a provider and Caddy with oidc_auth in front of a
// respond handler that prints the user's placeholders.
func protectedSite(t *testing.T, extra string, users ...devprovider.User) site {
	p := testsupport.StartProvider(t, users...)
	port := testsupport.FreePort(t)
	s := site{URL: testsupport.SiteURL(port), Port: port, Provider: p}
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), extra,
		`respond "name={http.auth.user.name} email={http.auth.user.email} id={http.auth.user.id} provider={http.auth.user.provider} in={http.auth.user.is_logged_in} groups={http.auth.user.groups}"`))
	return s
}

func userJSON(t *testing.T, b *testsupport.Browser, siteURL string) map[string]any {
	t.Helper()
	resp := b.Do("GET", siteURL+"/auth/user", nil, "application/json")
	body := testsupport.ReadBody(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("/auth/user: %d %s", resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("/auth/user Cache-Control = %q, want no-store", cc)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("/auth/user is not JSON: %v: %s", err, body)
	}
	return out
}

func TestSignInLandsOnTheAskedPageWithPlaceholders(t *testing.T) {
	s := protectedSite(t, "")
	b := testsupport.NewBrowser(t, "alice")

	status, body := b.Get(s.URL + "/reports/q3?year=2026&tab=summary")
	if status != 200 {
		t.Fatalf("status %d after sign-in: %s (trail %v)", status, body, b.Trail)
	}
	if last := b.Trail[len(b.Trail)-1]; last != s.URL+"/reports/q3?year=2026&tab=summary" {
		t.Errorf("landed on %s, want the page first asked for", last)
	}
	want := "name=Alice Liddell email=alice@example.com id=alice provider=default in=true"
	if !strings.HasPrefix(body, want) {
		t.Errorf("placeholders: got %q, want prefix %q", body, want)
	}

	u := userJSON(t, b, s.URL)
	if u["is_logged_in"] != true || u["email"] != "alice@example.com" || u["provider"] != "default" {
		t.Errorf("/auth/user = %v", u)
	}
	for _, claim := range []string{"iss", "aud", "exp", "iat", "sub"} {
		if _, ok := u[claim]; !ok {
			t.Errorf("/auth/user lacks the %s claim: %v", claim, u)
		}
	}
	if s.Provider.Counts().Discovery != 1 {
		t.Errorf("metadata fetched %d times for one sign-in, want 1", s.Provider.Counts().Discovery)
	}
}

func TestAnonymousNavigationIsSentToSignInButScriptsGet401(t *testing.T) {
	s := protectedSite(t, "")
	c := testsupport.NoRedirect(nil)

	req, _ := http.NewRequest("GET", s.URL+"/private?a=1", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/auth/login?return_to=%2Fprivate%3Fa%3D1" {
		t.Errorf("navigation: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	for _, r := range []struct{ method, accept string }{
		{"GET", "application/json"},
		{"GET", ""},
		{"POST", "text/html"},
	} {
		req, _ := http.NewRequest(r.method, s.URL+"/private", nil)
		if r.accept != "" {
			req.Header.Set("Accept", r.accept)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s Accept=%q: %d, want 401", r.method, r.accept, resp.StatusCode)
		}
	}

	b := testsupport.NewBrowser(t, "")
	if u := userJSON(t, b, s.URL); u["is_logged_in"] != false || len(u) != 1 {
		t.Errorf("anonymous /auth/user = %v, want only is_logged_in=false", u)
	}
}

func TestLoginRequestAndCookiesFollowTheRules(t *testing.T) {
	s := protectedSite(t, "")
	c := testsupport.NoRedirect(nil)

	resp, err := c.Get(s.URL + "/auth/login?return_to=/docs")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("/auth/login: %d", resp.StatusCode)
	}
	auth, _ := url.Parse(resp.Header.Get("Location"))
	q := auth.Query()
	checks := map[string]string{
		"response_type": "code", "client_id": testsupport.ClientID, "redirect_uri": s.URL + "/oauth2callback",
		"scope": "openid profile email", "prompt": "select_account", "code_challenge_method": "S256",
	}
	for k, v := range checks {
		if q.Get(k) != v {
			t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), v)
		}
	}
	for _, k := range []string{"state", "nonce"} {
		if len(q.Get(k)) < 16 {
			t.Errorf("%s %q is shorter than 16 characters", k, q.Get(k))
		}
	}
	if len(q.Get("code_challenge")) != 43 {
		t.Errorf("code_challenge %q is not an S256 challenge", q.Get("code_challenge"))
	}
	loginCookie := resp.Header.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(loginCookie, attr) {
			t.Errorf("login-state cookie %q lacks %s", loginCookie, attr)
		}
	}

	// Through the provider (signing in as bob) and back to the callback.
	q.Set("login_hint", "bob")
	auth.RawQuery = q.Encode()
	resp, err = c.Get(auth.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback := resp.Header.Get("Location")
	if !strings.HasPrefix(callback, s.URL+"/oauth2callback?") {
		t.Fatalf("provider redirected to %q", callback)
	}
	req, _ := http.NewRequest("GET", callback, nil)
	req.Header.Set("Cookie", strings.SplitN(loginCookie, ";", 2)[0])
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/docs" {
		t.Fatalf("callback: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var identity, clearedState bool
	for _, sc := range resp.Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(sc); err == nil && c.MaxAge > 30*24*3600-10 {
			identity = true
			for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
				if !strings.Contains(sc, attr) {
					t.Errorf("identity cookie lacks %s: %q", attr, sc)
				}
			}
			if strings.Contains(sc, "Secure") {
				t.Errorf("identity cookie over plain http is Secure: %q", sc)
			}
		}
		if strings.HasPrefix(sc, strings.SplitN(loginCookie, "=", 2)[0]+"=") && strings.Contains(sc, "Max-Age=0") {
			clearedState = true
		}
	}
	if !identity {
		t.Errorf("callback set no 30-day identity cookie: %v", resp.Header.Values("Set-Cookie"))
	}
	if !clearedState {
		t.Errorf("callback did not expire the single-use login-state cookie: %v", resp.Header.Values("Set-Cookie"))
	}

	// The same callback again, even with the login-state cookie: refused.
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("replayed callback: %d, want 4xx", resp.StatusCode)
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	s := protectedSite(t, "")
	b := testsupport.NewBrowser(t, "carol")
	if status, _ := b.Get(s.URL + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	b.User = "" // at the provider, stay on its sign-in form
	status, body := b.Get(s.URL + "/auth/logout")
	if status != 200 || !strings.Contains(body, "development only") {
		t.Errorf("after sign-out: %d, want the provider's sign-in form: %.200s", status, body)
	}
	if u := userJSON(t, b, s.URL); u["is_logged_in"] != false {
		t.Errorf("still signed in after /auth/logout: %v", u)
	}
	if got := s.Provider.Counts().EndSession; got != 1 {
		t.Errorf("provider end-session visits = %d, want 1", got)
	}
}

func TestOptionalLetsAnonymousThrough(t *testing.T) {
	s := protectedSite(t, "optional")
	c := testsupport.NoRedirect(nil)
	resp, err := c.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body := testsupport.ReadBody(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, "in=false") || !strings.Contains(body, "email= ") {
		t.Errorf("anonymous with optional: %d %q", resp.StatusCode, body)
	}
	b := testsupport.NewBrowser(t, "alice")
	if status, body := b.Get(s.URL + "/auth/login"); status != 200 || !strings.Contains(body, "in=true") {
		t.Errorf("signing in with optional: %d %q", status, body)
	}
}

func TestLargeSessionIsSplitAcrossCookies(t *testing.T) {
	groups := make([]any, 150)
	for i := range groups {
		groups[i] = fmt.Sprintf("entra-group-%04d-aaaaaaaa-bbbb-cccc", i)
	}
	big := devprovider.User{Username: "dana", Password: "dana", Claims: map[string]any{
		"email": "dana@example.com", "name": "Dana Many-Groups", "groups": groups,
	}}
	s := protectedSite(t, "", big)
	b := testsupport.NewBrowser(t, "dana")
	status, body := b.Get(s.URL + "/")
	if status != 200 || !strings.Contains(body, "entra-group-0149") {
		t.Fatalf("big user: %d %.300s", status, body)
	}
	cookies := b.Cookies(s.URL)
	if len(cookies) < 2 {
		t.Fatalf("a ~6 KB session is held in %d cookies, want it split", len(cookies))
	}
	for _, c := range cookies {
		if n := len(c.String()); n > 4096 {
			t.Errorf("cookie %s is %d bytes, over 4096", c.Name, n)
		}
	}
	if u := userJSON(t, b, s.URL); len(u["groups"].([]any)) != 150 {
		t.Errorf("groups after split: %d", len(u["groups"].([]any)))
	}
}

func TestProviderDownAtStartThenBack(t *testing.T) {
	p := testsupport.StartProvider(t)
	p.SetBehavior(devprovider.Behavior{Down: true})
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "", `respond "hello {http.auth.user.email}"`))

	b := testsupport.NewBrowser(t, "alice")
	start := time.Now()
	status, body := b.Get(siteURL + "/")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "cannot be reached") {
		t.Errorf("provider down: %d %.200s", status, body)
	}
	if time.Since(start) > 15*time.Second {
		t.Errorf("the error page took %v", time.Since(start))
	}

	p.SetBehavior(devprovider.Behavior{})
	back := time.Now()
	for {
		status, body = b.Get(siteURL + "/")
		if status == 200 {
			break
		}
		if time.Since(back) > 30*time.Second {
			t.Fatalf("still %d 30 s after the provider came back: %.200s", status, body)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if body != "hello alice@example.com" {
		t.Errorf("after recovery: %q", body)
	}
	t.Logf("signed in %v after the provider came back", time.Since(back).Round(time.Millisecond))

	// Users already signed in keep working while the provider is down.
	p.SetBehavior(devprovider.Behavior{Down: true})
	if status, body := b.Get(siteURL + "/"); status != 200 || body != "hello alice@example.com" {
		t.Errorf("signed-in user while provider down: %d %q", status, body)
	}
}
