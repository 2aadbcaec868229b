package devprovider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

const (
	testClientID     = "site"
	testClientSecret = "s3cret/with+odd=chars"
	testRedirect     = "http://127.0.0.1:9/oauth2callback"
)

// startProvider runs a provider with the demo users and one client, closed at test end.
func startProvider(t testing.TB, mutate func(*Config)) *Provider {
	t.Helper()
	cfg := Config{
		Users:          DemoUsers(),
		Clients:        []Client{{ID: testClientID, Secret: testClientSecret}},
		TrustLoginHint: true,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, err := p.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// rp is a standard relying party: go-oidc for discovery and verification, x/oauth2 for
// the code exchange.
type rp struct {
	provider *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newRP(t testing.TB, p *Provider) *rp {
	t.Helper()
	op, err := oidc.NewProvider(context.Background(), p.Issuer())
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &rp{
		provider: op,
		oauth: oauth2.Config{
			ClientID: testClientID, ClientSecret: testClientSecret, RedirectURL: testRedirect,
			Endpoint: op.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
		},
		verifier: op.Verifier(&oidc.Config{ClientID: testClientID}),
	}
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// authorize sends the browser's GET to authURL and returns the redirect back to the site.
func authorize(t testing.TB, authURL string) *url.URL {
	t.Helper()
	resp, err := noRedirects.Get(authURL)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("authorize: Location: %v", err)
	}
	return loc
}

// signIn runs a whole sign-in of username by login_hint and returns the token response.
func (c *rp) signIn(t testing.TB, username, nonce string) *oauth2.Token {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	u := c.oauth.AuthCodeURL("state-1234567890abcdef", oauth2.S256ChallengeOption(verifier),
		oidc.Nonce(nonce), oauth2.SetAuthURLParam("login_hint", username))
	back := authorize(t, u)
	if back.Query().Get("state") != "state-1234567890abcdef" {
		t.Fatalf("redirect back lost state: %s", back)
	}
	code := back.Query().Get("code")
	if code == "" {
		t.Fatalf("redirect back has no code: %s", back)
	}
	tok, err := c.oauth.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// rawClaims decodes a JWT's payload without verifying it.
func rawClaims(t testing.TB, jwt string) map[string]any {
	t.Helper()
	m, err := payloadClaims(jwt)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func payloadClaims(jwt string) (map[string]any, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a compact JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("payload JSON: %w", err)
	}
	return m, nil
}

func decodeJSON(resp *http.Response, v any) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// rawHeader decodes a JWT's header.
func rawHeader(t testing.TB, jwt string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[0])
	if err != nil {
		t.Fatalf("header: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("header JSON: %v", err)
	}
	return m
}

func idToken(t testing.TB, tok *oauth2.Token) string {
	t.Helper()
	s, _ := tok.Extra("id_token").(string)
	if s == "" {
		t.Fatal("token response has no id_token")
	}
	return s
}
