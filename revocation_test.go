package oidcauth

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
)

// countingStorage counts the storage listings, the costly operation a
// refresh must avoid while nothing changes.
type countingStorage struct {
	certmagic.Storage
	lists atomic.Int32
}

func (s *countingStorage) List(ctx context.Context, prefix string, recursive bool) ([]string, error) {
	s.lists.Add(1)
	return s.Storage.List(ctx, prefix, recursive)
}

func testSession(provider, sub, sid string, created time.Time) *cookie.Session {
	return &cookie.Session{Provider: provider, Subject: sub, SID: sid, Created: created.Truncate(time.Second)}
}

func TestRevokedSIDEndsThatSessionOnEveryInstance(t *testing.T) {
	dir := t.TempDir()
	a := newRevocations(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	b := newRevocations(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	now := time.Now()
	target := testSession("default", "alice", "sid-1", now.Add(-time.Minute))
	other := testSession("default", "alice", "sid-2", now.Add(-time.Minute))
	elsewhere := testSession("other", "alice", "sid-1", now.Add(-time.Minute))
	if b.isRevoked(target.Provider, target, now) {
		t.Fatal("revoked before any sign-out")
	}
	if err := a.revoke(context.Background(), "default", revokeBySID, "sid-1", now); err != nil {
		t.Fatal(err)
	}
	if !a.isRevoked(target.Provider, target, now) {
		t.Error("the instance that recorded the sign-out still admits the session")
	}
	if b.isRevoked(target.Provider, target, now) {
		t.Error("the other instance checked the storage before its interval")
	}
	later := now.Add(revocationRefreshEvery)
	if !b.isRevoked(target.Provider, target, later) {
		t.Error("the other instance admits the session after its refresh interval")
	}
	if a.isRevoked(other.Provider, other, later) || b.isRevoked(other.Provider, other, later) {
		t.Error("another session of the same user was signed out by a sid")
	}
	if a.isRevoked(elsewhere.Provider, elsewhere, later) || b.isRevoked(elsewhere.Provider, elsewhere, later) {
		t.Error("the same sid at another provider was signed out")
	}
}

func TestRevokedSubEndsSessionsStartedUpToTheCutOff(t *testing.T) {
	dir := t.TempDir()
	a := newRevocations(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	b := newRevocations(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	cut := time.Now().Truncate(time.Second)
	if err := a.revoke(context.Background(), "default", revokeBySub, "alice", cut); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sess *cookie.Session
		want bool
	}{
		{testSession("default", "alice", "", cut.Add(-time.Hour)), true},
		{testSession("default", "alice", "x", cut), true}, // same second: the sign-out wins
		{testSession("default", "alice", "", cut.Add(time.Second)), false},
		{testSession("default", "bob", "", cut.Add(-time.Hour)), false},
		{testSession("other", "alice", "", cut.Add(-time.Hour)), false},
	} {
		for name, rv := range map[string]*revocations{"recording": a, "other": b} {
			if got := rv.isRevoked(c.sess.Provider, c.sess, cut.Add(time.Second)); got != c.want {
				t.Errorf("%s instance: %s at %s created %v: revoked=%v, want %v", name, c.sess.Provider, c.sess.Subject, c.sess.Created, got, c.want)
			}
		}
	}
	// A later sign-out of the same user moves the cut-off forward.
	if err := b.revoke(context.Background(), "default", revokeBySub, "alice", cut.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !a.isRevoked("default", testSession("default", "alice", "", cut.Add(time.Minute)), cut.Add(time.Minute+revocationRefreshEvery)) {
		t.Error("a later sub sign-out did not replace the earlier cut-off")
	}
}

func TestIdleRefreshDoesNotListTheStorage(t *testing.T) {
	dir := t.TempDir()
	st := &countingStorage{Storage: &certmagic.FileStorage{Path: dir}}
	rv := newRevocations(st, time.Hour, zap.NewNop())
	writer := newRevocations(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	sess := testSession("default", "alice", "sid-1", time.Now().Add(-time.Minute))
	now := time.Now()
	rv.isRevoked(sess.Provider, sess, now)
	if n := st.lists.Load(); n != 1 {
		t.Fatalf("first check listed the storage %d times, want 1", n)
	}
	for i := 1; i <= 5; i++ {
		rv.isRevoked(sess.Provider, sess, now.Add(time.Duration(i)*revocationRefreshEvery))
	}
	if n := st.lists.Load(); n != 1 {
		t.Errorf("idle refreshes listed the storage: %d listings, want 1", n)
	}
	now = now.Add(6 * revocationRefreshEvery)
	if err := writer.revoke(context.Background(), "default", revokeBySID, "sid-1", now); err != nil {
		t.Fatal(err)
	}
	if !rv.isRevoked(sess.Provider, sess, now.Add(revocationRefreshEvery)) || st.lists.Load() != 2 {
		t.Errorf("after a sign-out elsewhere: %d listings, want 2, and the session revoked", st.lists.Load())
	}
}

func TestExpiredRevocationsAreDeleted(t *testing.T) {
	dir := t.TempDir()
	maxAge := time.Hour
	rv := newRevocations(&certmagic.FileStorage{Path: dir}, maxAge, zap.NewNop())
	now := time.Now()
	old := now.Add(-maxAge - revocationKeep - time.Minute)
	if err := rv.revoke(context.Background(), "default", revokeBySID, "old-sid", old); err != nil {
		t.Fatal(err)
	}
	if err := rv.revoke(context.Background(), "default", revokeBySID, "new-sid", now); err != nil {
		t.Fatal(err)
	}
	fresh := newRevocations(&certmagic.FileStorage{Path: dir}, maxAge, zap.NewNop())
	if fresh.isRevoked("default", testSession("default", "a", "old-sid", old.Add(-time.Minute)), now) {
		t.Error("a revocation older than cookie_max_age still counts")
	}
	if !fresh.isRevoked("default", testSession("default", "a", "new-sid", now), now) {
		t.Error("a recent revocation was lost")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "oidc_auth", "revoked", "default", "sid", "*"))
	if len(files) != 1 {
		t.Errorf("storage holds %d sid entries after the refresh, want 1 (the expired one deleted): %v", len(files), files)
	}
}

func TestStorageFailureKeepsTheLastList(t *testing.T) {
	dir := t.TempDir()
	rv := newRevocations(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	now := time.Now()
	if err := rv.revoke(context.Background(), "default", revokeBySID, "sid-1", now); err != nil {
		t.Fatal(err)
	}
	sess := testSession("default", "a", "sid-1", now)
	if !rv.isRevoked(sess.Provider, sess, now) {
		t.Fatal("not revoked")
	}
	// The storage folder becomes a file: every read fails.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !rv.isRevoked(sess.Provider, sess, now.Add(time.Hour)) {
		t.Error("a storage failure forgot the revocations known so far")
	}
}

func TestParseRevokedKey(t *testing.T) {
	h := hashID("sid-1")
	at := time.Unix(1700000000, 0)
	key := revokedKey("google", revokeBySID, h, at)
	p, kind, gotH, gotAt, ok := parseRevokedKey(key)
	if !ok || p != "google" || kind != revokeBySID || gotH != h || !gotAt.Equal(at) {
		t.Errorf("round trip of %q: %q %q %v %v", key, p, kind, gotAt, ok)
	}
	for _, bad := range []string{
		"oidc_auth/revoked/google",
		"oidc_auth/revoked/google/sid",
		"oidc_auth/revoked/google/xyz/" + fmt.Sprintf("%064x", 1) + ".1",
		"oidc_auth/revoked/google/sid/abc.1",
		"oidc_auth/revoked/google/sid/" + fmt.Sprintf("%064x", 1),
		"oidc_auth/revoked/google/sid/" + fmt.Sprintf("%064x", 1) + ".tmp123",
		"oidc_auth/revoked/google/sid/" + fmt.Sprintf("%063xg", 1) + ".1",
		"other/revoked/google/sid/" + fmt.Sprintf("%064x", 1) + ".1",
	} {
		if _, _, _, _, ok := parseRevokedKey(bad); ok {
			t.Errorf("parsed %q", bad)
		}
	}
}

func TestRevocationCheckDoesNotAllocate(t *testing.T) {
	now := time.Now()
	empty := newRevocations(&certmagic.FileStorage{Path: t.TempDir()}, time.Hour, zap.NewNop())
	busy := newRevocations(&certmagic.FileStorage{Path: t.TempDir()}, time.Hour, zap.NewNop())
	for i := 0; i < 100; i++ {
		_ = busy.revoke(context.Background(), "default", revokeBySID, fmt.Sprint("sid-", i), now)
		_ = busy.revoke(context.Background(), "default", revokeBySub, fmt.Sprint("user-", i), now)
	}
	sess := testSession("default", "alice-with-a-rather-long-subject-identifier-0123456789", "a-session-id-0123456789abcdef", now)
	for name, rv := range map[string]*revocations{"nothing revoked": empty, "200 revoked": busy} {
		rv.isRevoked(sess.Provider, sess, now) // the first check reads the storage
		if n := testing.AllocsPerRun(100, func() { rv.isRevoked(sess.Provider, sess, now) }); n != 0 {
			t.Errorf("%s: %v allocations per check, want 0", name, n)
		}
	}
}

// BenchmarkRevocationCheck is the cost every request pays: with nothing
// revoked, and with many revocations at the session's provider. The clock
// runs, so the storage check every 2 s is included.
func BenchmarkRevocationCheck(b *testing.B) {
	for _, n := range []int{0, 10000} {
		b.Run(fmt.Sprintf("revoked=%d", n), func(b *testing.B) {
			rv := newRevocations(&certmagic.FileStorage{Path: b.TempDir()}, time.Hour, zap.NewNop())
			now := time.Now()
			// Built in memory (10000 files would measure the disk); the
			// storage holds nothing new, so each check every 2 s reads the
			// change marker and keeps this snapshot, as an idle server does.
			pr := &providerRevocations{sids: map[[32]byte]time.Time{}, subs: map[[32]byte]time.Time{}}
			for i := 0; i < n; i++ {
				kind := revokeBySID
				if i%2 == 1 {
					kind = revokeBySub
				}
				pr.add(kind, hashID(fmt.Sprint("id-", i)), now)
			}
			rv.snap.Store(&revokedSnapshot{providers: map[string]*providerRevocations{"default": pr}})
			rv.listedAt = now
			sess := testSession("default", "alice-0123456789", "session-0123456789abcdef", now)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if rv.isRevoked(sess.Provider, sess, time.Now()) {
					b.Fatal("revoked")
				}
			}
		})
	}
}
