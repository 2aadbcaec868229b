package flow

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// testClock is a clock the test moves by hand, so backoffs and rate limits
// are tested without sleeping.
type testClock struct {
	mu      sync.Mutex
	t       time.Time
	waiters []clockWaiter
}

type clockWaiter struct {
	at time.Time
	ch chan time.Time
}

func newClock() *testClock { return &testClock{t: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on and fires the After channels that are due.
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.t) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.t
	}
	c.waiters = kept
}

// After is time.After on this clock: it fires when Advance reaches it.
func (c *testClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.t
		return ch
	}
	c.waiters = append(c.waiters, clockWaiter{at: c.t.Add(d), ch: ch})
	return ch
}

// Waiting is how many After channels have not fired yet.
func (c *testClock) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

// joinCounter counts the callers that joined a shared call, per key.
type joinCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (j *joinCounter) hook(key string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.n == nil {
		j.n = map[string]int{}
	}
	j.n[key]++
}

func (j *joinCounter) count(key string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n[key]
}

// eventually polls cond, for a bounded while, and fails the test with what
// when it never holds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("never happened: %s", what)
}

const (
	testClientID     = "app"
	testClientSecret = "app-secret"
	testRedirect     = "http://127.0.0.1:9/oauth2callback"
)

// rig is a running devprovider and a flow.Provider pointed at it.
type rig struct {
	dev   *devprovider.Provider
	p     *Provider
	cfg   Config
	clock *testClock
	hook  *hookTransport
}

// hookTransport lets a test cut the link to one endpoint of the provider.
type hookTransport struct{ blocked atomic.Pointer[string] }

func (h *hookTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if p := h.blocked.Load(); p != nil && strings.HasSuffix(req.URL.Path, *p) {
		return nil, errors.New("connection refused (blocked by the test)")
	}
	return http.DefaultTransport.RoundTrip(req)
}

// blockJWKS makes the JWKS unreachable until the returned func runs.
func (r *rig) blockJWKS(t testing.TB) (unblock func()) {
	path := "/jwks"
	r.hook.blocked.Store(&path)
	return func() { r.hook.blocked.Store(nil) }
}

// newRig starts a devprovider that signs in login_hint users at once, and a
// Provider for it (asking for alice through client_kwargs). edit may change
// the Provider's config.
// startDev runs the development provider with the demo users, sign-in by
// login_hint and client, changed by edit when not nil, until the test ends.
func startDev(t testing.TB, client devprovider.Client, edit func(*devprovider.Config)) *devprovider.Provider {
	t.Helper()
	cfg := devprovider.Config{
		Users:          devprovider.DemoUsers(),
		Clients:        []devprovider.Client{client},
		TrustLoginHint: true,
	}
	if edit != nil {
		edit(&cfg)
	}
	dev, err := devprovider.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev
}

func newRig(t testing.TB, edit func(*Config)) *rig {
	t.Helper()
	dev := startDev(t, devprovider.Client{ID: testClientID, Secret: testClientSecret}, nil)
	clock := newClock()
	hook := &hookTransport{}
	cfg := Config{
		HTTPClient:   &http.Client{Timeout: 10 * time.Second, Transport: hook},
		Name:         "dev",
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
		MetadataURL:  dev.MetadataURL(),
		RedirectURL:  testRedirect,
		Params:       map[string]string{"login_hint": "alice"},
		Now:          clock.Now,
	}
	if edit != nil {
		edit(&cfg)
	}
	p, err := NewProvider(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.after = firesAtOnce // sign-in tests do not wait for key refetch slots
	return &rig{dev: dev, p: p, cfg: cfg, clock: clock, hook: hook}
}

// firesAtOnce is a time.After that does not wait.
func firesAtOnce(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- time.Now()
	return ch
}

// noRedirects is a browser that stops at the first redirect.
var noRedirects = &http.Client{
	Timeout:       5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// authorize visits the authorization URL for req and returns the callback
// query the provider redirected to.
func (r *rig) authorize(t testing.TB, req AuthRequest) url.Values {
	t.Helper()
	u, _, err := r.p.AuthCodeURL(context.Background(), req)
	if err != nil {
		t.Fatalf("AuthCodeURL: %v", err)
	}
	resp, err := noRedirects.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

// code runs the authorization step and returns the authorization code.
func (r *rig) code(t testing.TB, req AuthRequest) string {
	t.Helper()
	q := r.authorize(t, req)
	if q.Get("state") != req.State {
		t.Fatalf("state came back as %q", q.Get("state"))
	}
	if q.Get("code") == "" {
		t.Fatalf("no code in callback %v", q)
	}
	return q.Get("code")
}

// signIn runs a whole sign-in.
func (r *rig) signIn(t testing.TB) (*Identity, error) {
	t.Helper()
	req := NewAuthRequest()
	return r.p.Exchange(context.Background(), r.code(t, req), req)
}

// wantClass fails unless err is of class want.
func wantClass(t testing.TB, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want class %v", err, want)
	}
	for _, other := range []error{ErrUnavailable, ErrMisconfigured, ErrInvalidToken, ErrRefreshRefused, ErrMixUp} {
		if other != want && errors.Is(err, other) {
			t.Fatalf("%v is also %v", err, other)
		}
	}
}

// metadataServer serves a minimal, valid discovery document (edited by edit)
// for providers that need no tokens in a test.
func metadataServer(t testing.TB, edit func(md map[string]any)) *httptest.Server {
	return metadataServerWith(t, edit, nil)
}

// metadataServerWith also serves routes (path → handler) next to the metadata.
func metadataServerWith(t testing.TB, edit func(md map[string]any), routes map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := routes[r.URL.Path]; h != nil {
			h(w, r)
			return
		}
		if r.URL.Path != wellKnownSuffix {
			http.NotFound(w, r)
			return
		}
		md := map[string]any{
			"issuer":                 srv.URL,
			"authorization_endpoint": srv.URL + "/authorize",
			"token_endpoint":         srv.URL + "/token",
			"jwks_uri":               srv.URL + "/jwks",
		}
		if edit != nil {
			edit(md)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(md)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func mustProvider(t testing.TB, cfg Config) *Provider {
	t.Helper()
	p, err := NewProvider(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// bareProvider is a Provider with cfg as given, unchecked and without
// NewProvider's defaults, for tests of one piece of it.
func bareProvider(cfg Config) *Provider {
	p := &Provider{cfg: cfg}
	p.life, p.stop = context.WithCancel(context.Background())
	return p
}
