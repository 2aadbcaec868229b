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

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
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

func TestCaddyValidateWithoutCookieSecret(t *testing.T) {
	storage := filepath.Join(t.TempDir(), "storage")
	err := testsupport.Validate(t, "{\n\tstorage file_system `"+storage+"`\n}\n"+`http://localhost:8501 {
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
