package flow

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

func mint(t *testing.T, r *rig, m devprovider.Mint) string {
	t.Helper()
	if m.User == "" {
		m.User = "alice"
	}
	tok, err := r.dev.MintToken(m)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// handMade is a JWT with the given header and claims and a signature made
// with hmacKey (HS256), or none at all.
func handMade(header, claims map[string]any, hmacKey string) string {
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	in := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	if hmacKey == "" {
		return in + "."
	}
	mac := hmac.New(sha256.New, []byte(hmacKey))
	mac.Write([]byte(in))
	return in + "." + enc.EncodeToString(mac.Sum(nil))
}

func TestVerifyBearerAcceptsAccessAndIDTokens(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Now = nil })
	for _, typ := range []string{devprovider.AccessTokenType, devprovider.IDTokenType} {
		bt, err := r.p.VerifyBearer(context.Background(), mint(t, r, devprovider.Mint{Type: typ}), nil)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if bt.Subject != "alice" || !strings.Contains(string(bt.Claims), `"email":"alice@example.com"`) {
			t.Errorf("%s: %+v", typ, bt)
		}
		if d := time.Until(bt.Expiry); d < 50*time.Minute || d > time.Hour {
			t.Errorf("%s: expiry in %v", typ, d)
		}
	}
	// An audience of its own (an API), listed in a token with several.
	tok := mint(t, r, devprovider.Mint{Audience: []string{"other", "https://api.example.com"}})
	if _, err := r.p.VerifyBearer(context.Background(), tok, []string{"https://api.example.com"}); err != nil {
		t.Errorf("listed audience: %v", err)
	}
}

func TestVerifyBearerRefusals(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Now = nil })
	other := newRig(t, func(c *Config) { c.Now = nil })
	now := time.Now().Unix()
	claims := func() map[string]any {
		return map[string]any{"iss": r.dev.Issuer(), "aud": testClientID, "sub": "alice", "iat": now, "exp": now + 600}
	}
	logout, _ := r.dev.LogoutToken("alice", "", nil)
	cases := map[string]struct {
		tok    string
		reason string
	}{
		"wrong iss":      {mint(t, r, devprovider.Mint{Tweak: func(c map[string]any) { c["iss"] = "http://evil.test" }}), "another issuer"},
		"wrong aud":      {mint(t, r, devprovider.Mint{Audience: "someone-else"}), "aud"},
		"no aud":         {mint(t, r, devprovider.Mint{Tweak: func(c map[string]any) { delete(c, "aud") }}), "aud"},
		"expired":        {mint(t, r, devprovider.Mint{TTL: -time.Second}), "expired"},
		"no exp":         {mint(t, r, devprovider.Mint{Tweak: func(c map[string]any) { delete(c, "exp") }}), "no expiry"},
		"nbf later":      {mint(t, r, devprovider.Mint{Tweak: func(c map[string]any) { c["nbf"] = now + 3600 }}), "not valid yet"},
		"iat later":      {mint(t, r, devprovider.Mint{Tweak: func(c map[string]any) { c["iat"] = now + 3600 }}), "future"},
		"no sub":         {mint(t, r, devprovider.Mint{Tweak: func(c map[string]any) { delete(c, "sub") }}), "subject"},
		"alg none":       {handMade(map[string]any{"alg": "none", "typ": "JWT"}, claims(), ""), "accepted algorithm"},
		"HS256":          {handMade(map[string]any{"alg": "HS256", "typ": "JWT"}, claims(), testClientSecret), "accepted algorithm"},
		"other key":      {mint(t, other, devprovider.Mint{Tweak: func(c map[string]any) { c["iss"] = r.dev.Issuer() }}), "signature"},
		"logout":         {logout, "typ"},
		"garbage":        {"not-a-jwt", "not a JWT"},
		"empty":          {"", "empty"},
		"huge":           {strings.Repeat("a", maxBearerBytes+1), "too large"},
		"unsigned RS256": {handMade(map[string]any{"alg": "RS256"}, claims(), ""), "signature"},
	}
	for name, c := range cases {
		_, err := r.p.VerifyBearer(context.Background(), c.tok, nil)
		var refusal *BearerRefusal
		if !errors.As(err, &refusal) || !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: %v, want a refusal", name, err)
			continue
		}
		if !strings.Contains(refusal.Reason, c.reason) {
			t.Errorf("%s: reason %q, want %q in it", name, refusal.Reason, c.reason)
		}
		if len(c.tok) > 20 && strings.Contains(err.Error(), c.tok[len(c.tok)-20:]) {
			t.Errorf("%s: the error quotes the token", name)
		}
	}
}

// A flood of tokens naming made-up kids: at most one key fetch, and no
// caller waits for the next allowed fetch.
func TestVerifyBearerUnknownKidsNeverWait(t *testing.T) {
	r := newRig(t, nil)
	r.p.after = r.clock.After // a waiting refetch would hang until the clock moves
	good := mint(t, r, devprovider.Mint{})
	if _, err := r.p.VerifyBearer(context.Background(), good, nil); err != nil {
		t.Fatal(err)
	}
	fetches := r.dev.Counts().JWKS
	forger := newRig(t, nil) // its keys: unknown here
	for i := range 50 {
		tok := mint(t, forger, devprovider.Mint{Tweak: func(c map[string]any) { c["iss"] = r.dev.Issuer() }})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := r.p.VerifyBearer(ctx, tok, nil)
		cancel()
		var refusal *BearerRefusal
		if !errors.As(err, &refusal) {
			t.Fatalf("forged token %d: %v, want a refusal at once", i, err)
		}
	}
	if got := r.dev.Counts().JWKS - fetches; got != 0 {
		t.Errorf("the flood cost %d key fetches right after one, want 0", got)
	}
	// Once the interval has passed, an unknown kid refetches (a rotation).
	r.clock.Advance(keyRefetchInterval)
	r.dev.RotateKeys()
	if _, err := r.p.VerifyBearer(context.Background(), mint(t, r, devprovider.Mint{}), nil); err != nil {
		t.Errorf("a token signed with a rotated key: %v", err)
	}
	if got := r.dev.Counts().JWKS - fetches; got != 1 {
		t.Errorf("%d key fetches after the interval, want 1", got)
	}
}

func TestPeekIssuer(t *testing.T) {
	r := newRig(t, nil)
	if iss, ok := PeekIssuer(mint(t, r, devprovider.Mint{})); !ok || iss != r.dev.Issuer() {
		t.Errorf("PeekIssuer = %q, %v", iss, ok)
	}
	for _, bad := range []string{"", "a.b", "a.!!.c", "a." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":1}`)) + ".c"} {
		if _, ok := PeekIssuer(bad); ok {
			t.Errorf("PeekIssuer(%q) found an issuer", bad)
		}
	}
}
