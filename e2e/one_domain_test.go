package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/chromedp/chromedp"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// TestBrowserOneDomain: three sites under oidc.test (app1, app2 and the
// callback site auth), which Chromium resolves to 127.0.0.1, share one
// sign-in through cookie_domain. Signing in once at app1 (through auth's
// callback, back to app1's page) signs the browser in at app2 without
// another trip to the provider; signing out at app2 signs out of app1.
func TestBrowserOneDomain(t *testing.T) {
	port := testsupport.FreePort(t)
	at := func(host string) string { return fmt.Sprintf("http://%s.oidc.test:%d", host, port) }
	app1, app2, auth := at("app1"), at("app2"), at("auth")
	demo := testsupport.StartProviderWith(t, devprovider.Config{
		Users:   devprovider.DemoUsers(),
		Clients: []devprovider.Client{{ID: demoClientID, Secret: demoClientSecret, RedirectURIs: []string{auth + "/oauth2callback"}}},
	})
	state := t.TempDir()
	caddyfile := fmt.Sprintf("{\n\tadmin off\n\tauto_https off\n\tpersist_config off\n\tgrace_period 2s\n"+
		"\tstorage file_system `%s`\n}\n\n"+
		"%s, %s, %s {\n\tbind 127.0.0.1\n"+
		"\toidc_auth {\n\t\tredirect_uri %s/oauth2callback\n\t\tcookie_secret %s\n\t\tcookie_domain oidc.test\n%s\t}\n"+
		"\ttemplates\n\troot * `%s`\n\tfile_server\n}\n",
		filepath.Join(state, "storage"), app1, app2, auth, auth, testCookieSecret,
		providerLines("\t\t", demoClientID, demoClientSecret, demo.MetadataURL()), exampleSiteDir(t))
	if err := caddy.Load(testsupport.AdaptCaddyfile(t, caddyfile), true); err != nil {
		t.Fatalf("loading Caddy: %v", err)
	}
	t.Cleanup(func() { _ = caddy.Stop() })
	waitSite(t, port, "app1.oidc.test")

	tab := newBrowserWith(t, chromedp.Flag("host-resolver-rules", "MAP *.oidc.test 127.0.0.1"))
	page1 := app1 + "/index.html?from=app1"
	openPage(t, tab, "open a protected page of app1", page1)
	alice := demoUser(t, "alice")
	signInAtDemo(t, tab, demo, alice.Username, alice.Password)
	if loc := location(t, tab); loc != page1 {
		t.Errorf("after signing in (callback at %s) the tab is at %s, want app1's page %s", auth, loc, page1)
	}
	if got := readShownUser(t, tab); got.Email != alice.Claims["email"] {
		t.Errorf("app1 shows %+v, want alice", got)
	}

	before := demo.Counts()
	page2 := app2 + "/index.html?from=app2"
	if loc := openPage(t, tab, "open app2", page2); loc != page2 {
		t.Fatalf("app2 sent the signed-in browser to %s", loc)
	}
	if got := readShownUser(t, tab); got.Email != alice.Claims["email"] {
		t.Errorf("app2 shows %+v, want alice, signed in at app1", got)
	}
	if after := demo.Counts(); after.Authorize != before.Authorize {
		t.Errorf("app2 sent the browser to the provider %d times, want none", after.Authorize-before.Authorize)
	}
	for _, c := range browserCookies(t, tab, page2) {
		if strings.HasPrefix(c.Name, "oidc_auth") && c.Domain != ".oidc.test" && c.Domain != "oidc.test" {
			t.Errorf("cookie %s has domain %q, want oidc.test", c.Name, c.Domain)
		}
	}

	// Sign out at app2: the provider's end-session endpoint sends the
	// browser back to the callback site, which (anonymous now) asks to sign
	// in; app1 then asks too.
	runSteps(t, tab, "sign out at app2", chromedp.Click(siteSignOut), chromedp.WaitVisible(demoUsernameField))
	openPage(t, tab, "open app1 after signing out at app2", page1)
	runSteps(t, tab, "be asked to sign in at app1", chromedp.WaitVisible(demoUsernameField))
	requireAt(t, tab, "be asked to sign in at app1", demo.Issuer()+"/")
	for _, c := range browserCookies(t, tab, page1) {
		if testsupport.IsIdentityCookie(strings.Replace(c.Name, "oidc_auth.oidc.test", "oidc_auth", 1)) {
			t.Errorf("the browser still holds %s after signing out", c.Name)
		}
	}
}

// waitSite waits until Caddy answers host on 127.0.0.1:port.
func waitSite(t testing.TB, port int, host string) {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/auth/user", port), nil)
	req.Host = fmt.Sprintf("%s:%d", host, port)
	for i := 0; i < 100; i++ {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("Caddy does not answer %s", host)
}
