package devprovider

import (
	"testing"
	"time"
)

func decodeJWT(t *testing.T, tok string) (header, claims map[string]any) {
	t.Helper()
	return rawHeader(t, tok), rawClaims(t, tok)
}

func TestMintTokenMakesRFC9068AccessTokens(t *testing.T) {
	p := startProvider(t, nil)
	tok, err := p.MintToken(Mint{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	h, c := decodeJWT(t, tok)
	if h["typ"] != "at+jwt" || h["alg"] != "RS256" || h["kid"] == nil {
		t.Errorf("header %v", h)
	}
	for _, k := range []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti", "scope", "email"} {
		if c[k] == nil {
			t.Errorf("claim %s missing: %v", k, c)
		}
	}
	if c["iss"] != p.Issuer() || c["aud"] != testClientID || c["sub"] != "alice" {
		t.Errorf("claims %v", c)
	}
	if exp := int64(c["exp"].(float64)); exp < time.Now().Add(50*time.Minute).Unix() {
		t.Errorf("exp %d is not an hour away", exp)
	}

	id, err := p.MintToken(Mint{User: "alice", Type: IDTokenType, Audience: []string{testClientID, "api"}, TTL: -time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	h, c = decodeJWT(t, id)
	if h["typ"] != "JWT" || c["client_id"] != nil || len(c["aud"].([]any)) != 2 {
		t.Errorf("ID token header %v claims %v", h, c)
	}
	if exp := int64(c["exp"].(float64)); exp > time.Now().Unix() {
		t.Error("a negative TTL did not make an expired token")
	}
	if _, err := p.MintToken(Mint{User: "nobody"}); err == nil {
		t.Error("an unknown user got a token")
	}
	if _, err := p.MintToken(Mint{User: "alice", Type: "logout+jwt"}); err == nil {
		t.Error("an unknown type was minted")
	}
}
