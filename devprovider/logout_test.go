package devprovider

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

func TestEndSessionShowsSignedOut(t *testing.T) {
	p := startProvider(t, nil)
	pg := get(t, p.Issuer()+"/end_session")
	if pg.status != 200 || !strings.Contains(pg.body, "Signed out") {
		t.Errorf("status %d", pg.status)
	}
}

func TestEndSessionRedirectsKeepingState(t *testing.T) {
	p := startProvider(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "fixed", Secret: "x", RedirectURIs: []string{"https://app.example/cb"}})
	})
	q := url.Values{"client_id": {testClientID}, "post_logout_redirect_uri": {"http://localhost:8080/?bye=1"}, "state": {"s-1"}}
	pg := get(t, p.Issuer()+"/end_session?"+q.Encode())
	if pg.status != http.StatusFound || !strings.HasPrefix(pg.location, "http://localhost:8080/?") {
		t.Fatalf("status %d location %q", pg.status, pg.location)
	}
	if got := pg.query(t); got.Get("state") != "s-1" || got.Get("bye") != "1" {
		t.Errorf("redirect query %v", got)
	}
	// the client may be named by the id_token_hint alone
	hint := idToken(t, newRP(t, p).signIn(t, "alice", "nonce-0123456789ab"))
	q = url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"http://127.0.0.1:9/"}}
	if pg := get(t, p.Issuer()+"/end_session?"+q.Encode()); pg.location != "http://127.0.0.1:9/" {
		t.Errorf("with id_token_hint: status %d location %q", pg.status, pg.location)
	}
	// a registered client may go back to its own origin only
	q = url.Values{"client_id": {"fixed"}, "post_logout_redirect_uri": {"https://app.example/signed-out"}}
	if pg := get(t, p.Issuer()+"/end_session?"+q.Encode()); pg.location != "https://app.example/signed-out" {
		t.Errorf("registered origin: status %d location %q", pg.status, pg.location)
	}
}

func TestEndSessionRefusesForeignRedirect(t *testing.T) {
	p := startProvider(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "fixed", Secret: "x", RedirectURIs: []string{"https://app.example/cb"}})
	})
	for name, q := range map[string]url.Values{
		"not loopback":   {"client_id": {testClientID}, "post_logout_redirect_uri": {"https://evil.example/"}},
		"other origin":   {"client_id": {"fixed"}, "post_logout_redirect_uri": {"https://evil.example/"}},
		"no client":      {"post_logout_redirect_uri": {"http://127.0.0.1:9/"}},
		"unknown client": {"client_id": {"stranger"}, "post_logout_redirect_uri": {"http://127.0.0.1:9/"}},
		"not http":       {"client_id": {testClientID}, "post_logout_redirect_uri": {"javascript:alert(1)"}},
	} {
		if pg := get(t, p.Issuer()+"/end_session?"+q.Encode()); pg.status != http.StatusBadRequest || pg.location != "" {
			t.Errorf("%s: status %d location %q", name, pg.status, pg.location)
		}
	}
}

func TestLogoutToken(t *testing.T) {
	p := startProvider(t, nil)
	tok, err := p.LogoutToken("alice", "sid-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if h := rawHeader(t, tok); h["typ"] != "logout+jwt" || h["alg"] != "RS256" || h["kid"] == nil {
		t.Errorf("header %v", h)
	}
	// verifies with the published keys
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(get(t, p.Issuer()+"/jwks").body), &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in the JWKS", jws.Signatures[0].Header.KeyID)
	}
	if _, err := jws.Verify(keys[0]); err != nil {
		t.Errorf("signature: %v", err)
	}
	c := rawClaims(t, tok)
	events, _ := c["events"].(map[string]any)
	if c["iss"] != p.Issuer() || c["aud"] != testClientID || c["sub"] != "alice" || c["sid"] != "sid-1" ||
		c["jti"] == "" || c["iat"] == nil || events[backchannelLogoutEvent] == nil {
		t.Errorf("claims %v", c)
	}
	if _, has := c["nonce"]; has {
		t.Error("a logout token must not carry a nonce")
	}
	if other, _ := p.LogoutToken("alice", "", nil); rawClaims(t, other)["jti"] == c["jti"] {
		t.Error("jti repeats")
	}
}

func TestLogoutTokenTweakAndBehavior(t *testing.T) {
	p := startProvider(t, nil)
	tok, err := p.LogoutToken("alice", "", func(c map[string]any) { c["nonce"] = "x"; delete(c, "events") })
	if err != nil {
		t.Fatal(err)
	}
	if c := rawClaims(t, tok); c["nonce"] != "x" || c["events"] != nil || c["sid"] != nil {
		t.Errorf("tweak not applied: %v", c)
	}
	p.SetBehavior(Behavior{Alg: "none"})
	if tok, _ := p.LogoutToken("alice", "", nil); rawHeader(t, tok)["alg"] != "none" {
		t.Error("logout token ignores Behavior.Alg")
	}
}

func TestLogoutTokenNeedsIssuerAndClient(t *testing.T) {
	p, err := New(Config{Clients: []Client{{ID: "a", Secret: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.LogoutToken("alice", "", nil); err == nil {
		t.Error("made a logout token without an issuer")
	}
	p, _ = New(Config{Issuer: "http://127.0.0.1:1"})
	if _, err := p.LogoutToken("alice", "", nil); err == nil {
		t.Error("made a logout token without a client")
	}
}
