package oidcauth

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/internal/revocation"
)

// refreshers counts the running revocation refreshers of this process.
func refreshers() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return bytes.Count(buf[:n], []byte("internal/revocation.(*Store).run("))
		}
		buf = make([]byte, 2*len(buf))
	}
}

// waitRefreshers waits until want refreshers run, and says how many do.
func waitRefreshers(want int) int {
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := refreshers()
		if n == want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Caddy's Cleanup of the module stops the goroutine that follows the
// shared storage: a reload leaves one running, a stop none.
func TestCaddyStopEndsTheRevocationRefresher(t *testing.T) {
	before := refreshers()
	p := startProvider(t)
	caddyfile := siteCaddyfile(freePort(t), p.MetadataURL(), "", `respond "ok"`)
	startCaddy(t, caddyfile)
	if n := waitRefreshers(before + 1); n != before+1 {
		t.Fatalf("%d refreshers run with one oidc_auth handler, want %d", n, before+1)
	}
	reloadCaddy(t, caddyfile)
	if n := waitRefreshers(before + 1); n != before+1 {
		t.Errorf("%d refreshers run after a reload, want %d: the old config's was not stopped", n, before+1)
	}
	if err := caddy.Stop(); err != nil {
		t.Fatal(err)
	}
	if n := waitRefreshers(before); n != before {
		t.Errorf("%d refreshers run after Caddy stopped, want %d", n, before)
	}
}

// Cleanup stops the refresher Provision started, and may run twice.
func TestCleanupStopsTheRevocationRefresher(t *testing.T) {
	before := refreshers()
	m := &OIDCAuth{}
	m.revoked = revocation.New(&certmagic.FileStorage{Path: t.TempDir()}, time.Hour, zap.NewNop())
	m.revoked.Start(t.Context())
	if n := waitRefreshers(before + 1); n != before+1 {
		t.Fatalf("%d refreshers after Start, want %d", n, before+1)
	}
	if err := m.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if n := refreshers(); n != before {
		t.Errorf("%d refreshers after Cleanup, want %d", n, before)
	}
	if err := m.Cleanup(); err != nil {
		t.Error(err)
	}
	if err := (&OIDCAuth{}).Cleanup(); err != nil {
		t.Errorf("Cleanup of a handler never provisioned: %v", err)
	}
}
