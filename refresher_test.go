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

// A request that ends while the refresh for its token runs is released at
// once; the refresh goes on, and its outcome serves the next request.
func TestRefresherReleasesARequestThatEnds(t *testing.T) {
	rf := newRefresher()
	now := time.Now()
	started, release := make(chan struct{}), make(chan struct{})
	first := make(chan *cookie.Session, 1)
	go func() {
		sess, _ := rf.do(context.Background(), "token-1", now, func() (*cookie.Session, error) {
			close(started)
			<-release
			return &cookie.Session{Subject: "alice"}, nil
		})
		first <- sess
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := rf.do(ctx, "token-1", now, func() (*cookie.Session, error) {
		t.Error("a second refresh ran for the same token")
		return nil, nil
	}); err == nil {
		t.Error("a request that ended got an outcome before the refresh finished")
	}
	close(release)
	if sess := <-first; sess == nil || sess.Subject != "alice" {
		t.Fatalf("the first request got %+v", sess)
	}
	sess, err := rf.do(context.Background(), "token-1", now, func() (*cookie.Session, error) {
		t.Error("refreshed again within the grace")
		return nil, nil
	})
	if err != nil || sess == nil || sess.Subject != "alice" {
		t.Errorf("within the grace: %+v, %v", sess, err)
	}
}
