package revocation

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

// session is what a check reads of a signed-in user's session.
type session struct {
	Provider, Subject, SID string
	Created                time.Time
}

func testSession(provider, sub, sid string, created time.Time) *session {
	return &session{Provider: provider, Subject: sub, SID: sid, Created: created.Truncate(time.Second)}
}

// checkAt is a request's check at now with the refresher's clock at now
// too: the storage is read first if the last read is RefreshEvery old, as
// the refresher would by then.
func checkAt(rv *Store, issuer string, sess *session, now time.Time) bool {
	rv.poll(context.Background(), now)
	return rv.IsRevoked(issuer, sess.SID, sess.Subject, sess.Created)
}

func TestRevokedSIDEndsThatSessionOnEveryInstance(t *testing.T) {
	dir := t.TempDir()
	a := New(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	b := New(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	now := time.Now()
	target := testSession("default", "alice", "sid-1", now.Add(-time.Minute))
	other := testSession("default", "alice", "sid-2", now.Add(-time.Minute))
	elsewhere := testSession("other", "alice", "sid-1", now.Add(-time.Minute))
	if checkAt(b, target.Provider, target, now) {
		t.Fatal("revoked before any sign-out")
	}
	if err := a.Revoke(context.Background(), "default", BySID, "sid-1", now); err != nil {
		t.Fatal(err)
	}
	if !checkAt(a, target.Provider, target, now) {
		t.Error("the instance that recorded the sign-out still admits the session")
	}
	if checkAt(b, target.Provider, target, now) {
		t.Error("the other instance checked the storage before its interval")
	}
	later := now.Add(RefreshEvery)
	if !checkAt(b, target.Provider, target, later) {
		t.Error("the other instance admits the session after its refresh interval")
	}
	if checkAt(a, other.Provider, other, later) || checkAt(b, other.Provider, other, later) {
		t.Error("another session of the same user was signed out by a sid")
	}
	if checkAt(a, elsewhere.Provider, elsewhere, later) || checkAt(b, elsewhere.Provider, elsewhere, later) {
		t.Error("the same sid at another provider was signed out")
	}
}

func TestRevokedSubEndsSessionsStartedUpToTheCutOff(t *testing.T) {
	dir := t.TempDir()
	a := New(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	b := New(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	cut := time.Now().Truncate(time.Second)
	if err := a.Revoke(context.Background(), "default", BySub, "alice", cut); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sess *session
		want bool
	}{
		{testSession("default", "alice", "", cut.Add(-time.Hour)), true},
		{testSession("default", "alice", "x", cut), true}, // same second: the sign-out wins
		{testSession("default", "alice", "", cut.Add(time.Second)), false},
		{testSession("default", "bob", "", cut.Add(-time.Hour)), false},
		{testSession("other", "alice", "", cut.Add(-time.Hour)), false},
	} {
		for name, rv := range map[string]*Store{"recording": a, "other": b} {
			if got := checkAt(rv, c.sess.Provider, c.sess, cut.Add(time.Second)); got != c.want {
				t.Errorf("%s instance: %s at %s created %v: revoked=%v, want %v", name, c.sess.Provider, c.sess.Subject, c.sess.Created, got, c.want)
			}
		}
	}
	// A later sign-out of the same user moves the cut-off forward.
	if err := b.Revoke(context.Background(), "default", BySub, "alice", cut.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !checkAt(a, "default", testSession("default", "alice", "", cut.Add(time.Minute)), cut.Add(time.Minute+RefreshEvery)) {
		t.Error("a later sub sign-out did not replace the earlier cut-off")
	}
}

func TestIdleRefreshDoesNotListTheStorage(t *testing.T) {
	dir := t.TempDir()
	st := &countingStorage{Storage: &certmagic.FileStorage{Path: dir}}
	rv := New(st, time.Hour, zap.NewNop())
	writer := New(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	sess := testSession("default", "alice", "sid-1", time.Now().Add(-time.Minute))
	now := time.Now()
	checkAt(rv, sess.Provider, sess, now)
	if n := st.lists.Load(); n != 1 {
		t.Fatalf("first check listed the storage %d times, want 1", n)
	}
	for i := 1; i <= 5; i++ {
		checkAt(rv, sess.Provider, sess, now.Add(time.Duration(i)*RefreshEvery))
	}
	if n := st.lists.Load(); n != 1 {
		t.Errorf("idle refreshes listed the storage: %d listings, want 1", n)
	}
	now = now.Add(6 * RefreshEvery)
	if err := writer.Revoke(context.Background(), "default", BySID, "sid-1", now); err != nil {
		t.Fatal(err)
	}
	if !checkAt(rv, sess.Provider, sess, now.Add(RefreshEvery)) || st.lists.Load() != 2 {
		t.Errorf("after a sign-out elsewhere: %d listings, want 2, and the session revoked", st.lists.Load())
	}
}

func TestExpiredRevocationsAreDeleted(t *testing.T) {
	dir := t.TempDir()
	maxAge := time.Hour
	rv := New(&certmagic.FileStorage{Path: dir}, maxAge, zap.NewNop())
	now := time.Now()
	old := now.Add(-maxAge - keepPastMaxAge - time.Minute)
	if err := rv.Revoke(context.Background(), "default", BySID, "old-sid", old); err != nil {
		t.Fatal(err)
	}
	if err := rv.Revoke(context.Background(), "default", BySID, "new-sid", now); err != nil {
		t.Fatal(err)
	}
	fresh := New(&certmagic.FileStorage{Path: dir}, maxAge, zap.NewNop())
	if checkAt(fresh, "default", testSession("default", "a", "old-sid", old.Add(-time.Minute)), now) {
		t.Error("a revocation older than cookie_max_age still counts")
	}
	if !checkAt(fresh, "default", testSession("default", "a", "new-sid", now), now) {
		t.Error("a recent revocation was lost")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "oidc_auth", "revoked", "default", "sid", "*"))
	if len(files) != 1 {
		t.Errorf("storage holds %d sid entries after the refresh, want 1 (the expired one deleted): %v", len(files), files)
	}
}

func TestStorageFailureKeepsTheLastList(t *testing.T) {
	dir := t.TempDir()
	rv := New(&certmagic.FileStorage{Path: dir}, time.Hour, zap.NewNop())
	now := time.Now()
	if err := rv.Revoke(context.Background(), "default", BySID, "sid-1", now); err != nil {
		t.Fatal(err)
	}
	sess := testSession("default", "a", "sid-1", now)
	if !checkAt(rv, sess.Provider, sess, now) {
		t.Fatal("not revoked")
	}
	// The storage folder becomes a file: every read fails.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if !checkAt(rv, sess.Provider, sess, now.Add(time.Hour)) {
		t.Error("a storage failure forgot the revocations known so far")
	}
}

func TestParseRevokedKey(t *testing.T) {
	h := hashID("sid-1")
	at := time.Unix(1700000000, 0)
	key := revokedKey("google", BySID, h, at)
	p, kind, gotH, gotAt, ok := parseRevokedKey(key)
	if !ok || p != "google" || kind != BySID || gotH != h || !gotAt.Equal(at) {
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
	empty := New(&certmagic.FileStorage{Path: t.TempDir()}, time.Hour, zap.NewNop())
	busy := New(&certmagic.FileStorage{Path: t.TempDir()}, time.Hour, zap.NewNop())
	for i := 0; i < 100; i++ {
		_ = busy.Revoke(context.Background(), "default", BySID, fmt.Sprint("sid-", i), now)
		_ = busy.Revoke(context.Background(), "default", BySub, fmt.Sprint("user-", i), now)
	}
	sess := testSession("default", "alice-with-a-rather-long-subject-identifier-0123456789", "a-session-id-0123456789abcdef", now)
	for name, rv := range map[string]*Store{"nothing revoked": empty, "200 revoked": busy} {
		checkAt(rv, sess.Provider, sess, now) // the first check reads the storage
		if n := testing.AllocsPerRun(100, func() { rv.IsRevoked(sess.Provider, sess.SID, sess.Subject, sess.Created) }); n != 0 {
			t.Errorf("%s: %v allocations per check, want 0", name, n)
		}
	}
}

// BenchmarkRevocationCheck is the cost every request pays: with nothing
// revoked, and with many revocations at the session's provider. The
// storage is read by the refresher, never by the check.
func BenchmarkRevocationCheck(b *testing.B) {
	for _, n := range []int{0, 10000} {
		b.Run(fmt.Sprintf("revoked=%d", n), func(b *testing.B) {
			rv := New(&certmagic.FileStorage{Path: b.TempDir()}, time.Hour, zap.NewNop())
			now := time.Now()
			// Built in memory (10000 files would measure the disk).
			pr := newProviderRevocations()
			for i := 0; i < n; i++ {
				kind := BySID
				if i%2 == 1 {
					kind = BySub
				}
				pr.add(kind, hashID(fmt.Sprint("id-", i)), now)
			}
			rv.snap.Store(&snapshot{providers: map[string]*providerRevocations{"default": pr}})
			rv.listedAt = now
			sess := testSession("default", "alice-0123456789", "session-0123456789abcdef", now)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if rv.IsRevoked(sess.Provider, sess.SID, sess.Subject, sess.Created) {
					b.Fatal("revoked")
				}
			}
		})
	}
}
