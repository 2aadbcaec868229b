package sitetests_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// googleLikeUser carries the profile a Google account gives: its ID token
// is about as large as Google's.
var googleLikeUser = devprovider.User{Username: "jane", Password: "jane", Claims: map[string]any{
	"email": "jane.doe@example.com", "email_verified": true, "hd": "example.com",
	"name": "Jane Doe", "given_name": "Jane", "family_name": "Doe", "locale": "en",
	"picture": "https://lh3.googleusercontent.com/a/ACg8ocL-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ=s96-c",
}}

// signOutHint signs b out (without following) and returns the id_token_hint
// the provider is sent.
func signOutHint(t *testing.T, b *testsupport.Browser, siteURL, cookies string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", siteURL+"/auth/logout", nil)
	req.Header.Set("Cookie", cookies)
	resp, err := testsupport.NoRedirect(nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || !strings.HasSuffix(loc.Path, "/end_session") {
		t.Fatalf("sign-out: %d to %s, want the provider's end-session endpoint", resp.StatusCode, loc)
	}
	return loc.Query().Get("id_token_hint")
}

// tokenSubject is the sub of a JWT's payload, unverified.
func tokenSubject(t *testing.T, jwt string) string {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %.40q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct{ Sub string }
	if err != nil || json.Unmarshal(raw, &claims) != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return claims.Sub
}

func TestPageRequestsCarryASmallCookieAndSignOutTheIDToken(t *testing.T) {
	s := protectedSite(t, "", googleLikeUser)
	b := signedInBrowser(t, s.URL, "jane")
	page := testsupport.JoinCookies(b.Cookies(s.URL + "/docs/page.html"))
	atSignOut := testsupport.JoinCookies(b.Cookies(s.URL + "/auth/logout"))
	for _, c := range b.Cookies(s.URL + "/docs/page.html") {
		if testsupport.IsHintCookie(c.Name) {
			t.Errorf("a page request carries the sign-out hint %s", c.Name)
		}
	}
	hint := signOutHint(t, b, s.URL, atSignOut)
	if tokenSubject(t, hint) != "jane" {
		t.Fatalf("id_token_hint names %q, want jane's ID token", tokenSubject(t, hint))
	}
	t.Logf("Cookie header of a page: %d bytes; at sign-out: %d bytes; the ID token: %d bytes", len(page), len(atSignOut), len(hint))
	if len(hint) < 900 {
		t.Fatalf("the ID token is %d bytes: too small to stand for a Google one", len(hint))
	}
	if len(page) > 1200 {
		t.Errorf("a page request carries %d bytes of cookies, want at most 1,200", len(page))
	}
}

// A sibling host of the same domain can toss cookies into this site's
// requests, and a user can replay a hint of an earlier sign-in: neither may
// put another ID token into this sign-out.
func TestSignOutIgnoresTheHintOfAnotherSignIn(t *testing.T) {
	s := protectedSite(t, "")
	alice := signedInBrowser(t, s.URL, "alice")
	aliceAgain := signedInBrowser(t, s.URL, "alice")
	bob := signedInBrowser(t, s.URL, "bob")
	hintOf := func(b *testsupport.Browser) string {
		for _, c := range b.Cookies(s.URL + "/auth/logout") {
			if testsupport.IsHintCookie(c.Name) {
				return c.Name + "=" + c.Value
			}
		}
		t.Fatal("no sign-out hint cookie after sign-in")
		return ""
	}
	session := testsupport.JoinCookies(alice.Cookies(s.URL + "/"))
	for name, other := range map[string]*testsupport.Browser{"bob's": bob, "alice's other sign-in's": aliceAgain} {
		if got := signOutHint(t, alice, s.URL, session+"; "+hintOf(other)); got != "" {
			t.Errorf("with %s hint cookie, alice's sign-out sent id_token_hint for %q", name, tokenSubject(t, got))
		}
	}
	if got := signOutHint(t, alice, s.URL, session+"; "+hintOf(alice)); tokenSubject(t, got) != "alice" {
		t.Fatalf("her own hint: id_token_hint %.40q", got)
	}
}

// expose_tokens id hands the ID token on with every request: it stays in
// the identity cookie, and no hint cookie is set.
func TestExposedIDTokenStaysInTheSession(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "expose_tokens id",
		`respond "id={http.auth.user.id} token={http.auth.user.tokens.id}"`))
	b := testsupport.NewBrowser(t, "alice")
	status, body := b.Get(siteURL + "/")
	token, _ := strings.CutPrefix(body, "id=alice token=")
	if status != 200 || tokenSubject(t, token) != "alice" {
		t.Fatalf("signed-in page: %d %.80q", status, body)
	}
	for _, c := range b.Cookies(siteURL + "/auth/logout") {
		if testsupport.IsHintCookie(c.Name) {
			t.Errorf("a hint cookie %s was set although the session holds the ID token", c.Name)
		}
	}
	if got := signOutHint(t, b, siteURL, testsupport.JoinCookies(b.Cookies(siteURL+"/"))); got != token {
		t.Errorf("id_token_hint %.40q, want the session's ID token", got)
	}
}
