package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile" // the "caddyfile" adapter
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/caddy-oidc-auth/oidcauth" // the oidc_auth directive
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// caddyReadyTimeout bounds how long a freshly loaded Caddy may take to answer
// its first request.
const caddyReadyTimeout = 10 * time.Second

// testCookieSecret seals the cookies of every test site. Restarts reuse it,
// which is what keeps users signed in across them.
const testCookieSecret = "e2e-cookie-secret-0123456789abcdef"

// siteAddr is where a test site will listen, chosen before its providers
// start because they must know its redirect URI.
type siteAddr struct {
	Host string // 127.0.0.1:PORT
}

// reserveSite picks a free 127.0.0.1 port for a site.
func reserveSite(t testing.TB) siteAddr {
	t.Helper()
	return siteAddr{Host: testsupport.FreeAddr(t)}
}

// URL is the site's root without the trailing slash: http://127.0.0.1:PORT.
func (a siteAddr) URL() string { return "http://" + a.Host }

// RedirectURI is the callback the providers send the browser back to.
func (a siteAddr) RedirectURI() string { return a.URL() + "/oauth2callback" }

// exampleSiteDir is the absolute path of examples/site, the pages the demo
// serves: templates that greet the signed-in user.
func exampleSiteDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "examples", "site"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Fatalf("the example site is missing: %v", err)
	}
	if strings.ContainsAny(dir, "{}`\n") {
		t.Skipf("the checkout path %s has a character a Caddyfile cannot hold", dir)
	}
	return dir
}

// siteCaddyfile is a whole Caddyfile: the example site at addr, protected by
// oidc_auth with the given subdirectives (redirect_uri and cookie_secret are
// added). Caddy's log and storage go to stateDir, never to the user's own
// ~/.local/share/caddy.
func siteCaddyfile(addr siteAddr, siteDir, stateDir, oidcBody string) string {
	return fmt.Sprintf("{\n\tadmin off\n\tauto_https off\n\tpersist_config off\n\tgrace_period 2s\n"+
		"\tstorage file_system `%s`\n"+
		"\tlog {\n\t\toutput file `%s`\n\t\tlevel INFO\n\t}\n}\n\n"+
		"%s {\n\tbind 127.0.0.1\n"+
		"\toidc_auth {\n\t\tredirect_uri %s\n\t\tcookie_secret %s\n%s\t}\n"+
		"\ttemplates\n\troot * `%s`\n\tfile_server\n}\n",
		filepath.Join(stateDir, "storage"), filepath.Join(stateDir, "caddy.log"),
		addr.URL(), addr.RedirectURI(), testCookieSecret, oidcBody, siteDir)
}

// caddySite is real Caddy with the oidc_auth module, running in this process.
// Caddy keeps one config per process, so tests that use it must not run in
// parallel.
type caddySite struct {
	siteAddr
	config  []byte // the adapted JSON, loaded again by Restart
	logPath string
}

// startCaddySite serves the example site at addr behind oidc_auth configured
// with oidcBody (subdirectives, one per line), and stops Caddy when the test
// ends. Caddy's log is shown if the test fails.
func startCaddySite(t testing.TB, addr siteAddr, oidcBody string) *caddySite {
	t.Helper()
	stateDir := t.TempDir()
	return startCaddyfile(t, addr, stateDir, siteCaddyfile(addr, exampleSiteDir(t), stateDir, oidcBody))
}

// startCaddyfile runs caddyfile for the site at addr in this process, its
// log in stateDir, until the test ends (the log is shown if it failed).
func startCaddyfile(t testing.TB, addr siteAddr, stateDir, caddyfile string) *caddySite {
	t.Helper()
	cfg := testsupport.AdaptCaddyfile(t, caddyfile)
	s := &caddySite{siteAddr: addr, config: cfg, logPath: filepath.Join(stateDir, "caddy.log")}
	t.Cleanup(func() {
		if err := caddy.Stop(); err != nil {
			t.Logf("stopping Caddy: %v", err)
		}
		if t.Failed() {
			t.Logf("Caddy's log:\n%s", s.Log())
		}
	})
	s.load(t)
	return s
}

// Restart stops Caddy and loads the same config again, as a redeploy or a
// reboot would: nothing in memory survives, only the config.
func (s *caddySite) Restart(t testing.TB) {
	t.Helper()
	if err := caddy.Stop(); err != nil {
		t.Fatalf("stopping Caddy: %v", err)
	}
	s.load(t)
}

func (s *caddySite) load(t testing.TB) {
	t.Helper()
	if err := caddy.Load(s.config, true); err != nil {
		t.Fatalf("loading Caddy: %v", err)
	}
	if err := waitHTTP(s.URL()+"/auth/user", caddyReadyTimeout); err != nil {
		t.Fatalf("Caddy: %v", err)
	}
}

// Log returns what Caddy has logged so far.
func (s *caddySite) Log() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// waitHTTP polls url until it answers 200 or timeout passes.
func waitHTTP(url string, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				cancel()
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		cancel()
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer within %v: %v", url, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestSiteCaddyfileAdaptsToTheProtectedExampleSite(t *testing.T) {
	addr := siteAddr{Host: "127.0.0.1:8123"}
	text := siteCaddyfile(addr, "/srv/my site", "/tmp/e2e state",
		"\t\tclient_id c\n\t\tserver_metadata_url http://127.0.0.1:1/.well-known/openid-configuration\n")
	out, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(text), nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	cfg := string(out)
	for _, want := range []string{
		`"listen":["127.0.0.1:8123"]`, // loopback only
		`"handler":"oidc_auth"`,
		`"redirect_uri":"http://127.0.0.1:8123/oauth2callback"`,
		`"cookie_secret":"` + testCookieSecret + `"`,
		`"handler":"templates"`,
		`"root":"/srv/my site"`,
		`"disabled":true`, // admin off
		`"filename":"/tmp/e2e state/caddy.log"`,
		`"root":"/tmp/e2e state/storage"`,
	} {
		if !strings.Contains(cfg, want) {
			t.Errorf("the config lacks %s:\n%s", want, cfg)
		}
	}
}
