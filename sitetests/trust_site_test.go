package sitetests_test

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// siteBlock is one site of a multi-site Caddyfile: 127.0.0.1:port behind
// oidc_auth with the given settings, printing who is signed in.
func siteBlock(port int, settings string) string {
	return fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri http://127.0.0.1:%d/oauth2callback
		%s
	}
	respond "site %d: id={http.auth.user.id} email={http.auth.user.email} via {http.auth.user.provider}"
}
`, port, port, settings, port)
}

// clientSettings are the oidc_auth lines for the default provider p with
// client id and the test secret; secret "" leaves cookie_secret out.
func clientSettings(p *devprovider.Provider, id, secret string) string {
	s := fmt.Sprintf("client_id %s\n\t\tclient_secret %s\n\t\tserver_metadata_url %s", id, testsupport.ClientSecret, p.MetadataURL())
	if secret != "" {
		s += "\n\t\tcookie_secret " + secret
	}
	return s
}

// A session from one site never opens another site on the same Caddy, even
// when both share a cookie_secret (explicit or generated): not for another
// provider and client_id (B), and not for the same provider and client on
// another port (C). A browser sends a host's cookies to every port, so this
// is what any visitor's browser would try.
func TestSessionOfOneSiteOpensNoOther(t *testing.T) {
	for _, secret := range []string{testsupport.CookieSecret, ""} {
		name := "same cookie_secret"
		if secret == "" {
			name = "generated cookie_secret"
		}
		t.Run(name, func(t *testing.T) {
			pa := testsupport.StartProvider(t)
			pb := testsupport.StartProviderWith(t, devprovider.Config{
				Users:          devprovider.DemoUsers(),
				Clients:        []devprovider.Client{{ID: "site-b", Secret: testsupport.ClientSecret}},
				TrustLoginHint: true, AnyUser: true,
			})
			a, b, c := testsupport.FreePort(t), testsupport.FreePort(t), testsupport.FreePort(t)
			testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+siteBlock(a, clientSettings(pa, testsupport.ClientID, secret))+
				siteBlock(b, clientSettings(pb, "site-b", secret))+
				siteBlock(c, clientSettings(pa, testsupport.ClientID, secret)))

			alice := testsupport.CallbackResponse(t, testsupport.SiteURL(a), "alice")
			stolen := testsupport.JoinCookies(testsupport.IdentityCookies(alice))
			if stolen == "" {
				t.Fatal("signing in on site A set no identity cookie")
			}
			client := hostileClient()
			wantSignedInAs(t, client, testsupport.SiteURL(a), stolen, "alice")
			for _, other := range []int{b, c} {
				wantSignedOut(t, testsupport.SiteURL(other), fmt.Sprintf("site A's cookie on site %d", other), client, stolen)
				// The same cookie under the other site's own name.
				renamed := strings.ReplaceAll(stolen, testsupport.CookieNameAt(a), testsupport.CookieNameAt(other))
				wantSignedOut(t, testsupport.SiteURL(other), "site A's cookie renamed for the other site", client, renamed)
			}
		})
	}
}

// Two sites a browser sends the same cookies to keep separate sign-ins:
// signing in or out on one leaves the other as it was.
func TestTwoSitesOnOneHostKeepSeparateSignIns(t *testing.T) {
	p := testsupport.StartProvider(t)
	a, b := testsupport.FreePort(t), testsupport.FreePort(t)
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+siteBlock(a, clientSettings(p, testsupport.ClientID, testsupport.CookieSecret))+
		siteBlock(b, clientSettings(p, testsupport.ClientID, testsupport.CookieSecret)))
	br := testsupport.NewBrowser(t, "alice")
	if status, body := br.Get(testsupport.SiteURL(a) + "/"); status != 200 || !strings.Contains(body, "alice@example.com") {
		t.Fatalf("site A: %d %q", status, body)
	}
	// The browser now sends A's cookie to B too: B still asks to sign in.
	br.User = "bob"
	if status, body := br.Get(testsupport.SiteURL(b) + "/"); status != 200 || !strings.Contains(body, "id=bob ") {
		t.Fatalf("site B after signing in there as bob: %d %q (trail %v)", status, body, br.Trail)
	}
	if len(br.Trail) < 3 {
		t.Errorf("site B admitted the browser without a sign-in of its own: trail %v", br.Trail)
	}
	if _, body := br.Get(testsupport.SiteURL(a) + "/"); !strings.Contains(body, "alice@example.com") {
		t.Errorf("signing in on B changed who is signed in on A: %q", body)
	}
	br.User = "" // the provider shows its form instead of signing bob in again
	if status, _ := br.Get(testsupport.SiteURL(b) + "/auth/logout"); status != 200 {
		t.Fatalf("signing out on B: %d", status)
	}
	if got := userJSON(t, br, testsupport.SiteURL(b)); got["is_logged_in"] != false {
		t.Errorf("still signed in on B after signing out there: %v", got)
	}
	if got := userJSON(t, br, testsupport.SiteURL(a)); got["is_logged_in"] != true || got["email"] != "alice@example.com" {
		t.Errorf("signing out on B signed A out too: %v", got)
	}
}

// A site-wide oidc_auth and a stricter one for /admin/* in one chain: the
// second sees the user the first read, so an admin signing in through
// /admin/x lands there instead of bouncing between site and provider, and a
// user the stricter rules refuse gets 403 there and the page elsewhere.
func TestTwoHandlersInOneChainSeeTheSameUser(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	common := clientSettings(p, testsupport.ClientID, testsupport.CookieSecret)
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri http://127.0.0.1:%d/oauth2callback
		%s
	}
	oidc_auth /admin/* {
		redirect_uri http://127.0.0.1:%d/oauth2callback
		%s
		allow {
			email admin@example.com
		}
	}
	respond "{http.auth.user.email} at {path}"
}
`, port, port, common, port, common))
	siteURL := testsupport.SiteURL(port)

	admin := testsupport.NewBrowser(t, "admin")
	status, body := admin.Get(siteURL + "/admin/x")
	if status != 200 || body != "admin@example.com at /admin/x" {
		t.Fatalf("admin signing in through /admin/x: %d %q (trail %v)", status, body, admin.Trail)
	}
	if len(admin.Trail) > 5 {
		t.Errorf("the sign-in took %d steps: %v", len(admin.Trail), admin.Trail)
	}

	alice := testsupport.NewBrowser(t, "alice")
	if status, body := alice.Get(siteURL + "/page"); status != 200 || body != "alice@example.com at /page" {
		t.Fatalf("alice on the site: %d %q", status, body)
	}
	if status, _ := alice.Get(siteURL + "/admin/x"); status != http.StatusForbidden {
		t.Errorf("alice on /admin/x: %d, want 403 from the stricter rules", status)
	}
}

// Abandoned sign-ins do not pile up: after many /auth/login that never
// reach the callback, each with a long page address, the browser's Cookie
// header for the site stays under 8 KB and the next sign-in completes.
func TestAbandonedSignInsDoNotLockTheUserOut(t *testing.T) {
	s := protectedSite(t, "")
	u, _ := url.Parse(s.URL)
	for _, length := range []int{1200, 1700, 2500} {
		jar, _ := cookiejar.New(nil)
		client := testsupport.NoRedirect(jar)
		long := "/report?q=" + strings.Repeat("x", length)
		for i := 0; i < 12; i++ {
			resp, err := client.Get(s.URL + "/auth/login?return_to=" + url.QueryEscape(long))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("page address of %d bytes: abandoned sign-in %d: %d", length, i+1, resp.StatusCode)
			}
		}
		n := len(testsupport.JoinCookies(jar.Cookies(u)))
		t.Logf("page address of %d bytes: Cookie header of %d bytes after 12 abandoned sign-ins", length, n)
		if n >= 8000 {
			t.Errorf("page address of %d bytes: the Cookie header is %d bytes after 12 abandoned sign-ins", length, n)
		}
		b := testsupport.NewBrowser(t, "alice")
		b.Jar, b.Client.Jar = jar, jar
		if status, body := b.Get(s.URL + "/private"); status != 200 || !strings.Contains(body, "alice@example.com") {
			t.Errorf("page address of %d bytes: signing in after the abandoned ones: %d %.100q", length, status, body)
		}
	}
}

// Two tabs start a sign-in each before either comes back: both complete.
func TestTwoTabsSigningInAtOnceBothComplete(t *testing.T) {
	s := protectedSite(t, "")
	jar, _ := cookiejar.New(nil)
	client := testsupport.NoRedirect(jar)
	start := func(page string) *url.URL {
		resp, err := client.Get(s.URL + "/auth/login?return_to=" + url.QueryEscape(page))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return testsupport.WithLoginHint(loc, "alice")
	}
	finish := func(authorize *url.URL, page string) {
		t.Helper()
		resp, err := client.Get(authorize.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		resp, err = client.Get(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != page || len(testsupport.IdentityCookies(resp)) == 0 {
			t.Errorf("the callback of the tab on %s: %d to %q", page, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	one, two := start("/one"), start("/two")
	finish(two, "/two")
	finish(one, "/one")
}

// Back-channel sign-outs are keyed by issuer: two sites on one storage that
// both call their (different) providers "default" do not sign each other's
// users out.
func TestBackchannelLogoutEndsSessionsOfItsIssuerOnly(t *testing.T) {
	pa, pb := testsupport.StartProvider(t), testsupport.StartProvider(t)
	a, b := testsupport.FreePort(t), testsupport.FreePort(t)
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+siteBlock(a, clientSettings(pa, testsupport.ClientID, testsupport.CookieSecret))+
		siteBlock(b, clientSettings(pb, testsupport.ClientID, testsupport.CookieSecret)))
	atA := signedInBrowser(t, testsupport.SiteURL(a), "alice")
	atB := signedInBrowser(t, testsupport.SiteURL(b), "alice")
	if resp := postLogoutToken(t, testsupport.SiteURL(a), logoutToken(t, pa, "alice", "", nil)); resp.StatusCode != http.StatusOK {
		t.Fatalf("provider A's back-channel logout: %d", resp.StatusCode)
	}
	if isSignedIn(t, atA, testsupport.SiteURL(a)) {
		t.Error("alice is still signed in at site A after its provider signed her out")
	}
	// Past the interval in which every handler rereads the shared storage.
	time.Sleep(testsupport.RevocationRefreshEvery + 200*time.Millisecond)
	if !isSignedIn(t, atB, testsupport.SiteURL(b)) {
		t.Error("provider A's sign-out of alice signed her out of site B, whose provider is another issuer")
	}
}

// Over https the identity and login-state cookies carry the __Host- prefix
// (Secure, Path=/, no Domain), so no sibling subdomain and no plain-http
// page can plant or replace them; their name still names the port.
func TestHTTPSSiteCookiesCarryTheHostPrefix(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := fmt.Sprintf("https://127.0.0.1:%d", port)
	options := strings.Replace(testsupport.GlobalOptions(t), "auto_https off", "auto_https disable_redirects\n\tskip_install_trust\n\tlocal_certs\n\tdefault_sni 127.0.0.1", 1)
	testsupport.StartCaddy(t, options+fmt.Sprintf(`
%s {
	bind 127.0.0.1
	tls internal
	oidc_auth {
		redirect_uri %s/oauth2callback
		%s
	}
	respond "id={http.auth.user.id}"
}
`, siteURL, siteURL, clientSettings(p, testsupport.ClientID, testsupport.CookieSecret)))
	jar, _ := cookiejar.New(nil)
	client := testsupport.NoRedirect(jar)
	client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // Caddy's internal CA
	// Caddy issues the certificate in the background: wait for it, briefly.
	for i := 0; i < 50; i++ {
		resp, err := client.Get(siteURL + "/auth/user")
		if err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	next := siteURL + "/auth/login"
	var setCookies []string
	for i := 0; i < 4 && next != ""; i++ {
		u, _ := url.Parse(next)
		if strings.HasSuffix(u.Path, "/authorize") {
			u = testsupport.WithLoginHint(u, "alice")
		}
		resp, err := client.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if strings.HasPrefix(u.String(), siteURL) {
			setCookies = append(setCookies, resp.Header.Values("Set-Cookie")...)
		}
		next = resp.Header.Get("Location")
		if next == "/" {
			break
		}
	}
	want := fmt.Sprintf("__Host-oidc_auth-%d", port)
	// The sign-out hint must have the sign-out Path, which __Host- forbids:
	// it is __Secure-, sent over https only and only there.
	wantHint := fmt.Sprintf("__Secure-oidc_auth-%d_hint", port)
	var session, login, hint bool
	for _, line := range setCookies {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(c.Name, wantHint) {
			if !c.Secure || c.Path != "/auth/logout" || c.Domain != "" || !c.HttpOnly {
				t.Errorf("hint cookie %q: want Secure, HttpOnly, Path=/auth/logout and no Domain", line)
			}
			hint = hint || (c.Name == wantHint && c.MaxAge > 0)
			continue
		}
		if !strings.HasPrefix(c.Name, want) || !c.Secure || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie %q: want a %s... name, Secure, Path=/ and no Domain", line, want)
		}
		session = session || (c.Name == want && c.MaxAge > 0)
		login = login || strings.HasPrefix(c.Name, want+"_login_")
	}
	if !session || !login || !hint {
		t.Fatalf("the sign-in set no identity (%v), login-state (%v) or sign-out hint (%v) cookie: %q", session, login, hint, setCookies)
	}
}

// The session the chain shares travels in a request variable; printing
// request variables shows nothing of it.
func TestChainedSessionStaysOutOfRequestVariables(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "", `respond "[{http.vars.oidc_auth.session}] id={http.auth.user.id}"`))
	b := testsupport.NewBrowser(t, "alice")
	if status, body := b.Get(testsupport.SiteURL(port) + "/"); status != 200 || body != "[] id=alice" {
		t.Fatalf("the page shows %d %q, want the variable empty", status, body)
	}
}

// Two handlers of one site, in this order, that disagree on cookie_secret
// cannot share a sign-in: the page says the site is misconfigured instead of
// sending the user round the provider for ever.
func TestTwoHandlersWithDifferentSecretsSayMisconfigured(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	route {
		oidc_auth {
			redirect_uri http://127.0.0.1:%d/oauth2callback
			%s
		}
		oidc_auth /admin/* {
			redirect_uri http://127.0.0.1:%d/oauth2callback
			%s
		}
		respond "{http.auth.user.email} at {path}"
	}
}
`, port, port, clientSettings(p, testsupport.ClientID, testsupport.CookieSecret), port, clientSettings(p, testsupport.ClientID, "another-cookie-secret-0123456789")))
	b := testsupport.NewBrowser(t, "admin")
	status, body := b.Get(testsupport.SiteURL(port) + "/admin/x")
	if status != http.StatusInternalServerError || !strings.Contains(body, "misconfigured") {
		t.Fatalf("two handlers with different secrets: %d %.200q (trail %v)", status, body, b.Trail)
	}
}
