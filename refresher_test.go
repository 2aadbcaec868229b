package oidcauth

import (
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
)

func TestRefresherSharesAnOutcomeOnlyWithinItsGrace(t *testing.T) {
	rf := newRefresher()
	calls := 0
	refresh := func() (*cookie.Session, error) {
		calls++
		return &cookie.Session{Subject: "alice"}, nil
	}
	start := time.Now()
	rf.do("token-1", start, refresh)
	rf.do("token-1", start.Add(refreshGrace/2), refresh)
	if calls != 1 {
		t.Fatalf("%d refreshes within the grace, want 1", calls)
	}
	// After the grace the spent token is refreshed again (and the provider,
	// which rotated it, refuses it): an old cookie is not renewed forever.
	rf.do("token-1", time.Now().Add(refreshGrace+time.Second), refresh)
	if calls != 2 {
		t.Errorf("%d refreshes after the grace, want 2", calls)
	}
}
