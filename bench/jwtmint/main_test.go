package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// The tokens are checked with an independent JWT library: what matters is
// that a verifier holding the shared key accepts them, and only it.
func TestMintedTokensVerifyWithTheSharedKeyOnly(t *testing.T) {
	// go-jose wants an HS512 key as long as the hash: 64 bytes.
	key := strings.Repeat("shared-key-", 6)[:64]
	var out bytes.Buffer
	now := time.Unix(1_700_000_000, 0)
	if err := mint(&out, []byte(key), 3, time.Hour, "access_token", now); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	subjects := map[string]bool{}
	for _, line := range lines {
		value, ok := strings.CutPrefix(line, "access_token=")
		if !ok {
			t.Fatalf("line %q is not an access_token cookie", line)
		}
		tok, err := jwt.ParseSigned(value, []jose.SignatureAlgorithm{jose.HS512})
		if err != nil {
			t.Fatal(err)
		}
		var c claims
		if err := tok.Claims([]byte(key), &c); err != nil {
			t.Fatalf("does not verify with the shared key: %v", err)
		}
		if err := tok.Claims([]byte(strings.ToUpper(key)), &c); err == nil {
			t.Fatal("verifies with another key")
		}
		if len(c.Roles) != 1 || c.Roles[0] != "authp/user" || c.ExpiresAt != now.Add(time.Hour).Unix() {
			t.Errorf("claims %+v: want role authp/user, exp an hour on", c)
		}
		subjects[c.Subject] = true
	}
	if len(subjects) != 3 {
		t.Errorf("subjects %v: want 3 distinct users", subjects)
	}
}

func TestMintWithoutKeyFails(t *testing.T) {
	if err := mint(&bytes.Buffer{}, nil, 1, time.Hour, "access_token", time.Now()); err == nil {
		t.Fatal("minted without a key")
	}
}
