package sitetests_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// frontchannel asks b's browser to load the front-channel logout route with
// these iss and sid, as the provider's sign-out page would in an iframe.
func frontchannel(t *testing.T, b *testsupport.Browser, siteURL, iss, sid string) *http.Response {
	t.Helper()
	q := url.Values{"iss": {iss}, "sid": {sid}}
	resp := b.Do("GET", siteURL+testsupport.FrontchannelLogoutPath+"?"+q.Encode(), nil, "text/html")
	testsupport.ReadBody(t, resp)
	return resp
}

// The provider's sign-out page frames /auth/frontchannel-logout with its
// issuer and the session's sid: that browser is signed out. The page may
// be framed, is never cached, and a wrong sid or issuer (a hostile page
// framing the route, another user's session) signs nobody out.
func TestFrontchannelLogoutEndsTheSessionItNames(t *testing.T) {
	s := protectedSite(t, "")
	issuer := strings.TrimSuffix(s.Provider.MetadataURL(), "/.well-known/openid-configuration")
	alice := signedInBrowser(t, s.URL, "alice")
	bob := signedInBrowser(t, s.URL, "bob")
	sid := sidOf(t, alice, s.URL)

	for _, c := range []struct{ what, iss, sid string }{
		{"no parameters", "", ""},
		{"the sid without an issuer", "", sid},
		{"another issuer", "http://127.0.0.1:1", sid},
		{"another sid", issuer, "not-" + sid},
		{"bob's sid", issuer, sidOf(t, bob, s.URL)},
	} {
		resp := frontchannel(t, alice, s.URL, c.iss, c.sid)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Cache-Control %q; want 200, no-store", c.what, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		if !isSignedIn(t, alice, s.URL) {
			t.Fatalf("%s signed alice out", c.what)
		}
	}

	resp := frontchannel(t, alice, s.URL, issuer+"/", sid) // a trailing slash, as Auth0's issuer has
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the front-channel logout: %d, Cache-Control %q; want 200, no-store", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if xfo, csp := resp.Header.Get("X-Frame-Options"), resp.Header.Get("Content-Security-Policy"); xfo != "" || strings.Contains(csp, "frame-ancestors") {
		t.Errorf("the provider cannot frame the route: X-Frame-Options %q, Content-Security-Policy %q", xfo, csp)
	}
	if isSignedIn(t, alice, s.URL) {
		t.Error("alice is still signed in after the provider's front-channel logout of her session")
	}
	if !isSignedIn(t, bob, s.URL) {
		t.Error("bob was signed out by alice's front-channel logout")
	}
}
