package sitetests_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// Every ID token a provider gets wrong is refused through real Caddy: an
// HTML page with a 4xx/5xx status, no identity cookie, Caddy unharmed.
func TestBadIDTokensAreRefused(t *testing.T) {
	s := protectedSite(t, "")
	now := time.Now()
	set := func(k string, v any) func(map[string]any) { return func(c map[string]any) { c[k] = v } }
	del := func(k string) func(map[string]any) { return func(c map[string]any) { delete(c, k) } }
	cases := []struct {
		name string
		b    devprovider.Behavior
	}{
		{"other iss", devprovider.Behavior{TamperClaims: set("iss", "https://evil.example")}},
		{"no sub", devprovider.Behavior{TamperClaims: del("sub")}},
		{"aud without our client", devprovider.Behavior{TamperClaims: set("aud", "someone-else")}},
		{"no aud", devprovider.Behavior{TamperClaims: del("aud")}},
		{"no iat", devprovider.Behavior{TamperClaims: del("iat")}},
		{"exp in the past", devprovider.Behavior{TamperClaims: set("exp", now.Add(-time.Hour).Unix())}},
		{"iat far in the future", devprovider.Behavior{TamperClaims: set("iat", now.Add(time.Hour).Unix())}},
		{"other nonce", devprovider.Behavior{TamperClaims: set("nonce", "not-the-nonce-we-sent")}},
		{"no nonce", devprovider.Behavior{TamperClaims: del("nonce")}},
		{"unsigned (alg none)", devprovider.Behavior{Alg: "none"}},
		{"broken RS256 signature", devprovider.Behavior{Alg: "RS256", BreakSignature: true}},
		{"broken ES256 signature", devprovider.Behavior{Alg: "ES256", BreakSignature: true}},
		{"HS256 with the client secret", devprovider.Behavior{Alg: "HS256"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.Provider.SetBehavior(c.b)
			b := testsupport.NewBrowser(t, "alice")
			status, body := b.Get(s.URL + "/")
			if status < 400 || status >= 600 || !strings.Contains(body, "<html") {
				t.Errorf("status %d, want an HTML error page: %.200s", status, body)
			}
			for _, ck := range b.Cookies(s.URL) {
				if testsupport.IsIdentityCookie(ck.Name) {
					t.Errorf("identity cookie %s set", ck.Name)
				}
			}
		})
	}
	// Caddy is unharmed: a correct provider signs in at once.
	s.Provider.SetBehavior(devprovider.Behavior{})
	if status, body := testsupport.NewBrowser(t, "bob").Get(s.URL + "/"); status != 200 || !strings.Contains(body, "bob@example.org") {
		t.Errorf("after the bad tokens: %d %q", status, body)
	}
}

func TestProviderWithAnotherIssuerIsRefused(t *testing.T) {
	s := protectedSite(t, "")
	s.Provider.SetBehavior(devprovider.Behavior{MetadataIssuer: "https://evil.example"})
	status, body := testsupport.NewBrowser(t, "alice").Get(s.URL + "/")
	if status != http.StatusBadGateway || !strings.Contains(body, "does not match") {
		t.Errorf("issuer mix-up: %d %.300s", status, body)
	}
}

func TestGoodTokensAreAccepted(t *testing.T) {
	s := protectedSite(t, "")
	for _, c := range []struct {
		name string
		b    devprovider.Behavior
	}{
		{"RS256", devprovider.Behavior{Alg: "RS256"}},
		{"ES256", devprovider.Behavior{Alg: "ES256"}},
		{"no kid, one key of the type", devprovider.Behavior{Alg: "ES256", OmitKid: true}},
		{"unknown key types in the JWKS", devprovider.Behavior{ExtraJWKS: []map[string]any{{"kty": "OKP-unknown", "kid": "x", "crv": "Ed9999"}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s.Provider.SetBehavior(c.b)
			if status, body := testsupport.NewBrowser(t, "alice").Get(s.URL + "/"); status != 200 || !strings.Contains(body, "alice@example.com") {
				t.Errorf("%d %.300s", status, body)
			}
		})
	}
	// After the provider rotates its keys, the next sign-in still works
	// (the unknown kid makes the module fetch the keys again).
	s.Provider.SetBehavior(devprovider.Behavior{})
	// Key fetches are rate-limited (one per 5 s, so a flood of made-up kids
	// cannot hammer the provider): let the window from the first fetch pass.
	time.Sleep(5500 * time.Millisecond)
	jwks := s.Provider.Counts().JWKS
	s.Provider.RotateKeys()
	if status, body := testsupport.NewBrowser(t, "carol").Get(s.URL + "/"); status != 200 || !strings.Contains(body, "carol@example.net") {
		t.Errorf("after key rotation: %d %.300s", status, body)
	}
	if got := s.Provider.Counts().JWKS - jwks; got != 1 {
		t.Errorf("JWKS fetched %d times after rotation, want 1", got)
	}
}
