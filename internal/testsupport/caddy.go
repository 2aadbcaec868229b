package testsupport

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile" // the "caddyfile" adapter
	_ "github.com/caddyserver/caddy/v2/modules/standard"
)

// storages holds each running test's Caddy storage folder, by the name of
// the top-level test, so that every call within one test (its subtests
// included) gets the same folder.
var storages sync.Map

// StorageDir is the test's own Caddy storage folder: the same for every
// call within one test, another for each test, removed when it ends. Call it
// first from the test itself rather than from a subtest, which would own the
// folder and remove it at its own end.
func StorageDir(t testing.TB) string {
	t.Helper()
	top, _, _ := strings.Cut(t.Name(), "/")
	if dir, ok := storages.Load(top); ok {
		return dir.(string)
	}
	dir := t.TempDir()
	if prev, loaded := storages.LoadOrStore(top, dir); loaded {
		return prev.(string)
	}
	t.Cleanup(func() { storages.Delete(top) })
	return dir
}

// GlobalOptions is the global options block of a test Caddyfile: off the
// admin port, away from certificates, and out of the user's own Caddy
// storage, in the test's own (StorageDir), so that no two tests share a
// cookie_secret, revocations or jtis.
func GlobalOptions(t testing.TB) string {
	t.Helper()
	return "{\n\tadmin off\n\tauto_https off\n\tpersist_config off\n\tstorage file_system `" +
		StorageDir(t) + "`\n}\n"
}

// AdaptCaddyfile adapts a Caddyfile to Caddy's JSON, logging any warning.
func AdaptCaddyfile(t testing.TB, caddyfile string) []byte {
	t.Helper()
	cfg, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), nil)
	if err != nil {
		t.Fatalf("adapting the Caddyfile: %v\n%s", err, caddyfile)
	}
	for _, w := range warnings {
		t.Logf("Caddyfile warning: %s", w.String())
	}
	return cfg
}

// Validate runs what `caddy validate` runs on a Caddyfile: adapt, then
// provision every module without starting servers.
func Validate(t testing.TB, caddyfile string) error {
	t.Helper()
	cfgJSON, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), nil)
	if err != nil {
		return err
	}
	var cfg caddy.Config
	if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
		t.Fatal(err)
	}
	return caddy.Validate(&cfg)
}

// LoadCaddyfile adapts a Caddyfile and loads it into this process's Caddy,
// as `caddy run` or `caddy reload` would.
func LoadCaddyfile(caddyfile string) error {
	cfgJSON, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), nil)
	if err != nil {
		return err
	}
	return caddy.Load(cfgJSON, true)
}

// StartCaddy runs a Caddyfile in this process: real Caddy with the real
// module. The config is stopped when the test ends. Caddy keeps one config
// per process, so tests that use it must not run in parallel.
func StartCaddy(t testing.TB, caddyfile string) {
	t.Helper()
	if err := LoadCaddyfile(caddyfile); err != nil {
		t.Fatalf("loading Caddyfile: %v\n%s", err, caddyfile)
	}
	t.Cleanup(func() { _ = caddy.Stop() })
}

// ReloadCaddy loads a new config into the running Caddy, as `caddy reload`
// does, and waits until requests reach the new one. Caddy stops the old
// servers in the background after Load returns; until then a connection
// may land on the old socket and be reset, which a browser would retry.
// Kept-alive connections of the old servers are dropped too.
func ReloadCaddy(t testing.TB, caddyfile string, clients ...*http.Client) {
	t.Helper()
	if err := LoadCaddyfile(caddyfile); err != nil {
		t.Fatalf("reloading Caddy: %v\n%s", err, caddyfile)
	}
	time.Sleep(200 * time.Millisecond)
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	for _, c := range clients {
		c.CloseIdleConnections()
	}
}

// SiteCaddyfile is a Caddyfile for one site on 127.0.0.1:port protected by
// oidc_auth against the provider at metadataURL; options go inside the
// oidc_auth block, handlers after it. Its storage is the test's own.
func SiteCaddyfile(t testing.TB, port int, metadataURL, options, handlers string) string {
	return GlobalOptions(t) + fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri http://127.0.0.1:%d/oauth2callback
		cookie_secret %s
		client_id %s
		client_secret %s
		server_metadata_url %s
		%s
	}
	%s
}
`, port, port, CookieSecret, ClientID, ClientSecret, metadataURL, options, handlers)
}
