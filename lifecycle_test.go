package oidcauth

import (
	"testing"
	"time"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/internal/revocation"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// refresherFrame names the revocation refresher in a stack trace.
const refresherFrame = "internal/revocation.(*Store).run("

// Cleanup stops the refresher Provision started, and may run twice.
func TestCleanupStopsTheRevocationRefresher(t *testing.T) {
	before := testsupport.Goroutines(refresherFrame)
	m := &OIDCAuth{}
	m.revoked = revocation.New(&certmagic.FileStorage{Path: t.TempDir()}, time.Hour, zap.NewNop())
	m.revoked.Start(t.Context())
	if n := testsupport.WaitGoroutines(refresherFrame, before+1); n != before+1 {
		t.Fatalf("%d refreshers after Start, want %d", n, before+1)
	}
	if err := m.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if n := testsupport.Goroutines(refresherFrame); n != before {
		t.Errorf("%d refreshers after Cleanup, want %d", n, before)
	}
	if err := m.Cleanup(); err != nil {
		t.Error(err)
	}
	if err := (&OIDCAuth{}).Cleanup(); err != nil {
		t.Errorf("Cleanup of a handler never provisioned: %v", err)
	}
}
