package sitetests_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
	"github.com/caddyserver/caddy/v2"
)

func TestWithoutCookieSecretSessionsSurviveReloadsAndRestarts(t *testing.T) {
	p := testsupport.StartProvider(t)
	site := startOwnSite(t, testsupport.ProviderSettings(p))
	b := signedInBrowser(t, site.URL, "alice")

	testsupport.ReloadCaddy(t, site.caddyfile, b.Client)
	if !isSignedIn(t, b, site.URL) {
		t.Error("a reload signed the user out: the generated secret was not reused")
	}
	if err := caddy.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := testsupport.LoadCaddyfile(site.caddyfile); err != nil {
		t.Fatal(err)
	}
	b.Client.CloseIdleConnections()
	if !isSignedIn(t, b, site.URL) {
		t.Error("a restart signed the user out: the generated secret was not reused")
	}

	data, err := os.ReadFile(filepath.Join(site.storage, "oidc_auth", "cookie_secret"))
	if err != nil {
		t.Fatalf("the storage folder holds no cookie_secret: %v", err)
	}
	secret := strings.TrimSpace(string(data))
	log := site.readLog(t)
	if n := strings.Count(log, "generated cookie_secret and stored it"); n != 1 {
		t.Errorf("the log says %d times that a secret was generated, want once:\n%s", n, log)
	}
	if n := strings.Count(log, "using the cookie_secret stored in FileStorage:"+site.storage); n != 2 {
		t.Errorf("the log says %d times that the stored secret is used, want 2 (reload, restart):\n%s", n, log)
	}
	if strings.Contains(log, secret) {
		t.Error("the log holds the cookie secret")
	}

	// Another storage means another secret: the sign-in does not open there.
	other := ownSiteCaddyfile(site.Port, filepath.Join(t.TempDir(), "storage"), site.log, testsupport.ProviderSettings(p))
	testsupport.ReloadCaddy(t, other, b.Client)
	if isSignedIn(t, b, site.URL) {
		t.Error("a Caddy with another storage (another generated secret) opened the session")
	}
}
