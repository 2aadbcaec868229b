package oidcauth

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Tests of what a session trusts from the provider, through real Caddy.

// A provider that rotates its signing key 0.2 s after the module fetched the
// keys still signs the next user in: the unknown kid waits for the next
// allowed key fetch (at most one per 5 s) instead of failing the sign-in.
func TestKeyRotationJustAfterAKeyFetchStillSignsIn(t *testing.T) {
	s := protectedSite(t, "")
	if status, body := newBrowser(t, "alice").get(s.url + "/"); status != http.StatusOK || !strings.Contains(body, "alice@example.com") {
		t.Fatalf("first sign-in: %d %.300s", status, body)
	}
	jwks := s.provider.Counts().JWKS
	time.Sleep(200 * time.Millisecond)
	s.provider.RotateKeys()
	if status, body := newBrowser(t, "carol").get(s.url + "/"); status != http.StatusOK || !strings.Contains(body, "carol@example.net") {
		t.Errorf("sign-in right after the key rotation: %d %.300s", status, body)
	}
	if got := s.provider.Counts().JWKS - jwks; got != 1 {
		t.Errorf("JWKS fetched %d times after the rotation, want 1", got)
	}
}
