package devprovider

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

func jwks(t *testing.T, p *Provider) []map[string]any {
	t.Helper()
	pg := get(t, p.Issuer()+"/jwks")
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(pg.body), &set); err != nil {
		t.Fatalf("jwks: %v", err)
	}
	return set.Keys
}

func TestJWKSPublishesPublicRSAAndECKeys(t *testing.T) {
	p := startProvider(t, nil)
	keys := jwks(t, p)
	if len(keys) != 2 {
		t.Fatalf("%d keys", len(keys))
	}
	want := map[string]string{"RSA": "RS256", "EC": "ES256"}
	for _, k := range keys {
		if want[k["kty"].(string)] != k["alg"] || k["kid"] == "" || k["use"] != "sig" {
			t.Errorf("key %v", k)
		}
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			if _, has := k[private]; has {
				t.Errorf("%s key publishes private part %q", k["kty"], private)
			}
		}
	}
	// go-jose reads the set as a standard JWKS
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(get(t, p.Issuer()+"/jwks").body), &set); err != nil || len(set.Keys) != 2 {
		t.Errorf("go-jose cannot read the JWKS: %v", err)
	}
}

func TestRotateKeys(t *testing.T) {
	p := startProvider(t, nil)
	c := newRP(t, p)
	before := c.signIn(t, "alice", "nonce-0123456789ab")
	if _, err := c.verifier.Verify(context.Background(), idToken(t, before)); err != nil {
		t.Fatal(err)
	}
	oldKids := map[string]bool{}
	for _, k := range jwks(t, p) {
		oldKids[k["kid"].(string)] = true
	}
	p.RotateKeys()
	for _, k := range jwks(t, p) {
		if oldKids[k["kid"].(string)] {
			t.Errorf("old kid %v still published", k["kid"])
		}
	}
	// a relying party that cached the old keys finds the new kid by refetching
	after := c.signIn(t, "alice", "nonce-0123456789ab")
	if _, err := c.verifier.Verify(context.Background(), idToken(t, after)); err != nil {
		t.Errorf("token under the new key: %v", err)
	}
	// a fresh relying party no longer accepts tokens under the old key
	if _, err := newRP(t, p).verifier.Verify(context.Background(), idToken(t, before)); err == nil {
		t.Error("token under a rotated-out key still verifies")
	}
}

func TestBreakSignatureKeepsTokenParseable(t *testing.T) {
	tok := "aGVhZA.cGF5bG9hZA.c2lnbmF0dXJl"
	broken := breakSignature(tok)
	if broken == tok || !strings.HasPrefix(broken, "aGVhZA.cGF5bG9hZA.") || strings.Count(broken, ".") != 2 {
		t.Errorf("breakSignature(%q) = %q", tok, broken)
	}
}

func TestHS256WithoutClientSecretFails(t *testing.T) {
	p := startProvider(t, nil)
	if _, err := p.sign(&Behavior{Alg: "HS256"}, map[string]any{"sub": "x"}, "", "JWT"); err == nil {
		t.Error("HS256 signed with an empty secret")
	}
}
