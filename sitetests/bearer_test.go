package sitetests_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// bearerEcho answers with what the next handler sees of a request: the user's
// placeholders and the headers an upstream would get.
const bearerEcho = `respond "id={http.auth.user.id} provider={http.auth.user.provider} email={http.auth.user.email} groups={http.auth.user.groups} scope={http.auth.user.scope} in={http.auth.user.is_logged_in} auth=[{http.request.header.Authorization}] cookie=[{http.request.header.Cookie}] token=[{http.auth.user.tokens.access}] vars=[{http.vars.oidc_auth.bearer}]"`

// apiClient sends requests as a script would: no cookie jar, no redirects
// followed.
var apiClient = testsupport.NoRedirect(nil)

// call sends GET url with these headers and returns the response, read.
func call(t testing.TB, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := apiClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, testsupport.ReadBody(t, resp)
}

// wantNoCookieNoRedirect: a bearer answer never sets a cookie, never redirects.
func wantNoCookieNoRedirect(t testing.TB, what string, resp *http.Response) {
	t.Helper()
	if c := resp.Header.Values("Set-Cookie"); len(c) > 0 {
		t.Errorf("%s: Set-Cookie %q", what, c)
	}
	if loc := resp.Header.Get("Location"); loc != "" || (resp.StatusCode >= 300 && resp.StatusCode < 400) {
		t.Errorf("%s: redirected (%d) to %q", what, resp.StatusCode, loc)
	}
}

func mintToken(t testing.TB, p *devprovider.Provider, m devprovider.Mint) string {
	t.Helper()
	tok, err := p.MintToken(m)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// bearerSite runs one site with two providers ("one", "two") and these
// oidc_auth options, answering with bearerEcho.
func bearerSite(t *testing.T, one, two *devprovider.Provider, options string) string {
	t.Helper()
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri %s/oauth2callback
		%s
		%s
	}
	%s
}
`, port, siteURL, testsupport.TwoProviders(one, two), options, bearerEcho))
	return siteURL
}

func TestBearerTokensAreAdmittedWithTheirClaims(t *testing.T) {
	one, two := testsupport.StartProvider(t), testsupport.StartProvider(t)
	site := bearerSite(t, one, two, "bearer")

	access := mintToken(t, one, devprovider.Mint{User: "alice"})
	id := mintToken(t, two, devprovider.Mint{User: "bob", Type: devprovider.IDTokenType})
	for _, c := range []struct{ name, token, want string }{
		{"access token", access, "id=alice provider=one email=alice@example.com groups=staff scope=openid profile email in=true auth=[] cookie=[] token=[] vars=[]"},
		{"ID token", id, "id=bob provider=two email=bob@example.org groups=admins,staff scope= in=true auth=[] cookie=[] token=[] vars=[]"},
	} {
		// A browser-like Accept too: a bearer request is never sent to sign in.
		resp, body := call(t, site+"/api/items", "Authorization", "Bearer "+c.token, "Accept", "text/html")
		if resp.StatusCode != 200 || body != c.want {
			t.Errorf("%s: %d %q\nwant %q", c.name, resp.StatusCode, body, c.want)
		}
		wantNoCookieNoRedirect(t, c.name, resp)
	}
	// The scheme name is case-insensitive (RFC 7235).
	if resp, body := call(t, site+"/", "Authorization", "bearer "+access); resp.StatusCode != 200 || !strings.HasPrefix(body, "id=alice ") {
		t.Errorf("lower-case scheme: %d %q", resp.StatusCode, body)
	}

	// A token and a session cookie of someone else: the token wins, and the
	// identity cookie never reaches the upstream; other cookies do.
	bob := testsupport.NewBrowser(t, "bob")
	if status, _ := bob.Get(site + "/auth/login?provider=one"); status != 200 {
		t.Fatalf("bob's sign-in: %d", status)
	}
	var cookies []string
	for _, c := range bob.Cookies(site) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	resp, body := call(t, site+"/", "Authorization", "Bearer "+access, "Cookie", strings.Join(append(cookies, "theme=dark"), "; "))
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "id=alice provider=one ") || !strings.Contains(body, "cookie=[theme=dark]") {
		t.Errorf("token with bob's cookie: %d %q", resp.StatusCode, body)
	}
	wantNoCookieNoRedirect(t, "token with a cookie", resp)
}

func TestBearerTokenReachesUpstreamsOnlyWhenExposed(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "bearer\n\t\texpose_tokens access", bearerEcho))
	tok := mintToken(t, p, devprovider.Mint{User: "alice"})
	resp, body := call(t, testsupport.SiteURL(port)+"/", "Authorization", "Bearer "+tok)
	if resp.StatusCode != 200 || !strings.Contains(body, "auth=[Bearer "+tok+"]") || !strings.Contains(body, "token=["+tok+"]") {
		t.Errorf("with expose_tokens access: %d %.300q", resp.StatusCode, body)
	}
}

func TestBearerAudiences(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "bearer https://api.example.com api://second", bearerEcho))
	site := testsupport.SiteURL(port)
	for _, c := range []struct {
		aud  any
		want int
	}{
		{"https://api.example.com", 200},
		{"api://second", 200},
		{[]string{"other", "https://api.example.com"}, 200},
		{testsupport.ClientID, 401}, // the client_id is the default only when no audience is listed
		{"https://api.example.com/", 401},
	} {
		aud, want := c.aud, c.want
		tok := mintToken(t, p, devprovider.Mint{User: "alice", Audience: aud})
		if resp, body := call(t, site+"/", "Authorization", "Bearer "+tok); resp.StatusCode != want {
			t.Errorf("aud %v: %d %q, want %d", aud, resp.StatusCode, body, want)
		}
	}
}

func TestBearerAllowRulesGive403(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "bearer\n\t\tallow {\n\t\t\tclaim groups admins\n\t\t}", bearerEcho))
	site := testsupport.SiteURL(port)
	alice := mintToken(t, p, devprovider.Mint{User: "alice"})
	resp, body := call(t, site+"/", "Authorization", "Bearer "+alice, "Accept", "text/html")
	if resp.StatusCode != http.StatusForbidden || !strings.HasPrefix(body, "403 Forbidden") || strings.Contains(body, "<") {
		t.Errorf("alice: %d %q, want a plain 403", resp.StatusCode, body)
	}
	if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") || !strings.Contains(got, `error="insufficient_scope"`) {
		t.Errorf("alice's 403: WWW-Authenticate %q", got)
	}
	wantNoCookieNoRedirect(t, "alice", resp)
	bob := mintToken(t, p, devprovider.Mint{User: "bob"})
	if resp, body := call(t, site+"/", "Authorization", "Bearer "+bob); resp.StatusCode != 200 || !strings.HasPrefix(body, "id=bob ") {
		t.Errorf("bob: %d %q", resp.StatusCode, body)
	}
}

// A site-wide handler and a stricter one for /admin/*: the first takes the
// token (and removes the header); the second still checks it, with its own
// rules.
func TestBearerThroughTwoHandlers(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	site := testsupport.SiteURL(port)
	common := fmt.Sprintf("redirect_uri %s/oauth2callback\n\t\tcookie_secret %s\n\t\t%s\n\t\tbearer",
		site, testsupport.CookieSecret, testsupport.ProviderSettings(p))
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	oidc_auth {
		%s
	}
	@admin path /admin/*
	oidc_auth @admin {
		%s
		allow {
			claim groups admins
		}
	}
	%s
}
`, port, common, common, bearerEcho))
	alice := mintToken(t, p, devprovider.Mint{User: "alice"})
	if resp, body := call(t, site+"/docs", "Authorization", "Bearer "+alice); resp.StatusCode != 200 || !strings.HasPrefix(body, "id=alice ") {
		t.Errorf("alice /docs: %d %q", resp.StatusCode, body)
	}
	if resp, body := call(t, site+"/admin/x", "Authorization", "Bearer "+alice); resp.StatusCode != 403 {
		t.Errorf("alice /admin: %d %q", resp.StatusCode, body)
	}
	bob := mintToken(t, p, devprovider.Mint{User: "bob"})
	if resp, body := call(t, site+"/admin/x", "Authorization", "Bearer "+bob); resp.StatusCode != 200 || !strings.HasPrefix(body, "id=bob ") {
		t.Errorf("bob /admin: %d %q", resp.StatusCode, body)
	}
}

// Every 401 says what the site accepts: with bearer, a Bearer challenge
// (RFC 6750 3); always, the sign-in route that sets the identity cookie.
func TestAnonymous401sCarryAChallenge(t *testing.T) {
	p := testsupport.StartProvider(t)
	for _, c := range []struct {
		options string
		want    []string
	}{
		{"", []string{`Cookie realm="127.0.0.1:%d", form-action="/auth/login"`}},
		{"bearer", []string{`Bearer realm="127.0.0.1:%d"`, `Cookie realm="127.0.0.1:%d", form-action="/auth/login"`}},
	} {
		port := testsupport.FreePort(t)
		testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), c.options, bearerEcho))
		site := testsupport.SiteURL(port)
		resp, body := call(t, site+"/api", "Accept", "application/json")
		got := resp.Header.Values("WWW-Authenticate")
		if resp.StatusCode != 401 || len(got) != len(c.want) {
			t.Errorf("%q: %d %q, WWW-Authenticate %q", c.options, resp.StatusCode, body, got)
			continue
		}
		for i, w := range c.want {
			if w = strings.ReplaceAll(w, "%d", fmt.Sprint(port)); got[i] != w {
				t.Errorf("%q: WWW-Authenticate %q, want %q", c.options, got[i], w)
			}
		}
		// A browser opening a page is still sent to sign in.
		if resp, _ := call(t, site+"/", "Accept", "text/html"); resp.StatusCode != http.StatusFound {
			t.Errorf("%q: navigation got %d, want the sign-in redirect", c.options, resp.StatusCode)
		}
	}
}

// A token that expires while remembered is refused from its exp on.
func TestBearerExpiresWhileCached(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "bearer", bearerEcho))
	site := testsupport.SiteURL(port)
	tok := mintToken(t, p, devprovider.Mint{User: "alice", TTL: 2 * time.Second})
	if resp, _ := call(t, site+"/", "Authorization", "Bearer "+tok); resp.StatusCode != 200 {
		t.Fatalf("fresh token: %d", resp.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, _ := call(t, site+"/", "Authorization", "Bearer "+tok)
		if resp.StatusCode == 401 {
			if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) || !strings.Contains(got, "expired") {
				t.Errorf("expired: WWW-Authenticate %q", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a token 3 s past its exp is still admitted")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
