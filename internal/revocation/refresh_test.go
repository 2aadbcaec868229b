package revocation

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"
)

// loadCounter counts every read of the storage, the work the refresher
// must stop doing once stopped.
type loadCounter struct {
	certmagic.Storage
	loads atomic.Int32
}

func (s *loadCounter) Load(ctx context.Context, key string) ([]byte, error) {
	s.loads.Add(1)
	return s.Storage.Load(ctx, key)
}

func TestStartReadsTheStorageBeforeItReturns(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	if err := New(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop()).Revoke(context.Background(), "default", BySID, "sid-1", now); err != nil {
		t.Fatal(err)
	}
	rv := New(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	rv.Start(context.Background())
	t.Cleanup(rv.Stop)
	if !rv.IsRevoked("default", "sid-1", "alice", now) {
		t.Error("the first check after Start admits a session signed out before it")
	}
}

// A sign-out recorded by another Caddy reaches this one within about
// RefreshEvery, with no request doing the work.
func TestRefresherBringsInASignOutFromAnotherCaddy(t *testing.T) {
	dir := t.TempDir()
	other := New(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	rv := New(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	rv.Start(context.Background())
	t.Cleanup(rv.Stop)
	start := time.Now()
	if err := other.Revoke(context.Background(), "default", BySID, "sid-1", start); err != nil {
		t.Fatal(err)
	}
	limit := RefreshEvery + time.Second
	for !rv.IsRevoked("default", "sid-1", "alice", start) {
		if time.Since(start) > limit {
			t.Fatalf("the sign-out elsewhere did not arrive within %v", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRefresherStopsAtStop(t *testing.T) {
	st := &loadCounter{Storage: &certmagic.FileStorage{Path: t.TempDir()}}
	rv := New(st, time.Hour, zap.NewNop())
	rv.Start(context.Background())
	rv.Stop()
	select {
	case <-rv.done:
	default:
		t.Fatal("Stop returned while the refresher still runs")
	}
	before := st.loads.Load()
	time.Sleep(RefreshEvery + 500*time.Millisecond)
	if n := st.loads.Load(); n != before {
		t.Errorf("the storage was read %d more times after Stop", n-before)
	}
	rv.Stop() // a second Stop, as a Cleanup after a failed Provision may do
}

func TestRefresherStopsWhenItsContextEnds(t *testing.T) {
	rv := New(&certmagic.FileStorage{Path: t.TempDir()}, time.Hour, zap.NewNop())
	ctx, cancel := context.WithCancel(context.Background())
	rv.Start(ctx)
	cancel()
	select {
	case <-rv.done:
	case <-time.After(time.Second):
		t.Fatal("the refresher outlived its context")
	}
	rv.Stop()
}

func TestStartWithoutStorageStartsNothing(t *testing.T) {
	rv := New(nil, time.Hour, zap.NewNop())
	rv.Start(context.Background())
	if rv.done != nil {
		t.Error("a refresher started with nothing to read")
	}
	rv.Stop()
	if err := rv.Revoke(context.Background(), "default", BySID, "sid-1", time.Now()); err != nil || !rv.IsRevoked("default", "sid-1", "alice", time.Now()) {
		t.Errorf("without storage a sign-out is kept in this process: %v", err)
	}
}
