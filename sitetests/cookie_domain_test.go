package sitetests_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// cookie_domain through real Caddy: app1, app2 and the callback site
// auth share example.com; plain.example.com signs in host-only with the
// same secret and client; other.example.net is outside the domain. Every
// name resolves to 127.0.0.1 (domainBrowser), and net/http's cookie jar
// honours Domain as a browser does.

type domainSites struct {
	port             int
	provider         string // the provider's host:port
	app1, app2, auth string
	plain, other     string
}

func startDomainSites(t *testing.T) domainSites {
	t.Helper()
	port := testsupport.FreePort(t)
	s := domainSites{port: port}
	at := func(host string) string { return fmt.Sprintf("http://%s:%d", host, port) }
	s.app1, s.app2, s.auth = at("app1.example.com"), at("app2.example.com"), at("auth.example.com")
	s.plain, s.other = at("plain.example.com"), at("other.example.net")
	// The development provider takes loopback redirect URIs only, unless
	// they are registered.
	cfg := testsupport.ProviderConfig()
	cfg.Clients[0].RedirectURIs = []string{s.auth + "/oauth2callback", s.plain + "/oauth2callback", s.other + "/oauth2callback"}
	p := testsupport.StartProviderWith(t, cfg)
	u, _ := url.Parse(p.MetadataURL())
	s.provider = u.Host
	block := func(redirect, extra string) string {
		return fmt.Sprintf(`oidc_auth {
		redirect_uri %s/oauth2callback
		cookie_secret %s
		%s
		%s
	}
	respond "user={http.auth.user.id}"`, redirect, testsupport.CookieSecret, testsupport.ProviderSettings(p), extra)
	}
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+fmt.Sprintf(`
%s, %s, %s {
	bind 127.0.0.1
	%s
}
%s {
	bind 127.0.0.1
	%s
}
%s {
	bind 127.0.0.1
	%s
}
`, s.app1, s.app2, s.auth, block(s.auth, "cookie_domain example.com"),
		s.plain, block(s.plain, ""), s.other, block(s.other, "")))
	return s
}

// domainBrowser is a browser for which every test host name is 127.0.0.1.
func domainBrowser(t *testing.T, user string) *testsupport.Browser {
	b := testsupport.NewBrowser(t, user)
	b.Client.Transport = loopbackTransport()
	return b
}

func loopbackTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, _ := net.SplitHostPort(addr)
		return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
	}
	return tr
}

// signedInAs asks /auth/user of site without following redirects.
func userAt(t *testing.T, b *testsupport.Browser, site string) string {
	t.Helper()
	resp := b.Do("GET", site+testsupport.UserPath, nil, "application/json")
	return testsupport.ReadBody(t, resp)
}

func visitedProvider(b *testsupport.Browser, provider string) bool {
	for _, u := range b.Trail {
		if strings.Contains(u, provider) {
			return true
		}
	}
	return false
}

func TestCookieDomainOneSignInForEverySiteUnderIt(t *testing.T) {
	s := startDomainSites(t)
	b := domainBrowser(t, "alice")

	// Anonymous at app1: sent to sign in with app1's own address, so the
	// callback on auth.example.com sends the user back to app1.
	nav := testsupport.NoRedirect(b.Jar)
	nav.Transport = loopbackTransport()
	req, _ := http.NewRequest("GET", s.app1+"/page?x=1", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := nav.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := "/auth/login?return_to=" + url.QueryEscape(s.app1+"/page?x=1")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != want {
		t.Fatalf("anonymous page at app1: %d, Location %q, want %q", resp.StatusCode, loc, want)
	}

	status, body := b.Get(s.app1 + "/page?x=1")
	if status != 200 || body != "user=alice" || b.Trail[len(b.Trail)-1] != s.app1+"/page?x=1" {
		t.Fatalf("sign-in at app1: %d %q, trail %v", status, body, b.Trail)
	}
	if !visitedProvider(b, s.provider) || !strings.Contains(strings.Join(b.Trail, " "), s.auth+"/oauth2callback") {
		t.Fatalf("the sign-in did not go through the provider and auth's callback: %v", b.Trail)
	}

	// app2: signed in at once, no trip to the provider.
	status, body = b.Get(s.app2 + "/")
	if status != 200 || body != "user=alice" || visitedProvider(b, s.provider) {
		t.Fatalf("app2 after signing in at app1: %d %q, trail %v", status, body, b.Trail)
	}
	if got := userAt(t, b, s.auth); !strings.Contains(got, `"is_logged_in":true`) {
		t.Errorf("the callback site: %s", got)
	}
	// Outside the domain, and a host-only site under it: not signed in.
	for _, site := range []string{s.other, s.plain} {
		if got := userAt(t, b, site); !strings.Contains(got, `"is_logged_in":false`) {
			t.Errorf("%s sees the domain's user: %s", site, got)
		}
	}

	// Signing out at app2 signs out of app1 too: the cookie is expired on
	// the domain, which the jar (as a browser) applies.
	// (Not followed: the provider's sign-out lands on the site's root,
	// which would sign this browser in again.)
	resp, err = nav.Get(s.app2 + "/auth/logout")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, site := range []string{s.app1, s.app2, s.auth} {
		if got := userAt(t, b, site); !strings.Contains(got, `"is_logged_in":false`) {
			t.Errorf("%s still signed in after signing out at app2: %s", site, got)
		}
	}
}

// The cookies are set with Domain=example.com and the same name on every
// site; expiring them carries the Domain too.
func TestCookieDomainCookiesCarryTheDomain(t *testing.T) {
	s := startDomainSites(t)
	b := domainBrowser(t, "alice")
	b.Get(s.app1 + "/")
	c := testsupport.NoRedirect(b.Jar)
	c.Transport = loopbackTransport()
	resp, err := c.Get(s.app1 + "/auth/logout")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	lines := resp.Header.Values("Set-Cookie")
	if len(lines) == 0 {
		t.Fatal("sign-out expired no cookie")
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, "oidc_auth.example.com") || !strings.Contains(line, "Domain=example.com") {
			t.Errorf("sign-out line %q: not the domain's cookie with Domain=example.com", line)
		}
	}
}

// A host-only session of plain.example.com (same secret, same client)
// renamed as the domain's cookie does not open on the domain's sites.
func TestCookieDomainRefusesAHostOnlySessionRenamed(t *testing.T) {
	s := startDomainSites(t)
	b := domainBrowser(t, "alice")
	if status, body := b.Get(s.plain + "/"); status != 200 || body != "user=alice" {
		t.Fatalf("sign-in at plain: %d %q", status, body)
	}
	u, _ := url.Parse(s.plain)
	var parts []string
	for _, c := range b.Jar.Cookies(u) {
		if testsupport.IsIdentityCookie(c.Name) {
			parts = append(parts, strings.Replace(c.Name, fmt.Sprintf("oidc_auth-%d", s.port), "oidc_auth.example.com", 1)+"="+c.Value)
		}
	}
	if len(parts) == 0 {
		t.Fatal("no identity cookie at plain")
	}
	req, _ := http.NewRequest("GET", s.app1+testsupport.UserPath, nil)
	req.Header.Set("Cookie", strings.Join(parts, "; "))
	resp, err := (&http.Client{Transport: loopbackTransport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := testsupport.ReadBody(t, resp); !strings.Contains(got, `"is_logged_in":false`) {
		t.Errorf("a host-only session opened as the domain's: %s", got)
	}
}

// Open-redirect vectors as return_to at app1, the sign-in completed at the
// callback site: each lands on "/", while a site of the domain is kept.
func TestCookieDomainReturnToStaysInTheDomain(t *testing.T) {
	s := startDomainSites(t)
	vectors := append([]string{
		"http://example.com.evil.com/",
		"http://evilexample.com/",
		fmt.Sprintf("http://app1.example.com:%d@evil.com/", s.port),
		"http://example.com@evil.com/",
		`http://evil.com\.example.com/`,
		`http:\\app1.example.com/`,
		fmt.Sprintf("http://app1.example.com:%d\\@evil.com/", s.port),
		"ftp://app1.example.com/",
		"http://app1.example.com./",
		"http://app1.exa%6dple.com/",
		"http://app1.example.com/%0d%0aSet-Cookie:%20a=b",
	}, redirectVectors...)
	for _, v := range vectors {
		if loc := domainCallbackLocation(t, s.app1, v); loc != "/" {
			t.Errorf("return_to %q: the callback sends the browser to %q", v, loc)
		}
	}
	keep := s.app2 + "/deep?q=1"
	if loc := domainCallbackLocation(t, s.app1, keep); loc != keep {
		t.Errorf("return_to %q: the callback sends the browser to %q", keep, loc)
	}
}

// domainCallbackLocation signs in at site with return_to and returns where
// the callback sends the browser.
func domainCallbackLocation(t *testing.T, site, returnTo string) string {
	t.Helper()
	b := domainBrowser(t, "")
	c := testsupport.NoRedirect(b.Jar)
	c.Transport = loopbackTransport()
	next := site + testsupport.LoginPath + "?return_to=" + url.QueryEscape(returnTo)
	for i := 0; i < 5; i++ {
		u, _ := url.Parse(next)
		if strings.HasSuffix(u.Path, "/authorize") {
			u = testsupport.WithLoginHint(u, "alice")
		}
		resp, err := c.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		if u.Path == testsupport.CallbackPath {
			return resp.Header.Get("Location")
		}
		next = resp.Header.Get("Location")
	}
	t.Fatal("the sign-in never reached the callback")
	return ""
}
