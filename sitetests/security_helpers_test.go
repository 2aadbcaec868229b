package sitetests_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// Helpers for the tests that attack the sign-in: they walk a sign-in one
// redirect at a time, so a test can take it apart and put it back wrongly.

// loginStart is a sign-in as /auth/login started it: the login-state
// cookie it set and the authorization request it sent the browser to.
type loginStart struct {
	cookie    *http.Cookie
	authorize *url.URL
}

// state is the state parameter this sign-in sent to the provider.
func (ls loginStart) state() string { return ls.authorize.Query().Get("state") }

// startSignIn opens siteURL+path (a /auth/login address) without following
// redirects and returns the login-state cookie and the authorization URL.
func startSignIn(t testing.TB, siteURL, path string) loginStart {
	t.Helper()
	resp, err := testsupport.NoRedirect(nil).Get(siteURL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return loginStartFrom(t, resp)
}

// loginStartFrom reads a /auth/login answer: a 302 to the provider that sets
// one login-state cookie.
func loginStartFrom(t testing.TB, resp *http.Response) loginStart {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("starting a sign-in: %d, want 302 to the provider", resp.StatusCode)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasSuffix(u.Path, "/authorize") {
		t.Fatalf("starting a sign-in: redirected to %q, want the provider's /authorize", resp.Header.Get("Location"))
	}
	for _, c := range resp.Cookies() {
		if testsupport.IsLoginCookie(c.Name) && c.MaxAge > 0 {
			return loginStart{cookie: c, authorize: u}
		}
	}
	t.Fatalf("starting a sign-in set no login-state cookie: %v", resp.Header.Values("Set-Cookie"))
	return loginStart{}
}

// authorizeAs sends the authorization request to the provider, signing in
// as user (login_hint), and returns the callback URL the provider sent the
// browser back to, with its code and state.
func authorizeAs(t testing.TB, ls loginStart, user string) *url.URL {
	t.Helper()
	u := testsupport.WithLoginHint(ls.authorize, user)
	resp, err := testsupport.NoRedirect(nil).Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cb, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || cb.Query().Get("code") == "" {
		t.Fatalf("provider answered %d to %q, want a redirect with a code", resp.StatusCode, resp.Header.Get("Location"))
	}
	return cb
}

// callbackWith returns cb with code and state replaced (kept when empty).
func callbackWith(cb *url.URL, code, state string) string {
	u := *cb
	q := u.Query()
	if code != "" {
		q.Set("code", code)
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// getWithCookies GETs rawURL as a browser navigation carrying exactly these
// cookies, without following redirects.
func getWithCookies(t testing.TB, rawURL string, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := testsupport.NoRedirect(nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// identityCookies are the identity cookie and its pieces that resp sets
// (not those it expires).
// wantRefused checks that a callback was refused as a bad request: 4xx, an
// HTML page, and no identity cookie.
func wantRefused(t testing.TB, what string, resp *http.Response) {
	t.Helper()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("%s: status %d (Location %q), want 4xx", what, resp.StatusCode, resp.Header.Get("Location"))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type %q, want an HTML error page", what, ct)
	}
	if ids := testsupport.IdentityCookies(resp); len(ids) > 0 {
		t.Errorf("%s: set the identity cookie %s", what, ids[0].Name)
	}
}

// wantSignedOut checks that a protected page treats these cookies as no
// sign-in at all: a navigation goes to sign in, a script gets 401.
func wantSignedOut(t testing.TB, siteURL, what string, client *http.Client, header string) {
	t.Helper()
	for _, accept := range []string{"text/html", "application/json"} {
		status, loc := statusWithCookieHeader(t, client, siteURL+"/private", accept, header)
		want := http.StatusUnauthorized
		if accept == "text/html" {
			want = http.StatusFound
		}
		if status != want || (want == http.StatusFound && !strings.HasPrefix(loc, testsupport.LoginPath)) {
			t.Errorf("%s (Accept %s): %d to %q, want %d as signed out", what, accept, status, loc, want)
		}
	}
}

// statusWithCookieHeader sends one request with this exact Cookie header
// and returns the status and Location.
func statusWithCookieHeader(t testing.TB, client *http.Client, rawURL, accept, header string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	if header != "" {
		req.Header.Set("Cookie", header)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		t.Errorf("GET %s with a hostile cookie: %d", rawURL, resp.StatusCode)
	}
	return resp.StatusCode, resp.Header.Get("Location")
}

// joinCookies joins cookies into a Cookie request header.
// forgeSession seals sess with secret, as the module on site s would with
// that cookie_secret, and returns the identity cookies.
// forgerJar is the jar of the module on site s, had its cookie_secret been
// secret: same name, scope and clients. A session naming a provider the
// site lacks is bound as if that provider were the site's own.
// attackSiteConfig is a Caddyfile for one site at port with oidc_auth in front of
// a page naming the user; settings go inside the oidc_auth block and must
// set cookie_secret and the provider(s).
func attackSiteConfig(t testing.TB, port int, settings string) string {
	return testsupport.GlobalOptions(t) + fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri http://127.0.0.1:%d/oauth2callback
		%s
	}
	respond "id={http.auth.user.id} provider={http.auth.user.provider}"
}
`, port, port, settings)
}

// attackProviderSettings are the oidc_auth lines for the default provider p.
// sendRawRequest sends target as the request target exactly as given, bytes a
// Go client would refuse (tabs, backslashes, absolute forms) included, and
// returns the response. The HTTP server may refuse it before Caddy sees it.
func sendRawRequest(t testing.TB, addr, target string, header http.Header) *http.Response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", target, addr)
	for k, vs := range header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	if _, err := conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("raw GET %q: %v", target, err)
	}
	// Read the body now, while the connection is open; callers may look.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

// reloadCaddy loads a new config into the running Caddy, as `caddy reload`
// does, and waits until requests reach the new one. Caddy stops the old
// servers in the background after Load returns; until then a connection
// may land on the old socket and be reset, which a browser would retry.
// Kept-alive connections of the old servers are dropped too.
