package oidcauth

import (
	"context"
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
	rf.do(context.Background(), "token-1", start, refresh)
	rf.do(context.Background(), "token-1", start.Add(refreshGrace/2), refresh)
	if calls != 1 {
		t.Fatalf("%d refreshes within the grace, want 1", calls)
	}
	// After the grace the spent token is refreshed again (and the provider,
	// which rotated it, refuses it): an old cookie is not renewed forever.
	rf.do(context.Background(), "token-1", time.Now().Add(refreshGrace+time.Second), refresh)
	if calls != 2 {
		t.Errorf("%d refreshes after the grace, want 2", calls)
	}
}

// A refresh that panics leaves nothing behind: the next request with the
// same refresh token refreshes instead of waiting forever.
func TestRefresherRecoversFromAPanickingRefresh(t *testing.T) {
	rf := newRefresher()
	now := time.Now()
	func() {
		defer func() { _ = recover() }()
		_, err := rf.do(context.Background(), "token-1", now, func() (*cookie.Session, error) { panic("boom") })
		if err == nil {
			t.Error("a panicking refresh reported success")
		}
	}()
	done := make(chan *cookie.Session, 1)
	go func() {
		sess, _ := rf.do(context.Background(), "token-1", now, func() (*cookie.Session, error) {
			return &cookie.Session{Subject: "alice"}, nil
		})
		done <- sess
	}()
	select {
	case sess := <-done:
		if sess == nil || sess.Subject != "alice" {
			t.Errorf("the refresh after the panic gave %+v", sess)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the refresh after a panicking one never completed")
	}
}
