package oidcauth

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// The test client registered at every test provider.
const (
	testClientID     = "caddy-site"
	testClientSecret = "test-client-secret"
	testCookieSecret = "test-cookie-secret-0123456789abcdef"
)

// freePort finds a loopback port for a server the test is about to start.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startCaddy adapts a Caddyfile and runs it in this process: real Caddy
// with the real module. The config is stopped when the test ends.
func startCaddy(t testing.TB, caddyfile string) {
	t.Helper()
	if err := loadCaddyfile(caddyfile); err != nil {
		t.Fatalf("loading Caddyfile: %v\n%s", err, caddyfile)
	}
	t.Cleanup(func() { _ = caddy.Stop() })
}

func loadCaddyfile(caddyfile string) error {
	cfgJSON, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), nil)
	if err != nil {
		return err
	}
	return caddy.Load(cfgJSON, true)
}

// globalOptions keeps test Caddy instances off the admin port, away from
// certificates and out of the user's own Caddy storage.
var globalOptions = "{\n\tadmin off\n\tauto_https off\n\tpersist_config off\n\tstorage file_system " +
	testStorageDir() + "\n}\n"

// testStorageDir is this test process's own Caddy storage, so that two runs
// at once (or a run after another) never share a secret, revocations or jtis.
func testStorageDir() string {
	dir, err := os.MkdirTemp("", "oidcauth-test-storage-")
	if err != nil {
		return filepath.Join(os.TempDir(), "oidcauth-test-storage")
	}
	return dir
}

// startProvider runs the project's development provider with the test
// client, signing in whoever a login_hint names.
func startProvider(t testing.TB, users ...devprovider.User) *devprovider.Provider {
	t.Helper()
	return startProviderWith(t, devprovider.Config{
		Users:          append(devprovider.DemoUsers(), users...),
		Clients:        []devprovider.Client{{ID: testClientID, Secret: testClientSecret}},
		TrustLoginHint: true,
		AnyUser:        true,
	})
}

// startProviderWith runs the development provider with cfg until the test ends.
func startProviderWith(t testing.TB, cfg devprovider.Config) *devprovider.Provider {
	t.Helper()
	p, err := devprovider.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// browser is an HTTP client that behaves like a browser for our purposes:
// a cookie jar, Accept: text/html, redirects followed; at the provider it
// signs in as the user it was made for (login_hint).
type browser struct {
	t      testing.TB
	client *http.Client
	jar    *cookiejar.Jar
	user   string
	trail  []string // every URL visited by the last request, redirects included
}

func newBrowser(t testing.TB, user string) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, jar: jar, user: user}
	b.client = &http.Client{
		Jar:     jar,
		Timeout: 20 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return fmt.Errorf("redirect loop: %v", b.trail)
			}
			if strings.HasSuffix(req.URL.Path, "/authorize") && b.user != "" {
				req.URL = withLoginHint(req.URL, b.user)
			}
			b.trail = append(b.trail, req.URL.String())
			return nil
		},
	}
	return b
}

// get opens rawURL as a page navigation and returns the final response's
// status and body.
func (b *browser) get(rawURL string) (int, string) {
	b.t.Helper()
	resp := b.do("GET", rawURL, nil, "text/html,application/xhtml+xml")
	return resp.StatusCode, readBody(b.t, resp)
}

func (b *browser) do(method, rawURL string, body io.Reader, accept string) *http.Response {
	b.t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	b.trail = []string{rawURL}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	return resp
}

// cookies lists the cookies the browser holds for rawURL.
func (b *browser) cookies(rawURL string) []*http.Cookie {
	u, _ := url.Parse(rawURL)
	return b.jar.Cookies(u)
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// noRedirect is a client that shows each redirect instead of following it.
func noRedirect(jar http.CookieJar) *http.Client {
	return &http.Client{
		Jar:           jar,
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// callbackResponse walks a sign-in one redirect at a time, as user, and
// returns the callback's own response, so a test can read its Set-Cookie.
func callbackResponse(t testing.TB, siteURL, user string) *http.Response {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := noRedirect(jar)
	next := siteURL + "/auth/login"
	for i := 0; i < 5; i++ {
		u, _ := url.Parse(next)
		if strings.HasSuffix(u.Path, "/authorize") {
			u = withLoginHint(u, user)
		}
		resp, err := c.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if strings.HasPrefix(u.String(), siteURL+"/oauth2callback") {
			return resp
		}
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		next = resp.Header.Get("Location")
	}
	t.Fatal("the sign-in never reached the callback")
	return nil
}

// siteCaddyfile is a Caddyfile for one site on 127.0.0.1:port protected by
// oidc_auth against the provider at metadataURL; options go inside the
// oidc_auth block, handlers after it.
func siteCaddyfile(port int, metadataURL, options, handlers string) string {
	return globalOptions + fmt.Sprintf(`
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
`, port, port, testCookieSecret, testClientID, testClientSecret, metadataURL, options, handlers)
}

func siteURLOf(port int) string { return fmt.Sprintf("http://127.0.0.1:%d", port) }

// withLoginHint is the authorization URL u asking the test provider (with
// TrustLoginHint) to sign user in at once, without its form.
func withLoginHint(u *url.URL, user string) *url.URL {
	c := *u
	q := c.Query()
	q.Set("login_hint", user)
	c.RawQuery = q.Encode()
	return &c
}

// twoProviders is the oidc_auth configuration of a site with the named
// providers one and two, both knowing the test client.
func twoProviders(one, two *devprovider.Provider) string {
	return fmt.Sprintf(`cookie_secret %s
		provider one {
			client_id %s
			client_secret %s
			server_metadata_url %s
		}
		provider two {
			client_id %s
			client_secret %s
			server_metadata_url %s
		}`, testCookieSecret, testClientID, testClientSecret, one.MetadataURL(), testClientID, testClientSecret, two.MetadataURL())
}
