package flow

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// Each way an ID token can be wrong is refused as ErrInvalidToken, with a
// message that says what was wrong and holds no token.
func TestBadIDTokensAreRefused(t *testing.T) {
	r := newRig(t, nil)
	now := time.Now()
	for _, c := range []struct {
		name string
		b    devprovider.Behavior
		want string // in the message
	}{
		{"wrong iss", tamper(func(c map[string]any) { c["iss"] = "https://other.example" }), "different provider"},
		{"no sub", tamper(func(c map[string]any) { delete(c, "sub") }), "no sub"},
		{"wrong aud", tamper(func(c map[string]any) { c["aud"] = "other-client" }), "audience"},
		{"no aud", tamper(func(c map[string]any) { delete(c, "aud") }), "audience"},
		{"several aud, no azp", tamper(func(c map[string]any) { c["aud"] = []string{testClientID, "other"} }), "no azp"},
		{"azp of another client", tamper(func(c map[string]any) { c["azp"] = "other" }), "azp"},
		{"no iat", tamper(func(c map[string]any) { delete(c, "iat") }), "no iat"},
		{"no exp", tamper(func(c map[string]any) { delete(c, "exp") }), "no exp"},
		{"expired", tamper(func(c map[string]any) {
			c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		}), "expired"},
		{"iat in the future", tamper(func(c map[string]any) { c["iat"] = now.Add(10 * time.Minute).Unix() }), "future"},
		{"nbf an hour ahead", tamper(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }), "not valid before"},
		{"aud a number", tamper(func(c map[string]any) { c["aud"] = 42 }), "aud"},
		{"aud with a number", tamper(func(c map[string]any) { c["aud"] = []any{testClientID, 42} }), "aud"},
		{"exp a string", tamper(func(c map[string]any) { c["exp"] = "tomorrow" }), "exp"},
		{"sub a number", tamper(func(c map[string]any) { c["sub"] = 42 }), "sub"},
		{"at_hash of another access token", tamper(func(c map[string]any) { c["at_hash"] = "c2VlIG5vIGV2aWwgaGVhciBubyBldmls" }), "at_hash"},
		{"wrong nonce", tamper(func(c map[string]any) { c["nonce"] = NewAuthRequest().Nonce }), "nonce"},
		{"no nonce", tamper(func(c map[string]any) { delete(c, "nonce") }), "no nonce"},
		{"alg none", devprovider.Behavior{Alg: "none"}, "none"},
		{"HS256 keyed with the client secret", devprovider.Behavior{Alg: "HS256"}, "HS256"},
		{"broken RS256 signature", devprovider.Behavior{BreakSignature: true}, "signature"},
		{"broken ES256 signature", devprovider.Behavior{Alg: "ES256", BreakSignature: true}, "signature"},
		{"broken signature, no kid", devprovider.Behavior{BreakSignature: true, OmitKid: true}, "signature"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r.dev.SetBehavior(c.b)
			id, err := r.signIn(t)
			if id != nil {
				t.Fatal("an identity came back with the error")
			}
			wantClass(t, err, ErrInvalidToken)
			t.Log(err)
			if errors.Is(err, ErrCodeRefused) {
				t.Error("a bad ID token is the provider's answer, not a refused code")
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || !strings.Contains(msg, `"dev"`) {
				t.Errorf("message %q should name the provider and mention %q", msg, c.want)
			}
			if strings.Count(msg, ".") >= 2 && strings.Contains(msg, "eyJ") {
				t.Errorf("message %q seems to hold a token", msg)
			}
		})
	}
}

func TestGoodIDTokensAreAccepted(t *testing.T) {
	r := newRig(t, nil)
	now := time.Now()
	for _, c := range []struct {
		name string
		b    devprovider.Behavior
	}{
		{"RS256", devprovider.Behavior{}},
		{"ES256", devprovider.Behavior{Alg: "ES256"}},
		// Without a kid the token is checked against every key of its alg
		// type: the JWKS holds an RSA and an EC key, and each kind verifies.
		{"RS256 without kid", devprovider.Behavior{OmitKid: true}},
		{"ES256 without kid", devprovider.Behavior{Alg: "ES256", OmitKid: true}},
		{"several aud with our azp", tamper(func(c map[string]any) { c["aud"], c["azp"] = []string{testClientID, "api"}, testClientID })},
		{"iat a minute ahead (clock skew)", tamper(func(c map[string]any) { c["iat"] = now.Add(time.Minute).Unix() })},
		{"nbf a minute ahead (clock skew)", tamper(func(c map[string]any) { c["nbf"] = now.Add(time.Minute).Unix() })},
		{"exp with a fraction", tamper(func(c map[string]any) { c["exp"] = float64(now.Add(time.Hour).Unix()) + 0.5 })},
	} {
		t.Run(c.name, func(t *testing.T) {
			r.dev.SetBehavior(c.b)
			id, err := r.signIn(t)
			if err != nil {
				t.Fatal(err)
			}
			if id.Subject != "alice" {
				t.Errorf("Subject %q", id.Subject)
			}
		})
	}
}

// Keys of unknown types, unparsable keys, symmetric and encryption keys in
// the JWKS are skipped; the usable ones still verify.
func TestUnknownKeyTypesAreIgnored(t *testing.T) {
	extra := []map[string]any{
		{"kty": "OKP-unknown", "kid": "x1", "crv": "Ed448", "x": "AAAA"},
		{"kty": "RSA", "kid": "broken", "n": "!!!", "e": "AQAB"},
		{"kty": "oct", "kid": "sym", "k": "c2VjcmV0"},
		{"kty": "EC", "kid": "k1", "crv": "secp256k1", "alg": "ES256K", "x": "AAAA", "y": "AAAA"},
		{"kid": "no-kty"},
	}
	r := newRig(t, nil)
	for _, alg := range []string{"RS256", "ES256"} {
		r.dev.SetBehavior(devprovider.Behavior{Alg: alg, ExtraJWKS: extra})
		if _, err := r.signIn(t); err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
	}
	if n := r.dev.Counts().JWKS; n != 1 {
		t.Errorf("JWKS fetched %d times, want 1", n)
	}
}

// After the provider rotates its keys, the next sign-in refetches the JWKS
// (new kid) and succeeds.
func TestKeyRotation(t *testing.T) {
	r := newRig(t, nil)
	if _, err := r.signIn(t); err != nil {
		t.Fatal(err)
	}
	r.dev.RotateKeys()
	r.clock.Advance(keyRefetchInterval)
	if _, err := r.signIn(t); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if n := r.dev.Counts().JWKS; n != 2 {
		t.Errorf("JWKS fetched %d times, want 2 (first use, rotation)", n)
	}
	// Signing again with the same (new) keys costs no fetch.
	if _, err := r.signIn(t); err != nil {
		t.Fatal(err)
	}
	if n := r.dev.Counts().JWKS; n != 2 {
		t.Errorf("JWKS fetched %d times, want still 2", n)
	}
}

// The keys cannot be fetched: that is the provider's outage, not a bad token.
func TestKeysUnavailableIsUnavailable(t *testing.T) {
	r := newRig(t, nil)
	req := NewAuthRequest()
	code := r.code(t, req)
	r.dev.SetBehavior(devprovider.Behavior{}) // token endpoint works...
	stop := r.blockJWKS(t)                    // ...but the JWKS does not
	defer stop()
	_, err := r.p.Exchange(context.Background(), code, req)
	wantClass(t, err, ErrUnavailable)
	if !strings.Contains(err.Error(), "signing keys") {
		t.Errorf("message %q should say the keys could not be fetched", err)
	}
}

func tamper(f func(map[string]any)) devprovider.Behavior {
	return devprovider.Behavior{TamperClaims: f}
}

// at_hash is the left half of the access token's hash with the ID token's
// algorithm's hash function, base64url (OpenID Connect Core 3.1.3.8). The
// RS256 pair is the example of Core A.3; the EdDSA one hashes with SHA-512.
func TestAtHashChecksTheAccessToken(t *testing.T) {
	const accessToken, atHash = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", "77QmUPtjPfzWtF2AnpK9RQ"
	vt := &verifiedToken{alg: "RS256", atHash: atHash}
	if err := vt.verifyAccessToken(accessToken); err != nil {
		t.Errorf("the specification's example: %v", err)
	}
	ed := &verifiedToken{alg: "EdDSA", atHash: "8xltSlOGYrWy8W9yNvRlEth1i_bXW-JROWPLvCv5zog"}
	if err := ed.verifyAccessToken("dNZX1hEZ9wBCzNL40Upu646bdzQA"); err != nil {
		t.Errorf("EdDSA: %v", err)
	}
	if err := vt.verifyAccessToken(accessToken + "x"); err == nil {
		t.Error("another access token passed")
	}
	vt.alg = "RS512" // another hash function: another at_hash
	if err := vt.verifyAccessToken(accessToken); err == nil {
		t.Error("the RS256 at_hash passed for an RS512 token")
	}
	vt.alg = "HS256"
	if err := vt.verifyAccessToken(accessToken); err == nil {
		t.Error("an algorithm without a hash for at_hash passed")
	}
}

// Google's ID tokens may name their issuer without the scheme.
func TestGoogleIssuerWithoutScheme(t *testing.T) {
	if !issuedBy("accounts.google.com", "https://accounts.google.com") {
		t.Error("Google's short issuer was refused for Google")
	}
	if issuedBy("example.com", "https://example.com") {
		t.Error("a short issuer was accepted for another provider")
	}
}
