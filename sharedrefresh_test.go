package oidcauth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/flow"
)

// instance is what one Caddy of a site has for refreshes: its own jar (the
// site's secret and scope), its own refresher, the shared storage.
type instance struct {
	local  *refresher
	shared *sharedRefreshes
	logs   *observer.ObservedLogs
}

func newInstance(t *testing.T, storage certmagic.Storage) *instance {
	t.Helper()
	codec, err := cookie.NewCodec("a cookie secret shared by both instances")
	if err != nil {
		t.Fatal(err)
	}
	jar := cookie.NewJar(cookie.JarConfig{
		Codec: codec, Name: "oidc_auth", Scope: "https://app.example.com",
		Clients: map[string]cookie.Client{"default": {Issuer: "https://idp.example.com", ClientID: "app"}},
	})
	core, logs := observer.New(zap.DebugLevel)
	return &instance{local: newRefresher(), shared: newSharedRefreshes(storage, jar, zap.New(core), context.Background()), logs: logs}
}

// refreshOn runs a refresh of sess on in, as maybeRefresh does.
func (in *instance) refreshOn(ctx context.Context, sess *cookie.Session, fn func() (*cookie.Session, error)) (*cookie.Session, error) {
	return in.local.do(ctx, sess.RefreshToken, time.Now(), func() (*cookie.Session, error) {
		return in.shared.do(ctx, sess, fn)
	})
}

func oldSession() *cookie.Session {
	return &cookie.Session{Provider: "default", Subject: "alice", RefreshToken: "refresh-token-one", AccessToken: "access-token-one", Created: time.Now().Truncate(time.Second)}
}

// rotatingProvider refreshes once per refresh token, as Okta, Auth0 and
// Keycloak do with rotation on: a second use is refused.
type rotatingProvider struct {
	mu    sync.Mutex
	spent map[string]bool
	calls atomic.Int32
}

func (p *rotatingProvider) refresh(sess *cookie.Session) func() (*cookie.Session, error) {
	return func() (*cookie.Session, error) {
		p.calls.Add(1)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.spent == nil {
			p.spent = map[string]bool{}
		}
		if p.spent[sess.RefreshToken] {
			return nil, flow.ErrRefreshRefused
		}
		p.spent[sess.RefreshToken] = true
		fresh := *sess
		fresh.RefreshToken, fresh.AccessToken = "refresh-token-two", "access-token-two"
		return &fresh, nil
	}
}

func TestTwoInstancesOnOneStorageRefreshASessionOnce(t *testing.T) {
	dir := t.TempDir()
	storage := &certmagic.FileStorage{Path: dir}
	a, b := newInstance(t, storage), newInstance(t, storage)
	var p rotatingProvider
	sess := oldSession()

	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		in := a
		if i%2 == 1 {
			in = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fresh, err := in.refreshOn(context.Background(), sess, p.refresh(sess))
			if err == nil && (fresh == nil || fresh.RefreshToken != "refresh-token-two") {
				err = fmt.Errorf("got session %+v", fresh)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a request of the session: %v", err)
		}
	}
	if got := p.calls.Load(); got != 1 {
		t.Errorf("%d refreshes at the provider for one session on two instances, want 1", got)
	}
	// What the storage holds tells nothing of the tokens, in names or contents.
	_ = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		data := []byte{}
		if !info.IsDir() {
			data, _ = os.ReadFile(path)
		}
		for _, secret := range []string{"refresh-token-one", "refresh-token-two", "access-token-one", "access-token-two", "alice"} {
			if strings.Contains(path, secret) || strings.Contains(string(data), secret) {
				t.Errorf("storage file %s shows %q", path, secret)
			}
		}
		return nil
	})
}

func TestRefusedRefreshIsSharedSoTheOtherInstanceSignsOut(t *testing.T) {
	storage := &certmagic.FileStorage{Path: t.TempDir()}
	a, b := newInstance(t, storage), newInstance(t, storage)
	sess := oldSession()
	if _, err := a.refreshOn(context.Background(), sess, func() (*cookie.Session, error) { return nil, flow.ErrRefreshRefused }); !errors.Is(err, flow.ErrRefreshRefused) {
		t.Fatalf("first instance: %v", err)
	}
	_, err := b.refreshOn(context.Background(), sess, func() (*cookie.Session, error) {
		t.Error("the second instance tried the refused refresh token again")
		return nil, flow.ErrRefreshRefused
	})
	if !errors.Is(err, flow.ErrRefreshRefused) {
		t.Errorf("second instance: %v, want the refusal", err)
	}
}

// A provider that cannot be reached is not a refusal: nothing is kept, and
// the other instance tries again.
func TestUnreachableProviderIsNotShared(t *testing.T) {
	storage := &certmagic.FileStorage{Path: t.TempDir()}
	a, b := newInstance(t, storage), newInstance(t, storage)
	sess := oldSession()
	down := errors.New("provider down")
	if _, err := a.refreshOn(context.Background(), sess, func() (*cookie.Session, error) { return nil, down }); !errors.Is(err, down) {
		t.Fatalf("first instance: %v", err)
	}
	var p rotatingProvider
	if fresh, err := b.refreshOn(context.Background(), sess, p.refresh(sess)); err != nil || fresh == nil {
		t.Errorf("second instance: %v", err)
	}
}

// An outcome kept for one refresh token does not answer for another, even
// when someone with write access to the storage copies it there.
func TestStoredOutcomeOpensOnlyForItsRefreshToken(t *testing.T) {
	dir := t.TempDir()
	storage := &certmagic.FileStorage{Path: dir}
	a, b := newInstance(t, storage), newInstance(t, storage)
	alice, mallory := oldSession(), oldSession()
	mallory.RefreshToken = "mallory-refresh-token"
	var p rotatingProvider
	if _, err := a.refreshOn(context.Background(), alice, p.refresh(alice)); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	from := refreshKey(refreshBucket(now), refreshID(alice.RefreshToken))
	data, err := storage.Load(context.Background(), from)
	if err != nil {
		t.Fatal(err)
	}
	if err := storage.Store(context.Background(), refreshKey(refreshBucket(now), refreshID(mallory.RefreshToken)), data); err != nil {
		t.Fatal(err)
	}
	fresh, err := b.refreshOn(context.Background(), mallory, p.refresh(mallory))
	if err != nil || fresh.RefreshToken == "refresh-token-two" && p.calls.Load() != 2 {
		t.Errorf("a copied outcome answered for another refresh token: %+v, %v", fresh, err)
	}
	if p.calls.Load() != 2 {
		t.Errorf("%d refreshes, want 2 (the copy ignored)", p.calls.Load())
	}
}

// failingStorage answers every call with an error, or (hang) only when the
// caller gives up.
type failingStorage struct {
	hang  bool
	calls atomic.Int32
}

var errStorageDown = errors.New("storage down")

func (s *failingStorage) fail(ctx context.Context) error {
	s.calls.Add(1)
	if s.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	return errStorageDown
}
func (s *failingStorage) Lock(ctx context.Context, _ string) error   { return s.fail(ctx) }
func (s *failingStorage) Unlock(ctx context.Context, _ string) error { return s.fail(ctx) }
func (s *failingStorage) Store(ctx context.Context, _ string, _ []byte) error {
	return s.fail(ctx)
}
func (s *failingStorage) Load(ctx context.Context, _ string) ([]byte, error) {
	return nil, s.fail(ctx)
}
func (s *failingStorage) Delete(ctx context.Context, _ string) error { return s.fail(ctx) }
func (s *failingStorage) Exists(ctx context.Context, _ string) bool  { return s.fail(ctx) == nil }
func (s *failingStorage) List(ctx context.Context, _ string, _ bool) ([]string, error) {
	return nil, s.fail(ctx)
}
func (s *failingStorage) Stat(ctx context.Context, _ string) (certmagic.KeyInfo, error) {
	return certmagic.KeyInfo{}, s.fail(ctx)
}

// With the storage down or hanging, signed-in users keep working: the
// refresh runs in this process, the log says so without a token, and the
// next refreshes skip the storage for a while instead of waiting on it.
func TestStorageDownOrHangingFallsBackToTheLocalRefresh(t *testing.T) {
	for _, hang := range []bool{false, true} {
		t.Run(fmt.Sprintf("hang=%v", hang), func(t *testing.T) {
			storage := &failingStorage{hang: hang}
			in := newInstance(t, storage)
			in.shared.timeout = 20 * time.Millisecond // the wait a hanging storage costs
			var p rotatingProvider
			sess := oldSession()
			fresh, err := in.refreshOn(context.Background(), sess, p.refresh(sess))
			if err != nil || fresh == nil || fresh.RefreshToken != "refresh-token-two" {
				t.Fatalf("refresh with the storage down: %+v, %v", fresh, err)
			}
			warned := in.logs.FilterMessageSnippet("refreshing sessions in this process only").All()
			if len(warned) != 1 {
				t.Fatalf("want one warning that refreshes are local, got %v", in.logs.All())
			}
			for _, e := range in.logs.All() {
				line := fmt.Sprint(e.Message, e.ContextMap())
				for _, secret := range []string{"refresh-token-one", "refresh-token-two", "access-token"} {
					if strings.Contains(line, secret) {
						t.Errorf("the log shows %q: %s", secret, line)
					}
				}
			}
			calls := storage.calls.Load()
			other := oldSession()
			other.RefreshToken = "another-session"
			if _, err := in.refreshOn(context.Background(), other, p.refresh(other)); err != nil {
				t.Fatal(err)
			}
			if storage.calls.Load() != calls {
				t.Errorf("the next refresh waited on the storage again (%d calls, then %d)", calls, storage.calls.Load())
			}
		})
	}
}

// A request that goes away while another instance refreshes gets an error
// that is not remembered: the next request of the session tries again.
func TestAbandonedWaitIsNotRemembered(t *testing.T) {
	in := newInstance(t, &failingStorage{hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sess := oldSession()
	var p rotatingProvider
	if _, err := in.refreshOn(ctx, sess, p.refresh(sess)); err == nil {
		t.Fatal("an ended request got an outcome")
	}
	if p.calls.Load() != 0 {
		t.Error("an ended request refreshed")
	}
	in.shared = nil // the storage is gone now: a local refresh
	if fresh, err := in.refreshOn(context.Background(), sess, p.refresh(sess)); err != nil || fresh == nil {
		t.Errorf("the next request: %v (the abandoned outcome was remembered)", err)
	}
}

// Old minutes are deleted, a few at a time and at most once a grace window;
// the current and the last minute are kept.
func TestSweepDeletesMinutesPastTheGraceWindow(t *testing.T) {
	storage := &certmagic.FileStorage{Path: t.TempDir()}
	in := newInstance(t, storage)
	ctx := context.Background()
	now := time.Now()
	cur := refreshBucket(now)
	for _, b := range []int64{cur - 30, cur - 2, cur - 1, cur} {
		if err := storage.Store(ctx, refreshKey(b, "x"), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	in.shared.sweep(ctx, now)
	for b, want := range map[int64]bool{cur - 30: false, cur - 2: false, cur - 1: true, cur: true} {
		if got := storage.Exists(ctx, refreshKey(b, "x")); got != want {
			t.Errorf("minute %d: exists %v, want %v", cur-b, got, want)
		}
	}
	if err := storage.Store(ctx, refreshKey(cur-5, "x"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	in.shared.sweep(ctx, now.Add(time.Second))
	if !storage.Exists(ctx, refreshKey(cur-5, "x")) {
		t.Error("a second sweep within the grace window did work")
	}
}
