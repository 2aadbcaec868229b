package sitetests_test

import (
	"testing"

	"github.com/caddyserver/caddy/v2"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// refresherFrame names the revocation refresher in a stack trace.
const refresherFrame = "internal/revocation.(*Store).run("

// Caddy's Cleanup of the module stops the goroutine that follows the
// shared storage: a reload leaves one running, a stop none.
func TestCaddyStopEndsTheRevocationRefresher(t *testing.T) {
	before := testsupport.Goroutines(refresherFrame)
	p := testsupport.StartProvider(t)
	caddyfile := siteCaddyfile(t, testsupport.FreePort(t), p.MetadataURL(), "", `respond "ok"`)
	testsupport.StartCaddy(t, caddyfile)
	if n := testsupport.WaitGoroutines(refresherFrame, before+1); n != before+1 {
		t.Fatalf("%d refreshers run with one oidc_auth handler, want %d", n, before+1)
	}
	testsupport.ReloadCaddy(t, caddyfile)
	if n := testsupport.WaitGoroutines(refresherFrame, before+1); n != before+1 {
		t.Errorf("%d refreshers run after a reload, want %d: the old config's was not stopped", n, before+1)
	}
	if err := caddy.Stop(); err != nil {
		t.Fatal(err)
	}
	if n := testsupport.WaitGoroutines(refresherFrame, before); n != before {
		t.Errorf("%d refreshers run after Caddy stopped, want %d", n, before)
	}
}
