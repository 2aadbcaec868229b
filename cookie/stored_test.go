package cookie

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A value kept in shared storage opens only under its own label, on its own
// site, until its expiry, and tells nothing of the tokens it holds.
func TestStoredSessionOpensOnlyUnderItsLabelAndSite(t *testing.T) {
	now := time.Now()
	j := NewJar(siteA(t))
	s := &Session{Provider: "default", Subject: "alice", RefreshToken: "refresh-token-secret", AccessToken: "access-token-secret", IDToken: "id-token-secret"}
	v, err := j.SealStored("refresh/abc", s, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"refresh-token-secret", "access-token-secret", "id-token-secret", "alice"} {
		if strings.Contains(v, secret) {
			t.Fatalf("the stored value shows %q", secret)
		}
	}
	got, err := j.OpenStored("refresh/abc", v, now)
	if err != nil || got == nil || got.RefreshToken != s.RefreshToken || got.Subject != "alice" {
		t.Fatalf("OpenStored = %+v, %v", got, err)
	}
	if _, err := j.OpenStored("refresh/other", v, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("under another label: %v, want ErrInvalid", err)
	}
	if _, err := j.OpenStored("refresh/abc", v, now.Add(2*time.Minute)); !errors.Is(err, ErrExpired) {
		t.Errorf("after its expiry: %v, want ErrExpired", err)
	}
	// The same secret, another site (scope) or another client: not here.
	other := siteA(t)
	other.Scope = "http://127.0.0.1:8002"
	if _, err := NewJar(other).OpenStored("refresh/abc", v, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("on another site: %v, want ErrInvalid", err)
	}
	client := siteA(t)
	client.Clients = map[string]Client{"default": {Issuer: "http://127.0.0.1:5556", ClientID: "site-b"}}
	if _, err := NewJar(client).OpenStored("refresh/abc", v, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("for another client_id: %v, want ErrInvalid", err)
	}
	// Neither a session cookie nor a login state opens as a stored value.
	cookieValue := strings.TrimPrefix(sealAt(t, j, s), "oidc_auth=")
	if _, err := j.OpenStored("refresh/abc", cookieValue, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("a session cookie as a stored value: %v, want ErrInvalid", err)
	}
}

func TestStoredNoSession(t *testing.T) {
	now := time.Now()
	j := NewJar(siteA(t))
	v, err := j.SealStored("k", nil, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := j.OpenStored("k", v, now); s != nil || err != nil {
		t.Fatalf("OpenStored of no session = %v, %v", s, err)
	}
	if _, err := j.SealStored("k", &Session{Provider: "nobody"}, now.Add(time.Minute)); !errors.Is(err, ErrUnknownClient) {
		t.Errorf("a provider without client: %v, want ErrUnknownClient", err)
	}
	if _, err := j.OpenStored("k", "garbage", now); !errors.Is(err, ErrInvalid) {
		t.Errorf("garbage: %v, want ErrInvalid", err)
	}
}
