package devprovider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const longSecret = "a-client-secret-of-more-than-32-bytes"

// assertionFor signs claims (after edit) as a client assertion of client for p.
func assertionFor(t *testing.T, p *Provider, client string, key jose.SigningKey, edit func(*jwt.Claims)) string {
	t.Helper()
	now := time.Now()
	c := jwt.Claims{Issuer: client, Subject: client, Audience: jwt.Audience{p.Issuer() + "/token"},
		ID: randomHex(8), IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}
	if edit != nil {
		edit(&c)
	}
	s, err := jose.NewSigner(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// assertionCall redeems a fresh code of client with assertion (and extra form fields).
func assertionCall(t *testing.T, p *Provider, client, assertion string, extra ...string) (int, map[string]any) {
	t.Helper()
	form := codeForm(codeFor(t, p, "client_id", client), append([]string{"client_assertion_type", jwtBearerAssertion, "client_assertion", assertion}, extra...)...)
	resp, err := http.PostForm(p.Issuer()+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The token endpoint takes private_key_jwt and client_secret_jwt as real
// providers do, and refuses every way an assertion can be wrong.
func TestTokenClientAssertions(t *testing.T) {
	key, other := ecKey(t), ecKey(t)
	p := startProvider(t, func(c *Config) {
		c.Clients = []Client{
			{ID: "keyed", PublicKey: &key.PublicKey},
			{ID: "hmac", Secret: longSecret},
		}
	})
	signed := jose.SigningKey{Algorithm: jose.ES256, Key: key}
	hmac := jose.SigningKey{Algorithm: jose.HS256, Key: []byte(longSecret)}
	if st, m := assertionCall(t, p, "keyed", assertionFor(t, p, "keyed", signed, nil), "client_id", "keyed"); st != 200 || m["id_token"] == nil {
		t.Fatalf("private_key_jwt: %d %v", st, m)
	}
	if got := p.LastClientAuthMethod(); got != "private_key_jwt" {
		t.Errorf("method %q", got)
	}
	if st, m := assertionCall(t, p, "hmac", assertionFor(t, p, "hmac", hmac, nil)); st != 200 {
		t.Fatalf("client_secret_jwt: %d %v", st, m)
	}
	if got := p.LastClientAuthMethod(); got != "client_secret_jwt" {
		t.Errorf("method %q", got)
	}
	reused := assertionFor(t, p, "keyed", signed, nil)
	if st, _ := assertionCall(t, p, "keyed", reused); st != 200 {
		t.Fatalf("first use: %d", st)
	}
	for name, c := range map[string]struct {
		assertion string
		extra     []string
	}{
		"reused jti":       {reused, nil},
		"wrong key":        {assertionFor(t, p, "keyed", jose.SigningKey{Algorithm: jose.ES256, Key: other}, nil), nil},
		"wrong secret":     {assertionFor(t, p, "hmac", jose.SigningKey{Algorithm: jose.HS256, Key: []byte(longSecret + "x")}, nil), nil},
		"wrong aud":        {assertionFor(t, p, "keyed", signed, func(c *jwt.Claims) { c.Audience = jwt.Audience{p.Issuer()} }), nil},
		"sub not client":   {assertionFor(t, p, "keyed", signed, func(c *jwt.Claims) { c.Subject = "alice" }), nil},
		"expired":          {assertionFor(t, p, "keyed", signed, func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(-time.Minute)) }), nil},
		"no exp":           {assertionFor(t, p, "keyed", signed, func(c *jwt.Claims) { c.Expiry = nil }), nil},
		"lives too long":   {assertionFor(t, p, "keyed", signed, func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(time.Hour)) }), nil},
		"no jti":           {assertionFor(t, p, "keyed", signed, func(c *jwt.Claims) { c.ID = "" }), nil},
		"other client_id":  {assertionFor(t, p, "keyed", signed, nil), []string{"client_id", "hmac"}},
		"with secret":      {assertionFor(t, p, "hmac", hmac, nil), []string{"client_secret", longSecret}},
		"hmac, keyed only": {assertionFor(t, p, "keyed", jose.SigningKey{Algorithm: jose.HS256, Key: []byte(longSecret)}, nil), nil},
		"not a JWT":        {"not.a.jwt", nil},
	} {
		client := "keyed"
		if strings.Contains(name, "secret") {
			client = "hmac"
		}
		if st, m := assertionCall(t, p, client, c.assertion, c.extra...); st == 200 || (m["error"] != "invalid_client" && m["error"] != "invalid_request") {
			t.Errorf("%s: %d %v", name, st, m)
		}
	}
	// A keyed client cannot skip authentication by sending its client_id alone.
	resp, err := http.PostForm(p.Issuer()+"/token", codeForm(codeFor(t, p, "client_id", "keyed"), "client_id", "keyed"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("keyed client with client_id alone: %d", resp.StatusCode)
	}
	// A provider that does not list the method refuses it.
	p.SetBehavior(Behavior{AuthMethods: []string{"client_secret_basic"}})
	if st, _ := assertionCall(t, p, "keyed", assertionFor(t, p, "keyed", signed, nil)); st != 401 {
		t.Errorf("private_key_jwt not listed: %d", st)
	}
}

// A client registered with a JWKS URI is verified with the keys served there
// now, by kid.
func TestTokenClientAssertionFromJWKSURI(t *testing.T) {
	key := ecKey(t)
	jwk := jose.JSONWebKey{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk}})
	}))
	defer jwks.Close()
	p := startProvider(t, func(c *Config) { c.Clients = []Client{{ID: "keyed", JWKSURI: jwks.URL}} })
	withKid := func(kid string) jose.SigningKey {
		return jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}
	}
	if st, m := assertionCall(t, p, "keyed", assertionFor(t, p, "keyed", withKid("k1"), nil)); st != 200 {
		t.Fatalf("kid k1: %d %v", st, m)
	}
	if st, m := assertionCall(t, p, "keyed", assertionFor(t, p, "keyed", withKid("k2"), nil)); st != 401 || !strings.Contains(m["error_description"].(string), "kid") {
		t.Errorf("unknown kid: %d %v", st, m)
	}
}
