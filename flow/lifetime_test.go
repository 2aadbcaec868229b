package flow

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"go.uber.org/goleak"
)

// hangingServer answers path only when the request is given up: it reports
// each arrival on arrived and each request the client cut short on ended.
// With keys, it serves them at /jwks instead of hanging there.
type hangingServer struct {
	srv            *httptest.Server
	arrived, ended chan struct{}
	hits           atomic.Int64
}

func newHangingServer(t *testing.T, keys ...jose.JSONWebKey) *hangingServer {
	h := &hangingServer{arrived: make(chan struct{}, 8), ended: make(chan struct{}, 8)}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		if r.URL.Path == "/jwks" && len(keys) > 0 {
			set := jose.JSONWebKeySet{}
			for _, k := range keys {
				set.Keys = append(set.Keys, k.Public())
			}
			_ = json.NewEncoder(w).Encode(set)
			return
		}
		h.arrived <- struct{}{}
		<-r.Context().Done()
		h.ended <- struct{}{}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// within fails the test unless ch delivers within a few seconds.
func within[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("never happened: %s", what)
		var zero T
		return zero
	}
}

func wantClosed(t *testing.T, err error) {
	t.Helper()
	wantClass(t, err, ErrUnavailable)
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
}

// Close cancels a discovery in flight: its caller gets ErrClosed, the HTTP
// request itself ends, and no goroutine is left; later calls fail at once
// without a request.
func TestCloseEndsAnInFlightDiscovery(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	h := newHangingServer(t)
	transport := &http.Transport{}
	p := mustProvider(t, Config{
		ClientID: "app", MetadataURL: h.srv.URL + wellKnownSuffix, RedirectURL: testRedirect,
		HTTPClient: &http.Client{Transport: transport},
	})
	errs := make(chan error, 1)
	go func() {
		_, _, err := p.AuthCodeURL(context.Background(), NewAuthRequest())
		errs <- err
	}()
	within(t, "the discovery request reaching the provider", h.arrived)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	wantClosed(t, within(t, "the waiting caller released", errs))
	within(t, "the discovery request cancelled", h.ended)

	hits := h.hits.Load()
	start := time.Now()
	_, _, err := p.AuthCodeURL(context.Background(), NewAuthRequest())
	wantClosed(t, err)
	if d := time.Since(start); d > 100*time.Millisecond || h.hits.Load() != hits {
		t.Errorf("a call after Close took %s and %d requests", d, h.hits.Load()-hits)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	h.srv.Close()
	transport.CloseIdleConnections()
}

// Close cancels a key fetch in flight, and a refetch waiting for its
// rate-limit slot.
func TestCloseEndsKeyFetches(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	key := rsaKey(t, "k")
	tok := sign(t, key, "k", []byte(`{}`))
	verify := func(ks *keySet, tok string) <-chan error {
		errs := make(chan error, 1)
		go func() {
			_, err := ks.VerifySignature(context.Background(), tok)
			errs <- err
		}()
		return errs
	}

	t.Run("in flight", func(t *testing.T) {
		h := newHangingServer(t)
		ks := testKeySet(t, h.srv.URL+"/jwks", newClock())
		errs := verify(ks, tok)
		within(t, "the key request reaching the provider", h.arrived)
		ks.p.Close()
		wantClosed(t, within(t, "the waiting caller released", errs))
		within(t, "the key request cancelled", h.ended)
		h.srv.Close()
	})

	t.Run("waiting for its slot", func(t *testing.T) {
		h := newHangingServer(t, key)
		clock := newClock()
		ks := testKeySet(t, h.srv.URL+"/jwks", clock)
		if err := within(t, "the first verification", verify(ks, tok)); err != nil {
			t.Fatal(err)
		}
		errs := verify(ks, sign(t, key, "rotated", []byte(`{}`)))
		eventually(t, "a refetch waiting for its slot", func() bool { return clock.Waiting() == 1 })
		hits := h.hits.Load()
		ks.p.Close()
		wantClosed(t, within(t, "the waiting refetch released", errs))
		if h.hits.Load() != hits {
			t.Error("a closed key set still fetched")
		}
		h.srv.Close()
	})
}
