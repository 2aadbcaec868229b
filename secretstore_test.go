package oidcauth

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/certmagic"
)

func TestGeneratedCookieSecretIsStoredOnceAndShared(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	secrets := make([]string, 4)
	generated := make([]bool, 4)
	// Four Caddys starting at once on one storage.
	for i := range secrets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, gen, err := storedCookieSecret(context.Background(), &certmagic.FileStorage{Path: dir})
			if err != nil {
				t.Error(err)
			}
			secrets[i], generated[i] = s, gen
		}()
	}
	wg.Wait()
	count := 0
	for i, s := range secrets {
		if s != secrets[0] {
			t.Errorf("instance %d got another secret", i)
		}
		if generated[i] {
			count++
		}
	}
	if count != 1 {
		t.Errorf("%d instances generated a secret, want 1", count)
	}
	if len(secrets[0]) < 43 {
		t.Errorf("generated secret has %d characters, want 256 bits (43 base64 characters)", len(secrets[0]))
	}
	data, err := os.ReadFile(filepath.Join(dir, "oidc_auth", "cookie_secret"))
	if err != nil || strings.TrimSpace(string(data)) != secrets[0] {
		t.Errorf("the storage folder does not hold the secret: %q %v", data, err)
	}
	again, gen, err := storedCookieSecret(context.Background(), &certmagic.FileStorage{Path: dir})
	if again != secrets[0] || gen || err != nil {
		t.Errorf("a later start: same=%v generated=%v err=%v", again == secrets[0], gen, err)
	}
	other, _, _ := storedCookieSecret(context.Background(), &certmagic.FileStorage{Path: t.TempDir()})
	if other == secrets[0] {
		t.Error("two storages got the same secret: it is not random")
	}
}

func TestStoredCookieSecretTooShortIsRefused(t *testing.T) {
	st := &certmagic.FileStorage{Path: t.TempDir()}
	if err := st.Store(context.Background(), cookieSecretKey, []byte("short\n")); err != nil {
		t.Fatal(err)
	}
	_, _, err := storedCookieSecret(context.Background(), st)
	if err == nil || !strings.Contains(err.Error(), cookieSecretKey) || !strings.Contains(err.Error(), "too few") {
		t.Errorf("a 5-character stored secret: %v", err)
	}
}

func TestNoStorageAndNoCookieSecretIsRefused(t *testing.T) {
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	m := &OIDCAuth{RedirectURI: "https://example.com/oauth2callback", ClientID: "id",
		ServerMetadataURL: "https://idp.example.com/.well-known/openid-configuration"}
	err := m.Provision(ctx)
	if err == nil || !strings.Contains(err.Error(), "cookie_secret is not set") {
		t.Errorf("Provision without storage or cookie_secret: %v", err)
	}
}

func TestWithoutCookieSecretSessionsSurviveReloadsAndRestarts(t *testing.T) {
	p := startProvider(t)
	site := startOwnSite(t, attackProviderSettings(p))
	b := signedInBrowser(t, site.url, "alice")

	reloadCaddy(t, site.caddyfile, b.client)
	if !isSignedIn(t, b, site.url) {
		t.Error("a reload signed the user out: the generated secret was not reused")
	}
	if err := caddy.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := loadCaddyfile(site.caddyfile); err != nil {
		t.Fatal(err)
	}
	b.client.CloseIdleConnections()
	if !isSignedIn(t, b, site.url) {
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
	other := ownSiteCaddyfile(site.port, filepath.Join(t.TempDir(), "storage"), site.log, attackProviderSettings(p))
	reloadCaddy(t, other, b.client)
	if isSignedIn(t, b, site.url) {
		t.Error("a Caddy with another storage (another generated secret) opened the session")
	}
}

func TestCaddyValidateWithoutCookieSecret(t *testing.T) {
	storage := filepath.Join(t.TempDir(), "storage")
	err := validate(t, "{\n\tstorage file_system `"+storage+"`\n}\n"+`http://localhost:8501 {
	oidc_auth {
		redirect_uri http://localhost:8501/oauth2callback
		client_id someone
		server_metadata_url http://127.0.0.1:1/.well-known/openid-configuration
	}
	respond ok
}
`)
	if err != nil {
		t.Errorf("a config without cookie_secret (provider unreachable): %v", err)
	}
}
