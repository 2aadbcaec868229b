package sitetests_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// backchannelEventURI is the event every logout token must carry.
const backchannelEventURI = "http://schemas.openid.net/event/backchannel-logout"

// ownSite is a site run by in-process Caddy with a storage folder and a log
// file of its own, so a test can look into both.
type ownSite struct {
	URL       string
	Port      int
	storage   string
	log       string
	caddyfile string
}

// ownSiteCaddyfile serves http://127.0.0.1:port behind oidc_auth with these
// settings (the provider lines, cookie_secret or not), answering with the
// user's id; Caddy's storage and log go to the given paths.
func ownSiteCaddyfile(port int, storage, logFile, settings string) string {
	return instanceCaddyfile(port, testsupport.SiteURL(port), storage, logFile, settings)
}

// instanceCaddyfile is ownSiteCaddyfile for one instance of the site whose
// public address is public: its redirect_uri, whatever port it listens on.
func instanceCaddyfile(port int, public, storage, logFile, settings string) string {
	return fmt.Sprintf("{\n\tadmin off\n\tauto_https off\n\tpersist_config off\n\tgrace_period 1s\n"+
		"\tstorage file_system `%s`\n\tlog {\n\t\toutput file `%s`\n\t\tlevel INFO\n\t}\n}\n"+`
http://127.0.0.1:%d {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri %s/oauth2callback
		%s
	}
	respond "id={http.auth.user.id} provider={http.auth.user.provider}"
}
`, storage, logFile, port, public, settings)
}

func startOwnSite(t *testing.T, settings string) *ownSite {
	t.Helper()
	dir := t.TempDir()
	port := testsupport.FreePort(t)
	s := &ownSite{URL: testsupport.SiteURL(port), Port: port,
		storage: filepath.Join(dir, "storage"), log: filepath.Join(dir, "caddy.log")}
	s.caddyfile = ownSiteCaddyfile(port, s.storage, s.log, settings)
	testsupport.StartCaddy(t, s.caddyfile)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Caddy's log:\n%s", s.readLog(t))
		}
	})
	return s
}

func (s *ownSite) readLog(t testing.TB) string {
	data, err := os.ReadFile(s.log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

// signedInBrowser signs user in at site and checks that the site sees them.
func signedInBrowser(t testing.TB, siteURL, user string) *testsupport.Browser {
	t.Helper()
	b := testsupport.NewBrowser(t, user)
	status, body := b.Get(siteURL + "/")
	if status != http.StatusOK || !strings.Contains(body, "id="+user+" ") {
		t.Fatalf("signing in %s: %d %q (trail %v)", user, status, body, b.Trail)
	}
	return b
}

// sidOf is the provider session id of b's sign-in, from /auth/user.
func sidOf(t testing.TB, b *testsupport.Browser, siteURL string) string {
	t.Helper()
	resp := b.Do("GET", siteURL+testsupport.UserPath, nil, "application/json")
	var u map[string]any
	if err := json.Unmarshal([]byte(testsupport.ReadBody(t, resp)), &u); err != nil {
		t.Fatal(err)
	}
	sid, _ := u["sid"].(string)
	if sid == "" {
		t.Fatalf("the session carries no sid: %v", u)
	}
	return sid
}

// isSignedIn asks a protected page with b's cookies, as a navigation (no
// redirect followed) and as a script: true when both get the page, false
// when the navigation is sent to sign in and the script gets 401.
func isSignedIn(t testing.TB, b *testsupport.Browser, siteURL string) bool {
	t.Helper()
	results := signedInAsNavigationAndScript(t, b, siteURL)
	if results[0] != results[1] {
		t.Fatalf("navigation and script disagree on whether %s is signed in: %v", b.User, results)
	}
	return results[0] == 1
}

// signedInAsNavigationAndScript asks the protected page as a navigation,
// then as a script: 1 for the page, 0 for a sign-in redirect or a 401.
func signedInAsNavigationAndScript(t testing.TB, b *testsupport.Browser, siteURL string) [2]int {
	t.Helper()
	c := testsupport.NoRedirect(b.Jar)
	var results [2]int
	for i, accept := range []string{"text/html", "application/json"} {
		req, _ := http.NewRequest("GET", siteURL+"/private", nil)
		req.Header.Set("Accept", accept)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := testsupport.ReadBody(t, resp)
		switch {
		case resp.StatusCode == http.StatusOK && strings.Contains(body, "id="+b.User+" "):
			results[i] = 1
		case accept == "text/html" && resp.StatusCode == http.StatusFound && strings.HasPrefix(resp.Header.Get("Location"), testsupport.LoginPath):
			results[i] = 0
		case accept == "application/json" && resp.StatusCode == http.StatusUnauthorized:
			results[i] = 0
		default:
			t.Fatalf("GET /private (Accept %s) as %s: %d %q", accept, b.User, resp.StatusCode, body)
		}
	}
	return results
}

// postLogoutToken posts a back-channel logout as a provider does.
func postLogoutToken(t testing.TB, siteURL, token string) *http.Response {
	t.Helper()
	resp, err := http.PostForm(siteURL+testsupport.BackchannelLogoutPath, url.Values{"logout_token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func logoutToken(t testing.TB, p *devprovider.Provider, sub, sid string, tweak func(map[string]any)) string {
	t.Helper()
	tok, err := p.LogoutToken(sub, sid, tweak)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestBackchannelLogoutBySIDEndsThatSessionOnly(t *testing.T) {
	p := testsupport.StartProvider(t)
	site := startOwnSite(t, "cookie_secret "+testsupport.CookieSecret+"\n\t\t"+testsupport.ProviderSettings(p))
	first := signedInBrowser(t, site.URL, "alice")
	second := signedInBrowser(t, site.URL, "alice")
	sid := sidOf(t, first, site.URL)
	if sid == sidOf(t, second, site.URL) {
		t.Fatal("two sign-ins share a sid; the test cannot tell them apart")
	}

	token := logoutToken(t, p, "alice", sid, nil)
	resp := postLogoutToken(t, site.URL, token)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("valid logout token: %d, Cache-Control %q; want 200, no-store", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if isSignedIn(t, first, site.URL) {
		t.Error("the session the sid names is still signed in")
	}
	if !isSignedIn(t, second, site.URL) {
		t.Error("another session of the same user was signed out by a sid")
	}
	if got := postLogoutToken(t, site.URL, token).StatusCode; got != http.StatusBadRequest {
		t.Errorf("replayed logout token: %d, want 400", got)
	}
	// Signing in again works at once: a sid ends one session, not the user.
	if status, body := first.Get(site.URL + "/"); status != http.StatusOK || !strings.Contains(body, "id=alice ") {
		t.Errorf("signing in again after the sign-out: %d %q", status, body)
	}

	log := site.readLog(t)
	if !strings.Contains(log, "signed out by the provider (back-channel)") || !strings.Contains(log, sid) {
		t.Errorf("the log does not record the sign-out with its sid:\n%s", log)
	}
	if strings.Contains(log, token) || strings.Contains(log, strings.Split(token, ".")[2]) {
		t.Error("the log holds the logout token")
	}
	entries, _ := filepath.Glob(filepath.Join(site.storage, "oidc_auth", "revoked", "iss-*", "sid", "*"))
	if len(entries) != 1 {
		t.Errorf("storage holds %d sid revocations, want 1: %v", len(entries), entries)
	}
}

func TestBackchannelLogoutBySubEndsEarlierSessionsOfThatUser(t *testing.T) {
	p := testsupport.StartProvider(t)
	site := startOwnSite(t, "cookie_secret "+testsupport.CookieSecret+"\n\t\t"+testsupport.ProviderSettings(p))
	alice1 := signedInBrowser(t, site.URL, "alice")
	alice2 := signedInBrowser(t, site.URL, "alice")
	bob := signedInBrowser(t, site.URL, "bob")

	if got := postLogoutToken(t, site.URL, logoutToken(t, p, "alice", "", nil)).StatusCode; got != http.StatusOK {
		t.Fatalf("valid sub logout token: %d", got)
	}
	if isSignedIn(t, alice1, site.URL) || isSignedIn(t, alice2, site.URL) {
		t.Error("a session of alice started before the token is still signed in")
	}
	if !isSignedIn(t, bob, site.URL) {
		t.Error("another user was signed out")
	}
	// A sign-in after the token is not touched. Times are kept to the
	// second and a session of the token's own second counts as earlier.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
	again := signedInBrowser(t, site.URL, "alice")
	if !isSignedIn(t, again, site.URL) {
		t.Error("a sign-in after the sub logout is signed out too")
	}
}

func TestBackchannelLogoutRefusesInvalidTokens(t *testing.T) {
	p := testsupport.StartProvider(t)
	stranger := testsupport.StartProvider(t) // same client registration, other keys
	site := startOwnSite(t, "cookie_secret "+testsupport.CookieSecret+"\n\t\t"+testsupport.ProviderSettings(p))
	b := signedInBrowser(t, site.URL, "alice")
	sid := sidOf(t, b, site.URL)
	now := time.Now()

	// Each token names the signed-in session, so accepting one would show.
	for _, c := range []struct {
		name     string
		behavior devprovider.Behavior
		from     *devprovider.Provider
		tweak    func(map[string]any)
	}{
		{name: "unsigned (alg none)", behavior: devprovider.Behavior{Alg: "none"}},
		{name: "HS256 with the client secret (alg not offered)", behavior: devprovider.Behavior{Alg: "HS256"}},
		{name: "broken signature", behavior: devprovider.Behavior{BreakSignature: true}},
		{name: "signed with another provider's keys", from: stranger, tweak: func(c map[string]any) { c["iss"] = p.Issuer() }},
		{name: "no events", tweak: func(c map[string]any) { delete(c, "events") }},
		{name: "another event only", tweak: func(c map[string]any) {
			c["events"] = map[string]any{"http://schemas.openid.net/event/other": map[string]any{}}
		}},
		{name: "event not an object", tweak: func(c map[string]any) { c["events"] = map[string]any{backchannelEventURI: "yes"} }},
		{name: "with a nonce", tweak: func(c map[string]any) { c["nonce"] = "n-0123456789abcdef" }},
		{name: "wrong aud", tweak: func(c map[string]any) { c["aud"] = "another-client" }},
		{name: "wrong iss", tweak: func(c map[string]any) { c["iss"] = "https://idp.example.com" }},
		{name: "neither sub nor sid", tweak: func(c map[string]any) { delete(c, "sub"); delete(c, "sid") }},
		{name: "no jti", tweak: func(c map[string]any) { delete(c, "jti") }},
		{name: "expired", tweak: func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() }},
		{name: "no exp", tweak: func(c map[string]any) { delete(c, "exp") }},
		{name: "issued in the future", tweak: func(c map[string]any) { c["iat"] = now.Add(time.Hour).Unix() }},
	} {
		from := c.from
		if from == nil {
			from = p
		}
		from.SetBehavior(c.behavior)
		token := logoutToken(t, from, "alice", sid, c.tweak)
		from.SetBehavior(devprovider.Behavior{})
		resp := postLogoutToken(t, site.URL, token)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.name, resp.StatusCode)
		}
	}
	// Not a token at all, or not a form.
	for name, body := range map[string]string{
		"empty form":       "",
		"no token":         "token=x",
		"garbage":          "logout_token=garbage",
		"three garbage":    "logout_token=a.b.c",
		"bad encoding":     "logout_token=%zz",
		"an oversize form": "logout_token=" + strings.Repeat("a", testsupport.MaxLogoutRequestBytes+1),
	} {
		resp, err := http.Post(site.URL+testsupport.BackchannelLogoutPath, "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, resp.StatusCode)
		}
	}
	resp, err := http.Get(site.URL + testsupport.BackchannelLogoutPath + "?logout_token=" + logoutToken(t, p, "alice", sid, nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
	if !isSignedIn(t, b, site.URL) {
		t.Fatal("an invalid logout request signed the user out")
	}
	if got := postLogoutToken(t, site.URL, logoutToken(t, p, "alice", sid, nil)).StatusCode; got != http.StatusOK {
		t.Errorf("a valid token after the refusals: %d, want 200", got)
	}
	if isSignedIn(t, b, site.URL) {
		t.Error("the valid token did not sign the user out")
	}
}

func TestBackchannelLogoutFindsTheProviderThatSignedIt(t *testing.T) {
	one, two := testsupport.StartProvider(t), testsupport.StartProvider(t)
	site := startOwnSite(t, testsupport.TwoProviders(one, two))
	signIn := func(provider string) *testsupport.Browser {
		b := testsupport.NewBrowser(t, "alice")
		status, body := b.Get(site.URL + testsupport.LoginPath + "?provider=" + provider)
		if status != http.StatusOK || !strings.Contains(body, "provider="+provider) {
			t.Fatalf("sign-in with %s: %d %q", provider, status, body)
		}
		return b
	}
	atOne, atTwo := signIn("one"), signIn("two")
	if got := postLogoutToken(t, site.URL, logoutToken(t, two, "alice", "", nil)).StatusCode; got != http.StatusOK {
		t.Fatalf("a token of the second provider: %d, want 200", got)
	}
	if isSignedIn(t, atTwo, site.URL) {
		t.Error("the session at the provider that signed the token is still signed in")
	}
	if !isSignedIn(t, atOne, site.URL) {
		t.Error("the same user at another provider was signed out")
	}
	unknown := testsupport.StartProvider(t)
	if got := postLogoutToken(t, site.URL, logoutToken(t, unknown, "alice", "", nil)).StatusCode; got != http.StatusBadRequest {
		t.Errorf("a token of a provider this site does not use: %d, want 400", got)
	}
}
