package flow

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// dialCounter counts the connections a transport opens, and how many of
// them are still open.
type dialCounter struct{ dials, open atomic.Int64 }

func (d *dialCounter) wrap(t *http.Transport) {
	dial := t.DialContext
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		d.dials.Add(1)
		d.open.Add(1)
		return &countedConn{Conn: c, d: d}, nil
	}
}

type countedConn struct {
	net.Conn
	d    *dialCounter
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.d.open.Add(-1) })
	return c.Conn.Close()
}

// Bursts of sign-ins share a bounded set of connections to the provider,
// kept open from one burst to the next, rather than each token request
// opening (and closing) a connection of its own, with its goroutines and
// buffers while it lives; Close closes the ones kept open.
func TestSignInBurstsShareABoundedSetOfConnections(t *testing.T) {
	dev := startDev(t, devprovider.Client{ID: testClientID, Secret: testClientSecret}, nil)
	r := &rig{p: mustProvider(t, Config{
		Name: "dev", ClientID: testClientID, ClientSecret: testClientSecret,
		MetadataURL: dev.MetadataURL(), RedirectURL: testRedirect,
		Params: map[string]string{"login_hint": "alice"},
	})}
	var conns dialCounter
	conns.wrap(r.p.transport)
	const burst = 3 * maxProviderConns
	for round := range 2 {
		reqs := make([]AuthRequest, burst)
		codes := make([]string, burst)
		for i := range reqs {
			reqs[i] = NewAuthRequest()
			codes[i] = r.code(t, reqs[i])
		}
		start := make(chan struct{})
		errs := make(chan error, burst)
		for i := range reqs {
			go func() {
				<-start
				_, err := r.p.Exchange(context.Background(), codes[i], reqs[i])
				errs <- err
			}()
		}
		close(start)
		for range reqs {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if open := conns.open.Load(); open > maxProviderConns {
			t.Fatalf("after burst %d, %d connections to the provider are open, want at most %d", round+1, open, maxProviderConns)
		}
	}
	// Opening a connection per token request would take about one per
	// sign-in beyond the few kept idle.
	if n := conns.dials.Load(); n >= burst {
		t.Errorf("two bursts of %d simultaneous sign-ins opened %d connections to the provider, want fewer than one burst's sign-ins (at most %d at a time, reused)",
			burst, n, maxProviderConns)
	}
	if err := r.p.Close(); err != nil {
		t.Fatal(err)
	}
	if open := conns.open.Load(); open != 0 {
		t.Errorf("after Close, %d connections to the provider are still open", open)
	}
}
