package sitetests_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// Several Caddy processes behind one name share a sign-in through Caddy's
// storage: the same cookie_secret (given, or generated once and stored) and
// the same list of sign-outs. These tests run the built Caddy binary
// (build/caddy, or $OIDCAUTH_CADDY), two processes at once.

// signOutReachesOthersWithin bounds how long a back-channel sign-out posted
// to one Caddy may take to reach the others (they refresh every 2 s).
const signOutReachesOthersWithin = 10 * time.Second

// caddyBinary is the Caddy with this module to run, or skips the test (fails
// it when OIDCAUTH_E2E=1) when there is none.
func caddyBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("OIDCAUTH_CADDY")
	if bin == "" {
		bin, _ = filepath.Abs(filepath.Join("..", "build", "caddy"))
	}
	if _, err := os.Stat(bin); err != nil {
		missing(t, "no Caddy binary at %s (build one with .ci/build-caddy.sh, or set OIDCAUTH_CADDY)", bin)
	}
	// A binary built before this code refuses a config without
	// cookie_secret; `caddy validate` tells without serving anything.
	dir := t.TempDir()
	config := filepath.Join(dir, "Caddyfile")
	text := ownSiteCaddyfile(8501, filepath.Join(dir, "storage"), filepath.Join(dir, "caddy.log"),
		"client_id x\n\t\tserver_metadata_url http://127.0.0.1:1/.well-known/openid-configuration")
	if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "validate", "--config", config, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		missing(t, "%s validate refuses a config without cookie_secret: it predates this code; rebuild it with .ci/build-caddy.sh\n%s", bin, out)
	}
	return bin
}

func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("OIDCAUTH_E2E") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// caddyProcess is one Caddy process serving one site on 127.0.0.1.
type caddyProcess struct {
	URL    string
	log    string
	output string        // its stdout and stderr
	exited chan struct{} // closed when the process ends
}

// startCaddyProcess runs bin with a Caddyfile for http://127.0.0.1:<free
// port> behind oidc_auth (settings go inside the block), its storage in the
// shared folder storage, its admin endpoint off. It is an instance of the
// site at public (its redirect_uri), or of its own address when public is
// "". It is stopped when the test ends; its log is shown if the test failed.
func startCaddyProcess(t *testing.T, bin, storage, public, settings string) *caddyProcess {
	t.Helper()
	dir := t.TempDir()
	port := testsupport.FreePort(t)
	p := &caddyProcess{URL: testsupport.SiteURL(port), log: filepath.Join(dir, "caddy.log")}
	if public == "" {
		public = p.URL
	}
	config := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(config, []byte(instanceCaddyfile(port, public, storage, p.log, settings)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "--config", config, "--adapter", "caddyfile")
	// Nothing of the user's own Caddy (data, config, autosave) is touched.
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	out, err := os.Create(filepath.Join(dir, "stdout.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = caddyProcAttr()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	p.output, p.exited = out.Name(), make(chan struct{})
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-p.exited
		}
		out.Close()
		if t.Failed() {
			logText, _ := os.ReadFile(p.log)
			stdout, _ := os.ReadFile(p.output)
			t.Logf("Caddy at %s, log:\n%s\noutput:\n%s", p.URL, logText, stdout)
		}
	})
	return p
}

// waitReady waits until the process answers, and skips the test when the
// binary predates the back-channel route (a stale build/caddy).
func (p *caddyProcess) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Post(p.URL+testsupport.BackchannelLogoutPath, "application/x-www-form-urlencoded", strings.NewReader(""))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				missing(t, "%s answers %d to an empty back-channel logout, not 400: the binary predates this code; rebuild it with .ci/build-caddy.sh", p.URL, resp.StatusCode)
			}
			return
		}
		select {
		case <-p.exited:
			t.Fatalf("Caddy at %s exited before it answered", p.URL)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("Caddy at %s did not answer within 20s: %v", p.URL, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitSignedOut polls site until b is signed out there, and returns how
// long that took.
func waitSignedOut(t *testing.T, b *testsupport.Browser, siteURL string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		// The sign-out may land between the navigation and the script
		// ([1 0]); being let in again after it ([0 1]) is a fault.
		switch results := signedInAsNavigationAndScript(t, b, siteURL); results {
		case [2]int{0, 0}:
			return time.Since(start)
		case [2]int{0, 1}:
			t.Fatalf("%s signed %s out, then let the script in again", siteURL, b.User)
		}
		if time.Since(start) > signOutReachesOthersWithin {
			t.Fatalf("%s still admits the signed-out session after %v", siteURL, signOutReachesOthersWithin)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestTwoCaddyProcessesShareSignInAndSignOut(t *testing.T) {
	bin := caddyBinary(t)
	for _, c := range []struct{ name, secret string }{
		{"shared cookie_secret", "cookie_secret " + testsupport.CookieSecret + "\n\t\t"},
		{"generated cookie_secret", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := testsupport.StartProvider(t)
			storage := filepath.Join(t.TempDir(), "storage")
			settings := c.secret + testsupport.ProviderSettings(p)
			// Both start at once: with no cookie_secret they race to
			// generate one, and the storage lock must leave them one.
			// Two instances of one site: the first's address is the
			// public one, the redirect_uri of both.
			a := startCaddyProcess(t, bin, storage, "", settings)
			b := startCaddyProcess(t, bin, storage, a.URL, settings)
			a.waitReady(t)
			b.waitReady(t)

			// Cookies ignore ports, and both are one site: one browser is
			// signed in on both.
			alice := signedInBrowser(t, a.URL, "alice")
			if !isSignedIn(t, alice, b.URL) {
				t.Fatal("a sign-in on the first Caddy does not open on the second")
			}
			other := signedInBrowser(t, b.URL, "alice") // another session, signed in on the second
			if !isSignedIn(t, other, a.URL) {
				t.Fatal("a sign-in on the second Caddy does not open on the first")
			}

			token := logoutToken(t, p, "alice", sidOf(t, alice, a.URL), nil)
			if got := postLogoutToken(t, a.URL, token).StatusCode; got != http.StatusOK {
				t.Fatalf("back-channel logout to the first Caddy: %d", got)
			}
			if isSignedIn(t, alice, a.URL) {
				t.Error("the Caddy that took the sign-out still admits the session")
			}
			took := waitSignedOut(t, alice, b.URL)
			t.Logf("a sid sign-out posted to one Caddy reached the other in %v", took.Round(10*time.Millisecond))
			if !isSignedIn(t, other, a.URL) || !isSignedIn(t, other, b.URL) {
				t.Error("the user's other session was signed out by a sid")
			}
			if got := postLogoutToken(t, b.URL, token).StatusCode; got != http.StatusBadRequest {
				t.Errorf("the same token replayed to the other Caddy: %d, want 400", got)
			}

			// Every earlier session of the user, by sub, posted to the second.
			if got := postLogoutToken(t, b.URL, logoutToken(t, p, "alice", "", nil)).StatusCode; got != http.StatusOK {
				t.Fatalf("sub logout to the second Caddy: %d", got)
			}
			took = waitSignedOut(t, other, a.URL)
			t.Logf("a sub sign-out posted to one Caddy reached the other in %v", took.Round(10*time.Millisecond))

			if c.secret == "" {
				logA, _ := os.ReadFile(a.log)
				logB, _ := os.ReadFile(b.log)
				both := string(logA) + string(logB)
				if strings.Count(both, "generated cookie_secret and stored it") != 1 ||
					strings.Count(both, "using the cookie_secret stored in") < 1 {
					t.Errorf("want one Caddy to generate the secret and the other to use it; logs:\n%s", both)
				}
			}
		})
	}
}
