package sitetests_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// The callback under attack: every forged, replayed or mismatched answer is
// a 4xx page without an identity cookie, never a 5xx and never a sign-in.

func TestReplayedCallbackIsRefused(t *testing.T) {
	s := protectedSite(t, "")
	ls := startSignIn(t, s.URL, "/auth/login?return_to=/docs")
	cb := authorizeAs(t, ls, "alice")

	first := getWithCookies(t, cb.String(), ls.cookie)
	if first.StatusCode != http.StatusFound || first.Header.Get("Location") != "/docs" || len(testsupport.IdentityCookies(first)) == 0 {
		t.Fatalf("the genuine callback: %d to %q, identity cookies %d", first.StatusCode, first.Header.Get("Location"), len(testsupport.IdentityCookies(first)))
	}

	// Replayed from a browser that dropped the single-use cookie, and from
	// one (or an attacker) that kept it.
	exchanges := s.Provider.Counts().Token
	wantRefused(t, "replay without the login-state cookie", getWithCookies(t, cb.String()))
	wantRefused(t, "replay with the login-state cookie", getWithCookies(t, cb.String(), ls.cookie))
	if got := s.Provider.Counts().Token - exchanges; got != 0 {
		t.Errorf("replays reached the token endpoint %d times, want them stopped by the handler", got)
	}

	// After a config reload the handler's memory of used states is gone;
	// the provider's single-use code still stops the replay.
	testsupport.ReloadCaddy(t, testsupport.GlobalOptions(t)+fmt.Sprintf(`
%s {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri %s/oauth2callback
		cookie_secret %s
		%s
	}
	respond "reloaded {http.auth.user.id}"
}
`, s.URL, s.URL, testsupport.CookieSecret, testsupport.ProviderSettings(s.Provider)))
	tokens := s.Provider.Counts().Token
	wantRefused(t, "replay after a reload", getWithCookies(t, cb.String(), ls.cookie))
	if s.Provider.Counts().Token != tokens+1 {
		t.Errorf("replay after a reload: token endpoint calls %d -> %d, want the code tried once (and refused)", tokens, s.Provider.Counts().Token)
	}
}

func TestCallbackWithoutLoginStateIsRefusedBeforeTheCodeIsUsed(t *testing.T) {
	s := protectedSite(t, "")
	ls := startSignIn(t, s.URL, "/auth/login")
	cb := authorizeAs(t, ls, "alice")
	tokens := s.Provider.Counts().Token

	wantRefused(t, "callback without any cookie", getWithCookies(t, cb.String()))
	wantRefused(t, "callback with an unrelated cookie", getWithCookies(t, cb.String(), &http.Cookie{Name: "theme", Value: "dark"}))
	wantRefused(t, "callback with an empty login-state cookie", getWithCookies(t, cb.String(), &http.Cookie{Name: ls.cookie.Name, Value: ""}))
	if got := s.Provider.Counts().Token; got != tokens {
		t.Errorf("the code was sent to the token endpoint %d times without a login state, want 0", got-tokens)
	}

	// The code was not spent: the browser that started the sign-in finishes it.
	if resp := getWithCookies(t, cb.String(), ls.cookie); resp.StatusCode != http.StatusFound || len(testsupport.IdentityCookies(resp)) == 0 {
		t.Errorf("the genuine callback after the refused ones: %d, identity cookies %d", resp.StatusCode, len(testsupport.IdentityCookies(resp)))
	}
}

func TestMalformedCallbacksAreRefused(t *testing.T) {
	s := protectedSite(t, "")
	ls := startSignIn(t, s.URL, "/auth/login")
	cb := s.URL + "/oauth2callback"
	// With neither code, error nor state it is the provider's return from
	// sign-out (the default post_logout_redirect_uri): on to /, and nothing
	// else happens.
	if resp := getWithCookies(t, cb, ls.cookie); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/" ||
		len(testsupport.IdentityCookies(resp)) > 0 || len(resp.Header.Values("Set-Cookie")) > 0 {
		t.Errorf("callback without a query: %d to %q, Set-Cookie %q; want 302 to / and no cookie", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Values("Set-Cookie"))
	}
	for _, query := range []string{
		"?code=abc",
		"?state=",
		"?state=" + strings.Repeat("s", 600) + "&code=abc",
		"?state=%00%0d%0a&code=abc",
		"?state=" + ls.state(),                                            // no code
		"?state=" + ls.state() + "&code=",                                 // empty code
		"?state=other-state-0123456789&state=" + ls.state() + "&code=abc", // duplicated state
		"?error=access_denied",
		"?error=" + strings.Repeat("%ff", 300) + "&state=unknown-state-0123456789",
	} {
		wantRefused(t, "callback "+query, getWithCookies(t, cb+query, ls.cookie))
	}
}

func TestStateOfAnotherSignInIsRefused(t *testing.T) {
	s := protectedSite(t, "")
	// The victim's browser started a sign-in; the attacker started their own
	// and holds a valid code and state for it.
	victim := startSignIn(t, s.URL, "/auth/login")
	attacker := startSignIn(t, s.URL, "/auth/login")
	attackerCB := authorizeAs(t, attacker, "mallory")
	spare := startSignIn(t, s.URL, "/auth/login")
	spareCode := authorizeAs(t, spare, "mallory").Query().Get("code")
	tokens := s.Provider.Counts().Token

	// Login CSRF: the attacker's callback opened in the victim's browser.
	wantRefused(t, "another sign-in's callback with the victim's cookie",
		getWithCookies(t, attackerCB.String(), victim.cookie))
	// The victim's sealed login state under the name for the attacker's state.
	renamed := &http.Cookie{Name: attacker.cookie.Name, Value: victim.cookie.Value}
	wantRefused(t, "a login-state cookie renamed to another state",
		getWithCookies(t, attackerCB.String(), renamed))
	if got := s.Provider.Counts().Token; got != tokens {
		t.Errorf("a code was exchanged %d times for callbacks with no matching login state", got-tokens)
	}

	// Code injection: the victim's own state with the attacker's code. The
	// PKCE verifier (and nonce) belong to the victim's sign-in, so the
	// provider refuses the code.
	wantRefused(t, "the victim's state with another sign-in's code",
		getWithCookies(t, callbackWith(attackerCB, spareCode, victim.state()), victim.cookie))

	// The attacker's own callback in the attacker's own browser still works:
	// the refusals above were about the mismatch, not a broken harness.
	if resp := getWithCookies(t, attackerCB.String(), attacker.cookie); resp.StatusCode != http.StatusFound || len(testsupport.IdentityCookies(resp)) == 0 {
		t.Errorf("a genuine callback: %d, identity cookies %d", resp.StatusCode, len(testsupport.IdentityCookies(resp)))
	}
}

func TestCodeDeliveredWithAnotherProvidersStateIsRefused(t *testing.T) {
	one, two := testsupport.StartProvider(t), testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	testsupport.StartCaddy(t, attackSiteConfig(t, port, testsupport.TwoProviders(one, two)))

	// The browser started at provider one and got a code from it; a sign-in
	// at provider two was started too (by the browser or an attacker).
	atOne := startSignIn(t, siteURL, "/auth/login?provider=one")
	cbOne := authorizeAs(t, atOne, "alice")
	atTwo := startSignIn(t, siteURL, "/auth/login?provider=two")
	if !strings.HasPrefix(atTwo.authorize.String(), two.Issuer()) || !strings.HasPrefix(atOne.authorize.String(), one.Issuer()) {
		t.Fatalf("sign-ins went to %s and %s", atOne.authorize, atTwo.authorize)
	}
	tokensOne, tokensTwo := one.Counts().Token, two.Counts().Token

	// Mix-up: provider one's code delivered with the state minted for two.
	mixed := callbackWith(cbOne, "", atTwo.state())
	wantRefused(t, "provider one's code with provider two's state", getWithCookies(t, mixed, atOne.cookie, atTwo.cookie))
	if one.Counts().Token != tokensOne {
		t.Errorf("provider one's token endpoint was called for a sign-in started at two")
	}
	t.Logf("token endpoint calls during the mix-up: one +%d, two +%d", one.Counts().Token-tokensOne, two.Counts().Token-tokensTwo)

	// Provider one's code is still good for the sign-in it belongs to.
	resp := getWithCookies(t, cbOne.String(), atOne.cookie)
	if resp.StatusCode != http.StatusFound || len(testsupport.IdentityCookies(resp)) == 0 {
		t.Fatalf("the genuine callback of provider one: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", siteURL+"/", nil)
	req.Header.Set("Cookie", testsupport.JoinCookies(testsupport.IdentityCookies(resp)))
	page, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := testsupport.ReadBody(t, page); body != "id=alice provider=one" {
		t.Errorf("signed in as %q, want alice at provider one", body)
	}
}

func TestHostileRequestsToEveryRouteNeverFailTheServer(t *testing.T) {
	s := protectedSite(t, "")
	addr := strings.TrimPrefix(s.URL, "http://")
	long := strings.Repeat("a", 5000)
	targets := []string{
		"/auth/login?provider=%00", "/auth/login?provider=default%0d%0aX:%20y", "/auth/login?provider=" + long,
		"/auth/login?provider=<script>", "/auth/login?return_to=%ff%fe", "/auth/login?return_to=/" + long,
		"/auth/login?return_to=%zz", "/auth/login?provider=default&provider=other",
		"/oauth2callback?state=%ff&code=%ff", "/oauth2callback?error=%00&error_description=" + long,
		"/oauth2callback?state=" + long, "/auth/logout?x=%00", "/auth/user?%zz",
		"/%zz", "/%00", "/private?" + long, "/auth/login/", "/AUTH/LOGIN", "/auth%2flogin",
	}
	name := testsupport.CookieNameAt(s.Port)
	junk := []string{"", name + "=%ff%00", name + "=1.; " + name + "_1=x", name + "=" + long, name + "_login_x=" + long, name + "_login_zz-x=" + long}
	for _, target := range targets {
		for _, cookies := range junk {
			for _, accept := range []string{"text/html", "application/json"} {
				h := http.Header{"Accept": {accept}}
				if cookies != "" {
					h.Set("Cookie", cookies)
				}
				resp := sendRawRequest(t, addr, target, h)
				if resp.StatusCode >= 500 {
					t.Errorf("GET %.80q with Cookie %.40q: %d", target, cookies, resp.StatusCode)
				}
				if ids := testsupport.IdentityCookies(resp); len(ids) > 0 {
					t.Errorf("GET %.80q with Cookie %.40q set an identity cookie", target, cookies)
				}
			}
		}
	}
	for _, method := range []string{"POST", "PUT", "DELETE", "OPTIONS", "HEAD"} {
		for _, path := range []string{"/auth/login", "/oauth2callback?state=x&code=y", "/auth/logout", "/auth/user", "/private"} {
			req, _ := http.NewRequest(method, s.URL+path, strings.NewReader("state=x&code=y"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := testsupport.NoRedirect(nil).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Errorf("%s %s: %d", method, path, resp.StatusCode)
			}
		}
	}
}
