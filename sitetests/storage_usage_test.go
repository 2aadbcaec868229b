package sitetests_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/certmagic"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

func init() { caddy.RegisterModule(countingStorage{}) }

// countingStorage is Caddy's file storage with every call oidc_auth makes
// counted (`storage oidcauth_counting <folder>`), so the README can say what
// the module keeps in a shared storage and how often it writes there.
type countingStorage struct {
	Root string `json:"root"`
}

func (countingStorage) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "caddy.storage.oidcauth_counting", New: func() caddy.Module { return new(countingStorage) }}
}

func (s *countingStorage) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next()
	if !d.NextArg() {
		return d.ArgErr()
	}
	s.Root = d.Val()
	return nil
}

func (s *countingStorage) CertMagicStorage() (certmagic.Storage, error) {
	c, _ := storageCalls.LoadOrStore(s.Root, &callLog{})
	return &counted{FileStorage: &certmagic.FileStorage{Path: s.Root}, log: c.(*callLog)}, nil
}

// storageCalls: the calls of each counting storage, by folder.
var storageCalls sync.Map

type callLog struct {
	mu    sync.Mutex
	calls []string // "Store oidc_auth/refresh/* 1234", "Lock oidc_auth_refresh_*"...
}

func (l *callLog) add(op, key string, size int) {
	if !strings.HasPrefix(key, "oidc_auth") {
		return // Caddy's own (certificates, locks of its own)
	}
	// Hashes and minutes vary: name the kind of key.
	parts := strings.Split(key, "/")
	if len(parts) > 2 {
		for i := 2; i < len(parts); i++ {
			parts[i] = "*"
		}
	}
	k := strings.Join(parts, "/")
	if i := strings.Index(k, "_refresh_"); i >= 0 {
		k = k[:i] + "_refresh_<hash>"
	}
	entry := op + " " + k
	if size >= 0 {
		entry += fmt.Sprintf(" %dB", size)
	}
	l.mu.Lock()
	l.calls = append(l.calls, entry)
	l.mu.Unlock()
}

// take returns the calls since the last take, but the background reads of
// the sign-out list (every 2 s, not caused by any request).
func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, c := range l.calls {
		if c != "Load oidc_auth/revoked-changed" {
			out = append(out, c)
		}
	}
	l.calls = nil
	sort.Strings(out)
	return out
}

type counted struct {
	*certmagic.FileStorage
	log *callLog
}

func (c *counted) Store(ctx context.Context, key string, value []byte) error {
	c.log.add("Store", key, len(value))
	return c.FileStorage.Store(ctx, key, value)
}
func (c *counted) Load(ctx context.Context, key string) ([]byte, error) {
	c.log.add("Load", key, -1)
	return c.FileStorage.Load(ctx, key)
}
func (c *counted) Delete(ctx context.Context, key string) error {
	c.log.add("Delete", key, -1)
	return c.FileStorage.Delete(ctx, key)
}
func (c *counted) List(ctx context.Context, prefix string, recursive bool) ([]string, error) {
	c.log.add("List", prefix, -1)
	return c.FileStorage.List(ctx, prefix, recursive)
}
func (c *counted) Lock(ctx context.Context, name string) error {
	c.log.add("Lock", name, -1)
	return c.FileStorage.Lock(ctx, name)
}
func (c *counted) Unlock(ctx context.Context, name string) error {
	c.log.add("Unlock", name, -1)
	return c.FileStorage.Unlock(ctx, name)
}

// What oidc_auth reads and writes in Caddy's storage for a sign-in, a
// refresh, a sign-out and a back-channel sign-out, counted through real
// Caddy (the README's "Many servers" table comes from this log).
func TestStorageCallsPerSignInRefreshAndSignOut(t *testing.T) {
	p := testsupport.StartProviderWith(t, devprovider.Config{
		Users:          devprovider.DemoUsers(),
		Clients:        []devprovider.Client{{ID: testsupport.ClientID, Secret: testsupport.ClientSecret}},
		TrustLoginHint: true,
		TokenTTL:       12 * time.Second,
	})
	dir := t.TempDir()
	root := filepath.Join(dir, "storage")
	port := testsupport.FreePort(t)
	text := ownSiteCaddyfile(port, root, filepath.Join(dir, "caddy.log"),
		"cookie_secret "+testsupport.CookieSecret+"\n\t\texpire_with_token\n\t\t"+testsupport.ProviderSettings(p))
	text = strings.Replace(text, "storage file_system `"+root+"`", "storage oidcauth_counting `"+root+"`", 1)
	testsupport.StartCaddy(t, text)
	site := testsupport.SiteURL(port)
	v, _ := storageCalls.Load(root)
	calls := v.(*callLog)
	calls.take()

	alice := signedInBrowser(t, site, "alice")
	signIn := calls.take()
	time.Sleep(2500 * time.Millisecond)
	if !isSignedIn(t, alice, site) { // refreshes
		t.Fatal("not signed in after the refresh")
	}
	refresh := calls.take()
	alice.Get(site + testsupport.LogoutPath)
	signOut := calls.take()
	bob := signedInBrowser(t, site, "bob")
	calls.take()
	if st := postLogoutToken(t, site, logoutToken(t, p, "bob", sidOf(t, bob, site), nil)).StatusCode; st != http.StatusOK {
		t.Fatalf("back-channel logout: %d", st)
	}
	backchannel := calls.take()
	t.Logf("sign-in: %v\nrefresh: %v\nsign-out: %v\nback-channel sign-out: %v", signIn, refresh, signOut, backchannel)

	if len(signIn) != 0 || len(signOut) != 0 {
		t.Errorf("a sign-in or a sign-out used the storage: %v %v", signIn, signOut)
	}
	writes := 0
	for _, c := range refresh {
		if strings.HasPrefix(c, "Store ") {
			writes++
			if !strings.HasPrefix(c, "Store oidc_auth/refresh/*") {
				t.Errorf("a refresh stored %s", c)
			}
		}
	}
	if writes != 1 {
		t.Errorf("a refresh stored %d values, want 1: %v", writes, refresh)
	}
}
