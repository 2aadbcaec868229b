package flow

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

func TestDiscoveryIsLazyAndCached(t *testing.T) {
	r := newRig(t, nil)
	if n := r.dev.Counts().Discovery; n != 0 {
		t.Fatalf("NewProvider fetched metadata %d times; it must not touch the network", n)
	}
	for range 3 {
		if _, err := r.signIn(t); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.dev.Counts().Discovery; n != 1 {
		t.Fatalf("3 sign-ins fetched metadata %d times, want 1", n)
	}
}

func TestConcurrentFirstCallersShareOneFetch(t *testing.T) {
	r := newRig(t, nil)
	r.dev.SetBehavior(devprovider.Behavior{Delay: 200 * time.Millisecond})
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 20 {
		wg.Go(func() {
			if _, _, err := r.p.AuthCodeURL(context.Background(), NewAuthRequest()); err != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d of 20 callers failed", failed.Load())
	}
	if n := r.dev.Counts().Discovery; n != 1 {
		t.Fatalf("20 concurrent first callers made %d metadata fetches, want 1", n)
	}
}

func TestFailedDiscoveryBacksOffThenRecovers(t *testing.T) {
	r := newRig(t, nil)
	r.dev.SetBehavior(devprovider.Behavior{Down: true})
	ctx := context.Background()
	fetches := func() int64 { return r.dev.Counts().Discovery }

	_, _, err := r.p.AuthCodeURL(ctx, NewAuthRequest())
	wantClass(t, err, ErrUnavailable)
	if !strings.Contains(err.Error(), `"dev"`) || !strings.Contains(err.Error(), "503") {
		t.Errorf("message %q should name the provider and the status", err)
	}
	if fetches() != 1 {
		t.Fatalf("fetches = %d", fetches())
	}

	// Within the backoff: failing at once, no new fetch.
	_, _, err = r.p.AuthCodeURL(ctx, NewAuthRequest())
	wantClass(t, err, ErrUnavailable)
	t.Log(err)
	if !strings.Contains(err.Error(), "next attempt in 1s") || strings.Count(err.Error(), `"dev"`) != 1 {
		t.Errorf("message %q should say when discovery is retried, naming the provider once", err)
	}
	if fetches() != 1 {
		t.Fatalf("a call inside the backoff fetched again (%d)", fetches())
	}

	// The backoff doubles: 1 s, 2 s, 4 s, 8 s, then stays at 10 s.
	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		r.clock.Advance(wait - time.Millisecond)
		if _, _, err := r.p.AuthCodeURL(ctx, NewAuthRequest()); err == nil || fetches() != int64(i+1) {
			t.Fatalf("step %d: retried before %s had passed (fetches %d)", i, wait, fetches())
		}
		r.clock.Advance(time.Millisecond)
		_, _, err = r.p.AuthCodeURL(ctx, NewAuthRequest())
		wantClass(t, err, ErrUnavailable)
		if fetches() != int64(i+2) {
			t.Fatalf("step %d: no retry after %s (fetches %d)", i, wait, fetches())
		}
	}

	// The provider comes back: the next call after the backoff succeeds, and
	// the metadata is cached from then on.
	r.dev.SetBehavior(devprovider.Behavior{})
	r.clock.Advance(maxBackoff)
	if _, err := r.signIn(t); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	before := fetches()
	if _, err := r.signIn(t); err != nil {
		t.Fatal(err)
	}
	if fetches() != before {
		t.Fatal("metadata fetched again after a successful discovery")
	}
}

func TestGarbageMetadataIsUnavailable(t *testing.T) {
	r := newRig(t, nil)
	r.dev.SetBehavior(devprovider.Behavior{GarbageMetadata: true})
	_, _, err := r.p.AuthCodeURL(context.Background(), NewAuthRequest())
	wantClass(t, err, ErrUnavailable)
	if !strings.Contains(err.Error(), "not a valid JSON") {
		t.Errorf("message %q should say the metadata is not JSON", err)
	}
}

func TestIssuerMismatchIsMisconfigured(t *testing.T) {
	r := newRig(t, nil)
	r.dev.SetBehavior(devprovider.Behavior{MetadataIssuer: "https://attacker.example"})
	_, _, err := r.p.AuthCodeURL(context.Background(), NewAuthRequest())
	wantClass(t, err, ErrMisconfigured)
	for _, want := range []string{`"dev"`, "https://attacker.example", r.dev.Issuer()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q should mention %q", err, want)
		}
	}
	// Inside the backoff the same class comes back, so the page stays right.
	_, _, err = r.p.AuthCodeURL(context.Background(), NewAuthRequest())
	wantClass(t, err, ErrMisconfigured)
}

// Auth0's issuer ends in "/" while the URL users write does not: accepted,
// and ID tokens are checked against the issuer exactly as advertised.
func TestIssuerWithTrailingSlashIsAccepted(t *testing.T) {
	// Serve it under an issuer ending in "/": pick the address first.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	dev, err := devprovider.New(devprovider.Config{
		Issuer:         base + "/tenant/",
		Users:          devprovider.DemoUsers(),
		Clients:        []devprovider.Client{{ID: testClientID, Secret: testClientSecret}},
		TrustLoginHint: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(dev)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	p, err := NewProvider(Config{
		ClientID: testClientID, ClientSecret: testClientSecret, RedirectURL: testRedirect,
		MetadataURL: srv.URL + "/tenant/.well-known/openid-configuration",
		Params:      map[string]string{"login_hint": "alice"},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{dev: dev, p: p, clock: newClock()}
	id, err := r.signIn(t)
	if err != nil {
		t.Fatalf("sign-in with a trailing-slash issuer: %v", err)
	}
	if id.Claims["iss"] != srv.URL+"/tenant/" {
		t.Errorf("iss = %v", id.Claims["iss"])
	}
}

func TestSameIssuer(t *testing.T) {
	for _, c := range []struct {
		got, want string
		ok        bool
	}{
		{"https://a.example", "https://a.example", true},
		{"https://a.example/", "https://a.example", true},
		{"https://a.example", "https://a.example/", true},
		{"https://a.example//", "https://a.example", false},
		{"https://a.example/tenant", "https://a.example", false},
		{"https://b.example", "https://a.example", false},
		{"http://a.example", "https://a.example", false},
	} {
		if sameIssuer(c.got, c.want) != c.ok {
			t.Errorf("sameIssuer(%q, %q) = %v", c.got, c.want, !c.ok)
		}
	}
}

// A provider that does not answer costs at most the HTTP client timeout, and
// a caller who gives up is released at once while the fetch carries on.
func TestSlowDiscoveryIsBounded(t *testing.T) {
	r := newRig(t, func(c *Config) { c.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} })
	r.dev.SetBehavior(devprovider.Behavior{Delay: 5 * time.Second})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := r.p.AuthCodeURL(ctx, NewAuthRequest())
	wantClass(t, err, ErrUnavailable)
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("a cancelled caller waited %s", d)
	}

	_, _, err = r.p.AuthCodeURL(context.Background(), NewAuthRequest())
	wantClass(t, err, ErrUnavailable)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("discovery took %s despite a 300ms client timeout", d)
	}
	if n := r.dev.Counts().Discovery; n != 1 {
		t.Errorf("the waiting callers made %d fetches, want 1 shared", n)
	}
}

func TestMetadataWithoutUsableAlgorithmIsMisconfigured(t *testing.T) {
	srv := metadataServer(t, func(md map[string]any) {
		md["id_token_signing_alg_values_supported"] = []string{"HS256", "none"}
	})
	p := mustProvider(t, Config{ClientID: "c", MetadataURL: srv.URL + wellKnownSuffix, RedirectURL: testRedirect})
	_, _, err := p.AuthCodeURL(context.Background(), NewAuthRequest())
	wantClass(t, err, ErrMisconfigured)
	if !strings.Contains(err.Error(), "HS256") {
		t.Errorf("message %q should list what the provider offers", err)
	}
}

func TestMetadataMissingEndpointIsMisconfigured(t *testing.T) {
	srv := metadataServer(t, func(md map[string]any) { delete(md, "token_endpoint") })
	p := mustProvider(t, Config{ClientID: "c", MetadataURL: srv.URL + wellKnownSuffix, RedirectURL: testRedirect})
	_, _, err := p.AuthCodeURL(context.Background(), NewAuthRequest())
	wantClass(t, err, ErrMisconfigured)
	if !strings.Contains(err.Error(), "token_endpoint") {
		t.Errorf("message %q should name the missing field", err)
	}
}
