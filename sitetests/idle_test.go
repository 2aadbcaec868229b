package sitetests_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// idleSite is a site with idle_timeout 5s (the shortest allowed) in two
// overlapping oidc_auth blocks: /admin/* passes through both, which share
// one session and must renew its cookie at most once per request.
func idleSite(t *testing.T, options string) site {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	common := fmt.Sprintf(`redirect_uri %s/oauth2callback
		cookie_secret %s
		client_id %s
		client_secret %s
		server_metadata_url %s
		idle_timeout 5s
		%s`, siteURL, testsupport.CookieSecret, testsupport.ClientID, testsupport.ClientSecret, p.MetadataURL(), options)
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	@admin path /admin/*
	oidc_auth @admin {
		%s
		allow {
			claim groups staff
		}
	}
	oidc_auth {
		%s
	}
	respond "{http.auth.user.email}"
}
`, port, common, common))
	return site{URL: siteURL, Port: port, Provider: p}
}

// idleGet sends one request with the given Cookie header, not following
// redirects; accept "" is a script.
func idleGet(t *testing.T, rawURL, cookies, accept string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", rawURL, nil)
	req.Header.Set("Cookie", cookies)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := testsupport.NoRedirect(nil).Do(req)
	if err != nil {
		t.Error(err)
		return nil
	}
	resp.Body.Close()
	return resp
}

// renewal is the identity cookie resp sets, if any, and how many lines set one.
func renewal(resp *http.Response) (cookies string, lines int, maxAge int) {
	set := testsupport.IdentityCookies(resp)
	for _, c := range set {
		if testsupport.IsSessionCookie(c.Name) {
			lines++
			maxAge = c.MaxAge
		}
	}
	return testsupport.JoinCookies(set), lines, maxAge
}

func TestIdleTimeoutRenewsWhenTheUserComesBackAndEndsWhenTheyLeave(t *testing.T) {
	s := idleSite(t, "")
	b := testsupport.NewBrowser(t, "alice")
	if status, body := b.Get(s.URL + "/admin/x"); status != 200 || body != "alice@example.com" {
		t.Fatalf("sign-in: %d %q", status, body)
	}
	signIn := testsupport.JoinCookies(b.Cookies(s.URL))

	// A burst right after sign-in: nothing to renew yet.
	for i := 0; i < 10; i++ {
		if resp := idleGet(t, s.URL+"/admin/x", signIn, ""); resp != nil {
			if _, n, _ := renewal(resp); resp.StatusCode != 200 || n != 0 {
				t.Fatalf("request %d right after sign-in: %d with %d renewals", i, resp.StatusCode, n)
			}
		}
	}

	// Past a quarter of the window, 20 requests at once with the same
	// cookie (a page and its assets, through both handlers): one renewal.
	time.Sleep(1500 * time.Millisecond)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		total   int
		current string
	)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := idleGet(t, s.URL+"/admin/x", signIn, "")
			if resp == nil {
				return
			}
			if resp.StatusCode != 200 {
				t.Errorf("concurrent request: %d", resp.StatusCode)
			}
			c, n, maxAge := renewal(resp)
			if n > 1 {
				t.Errorf("one response renewed the cookie %d times", n)
			}
			if n == 1 && (maxAge > 5 || maxAge < 4) {
				t.Errorf("renewed cookie Max-Age=%d, want the 5 s idle window", maxAge)
			}
			mu.Lock()
			total += n
			if n == 1 {
				current = c
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if total != 1 {
		t.Fatalf("%d renewals for a burst of 20 requests past the threshold, want 1", total)
	}

	// Coming back every 2 s keeps the user signed in well past 5 s after
	// sign-in, each return renewing the cookie once.
	for i := 0; i < 3; i++ {
		time.Sleep(2 * time.Second)
		resp := idleGet(t, s.URL+"/", current, "")
		if resp == nil {
			t.FailNow()
		}
		c, n, _ := renewal(resp)
		if resp.StatusCode != 200 || n != 1 {
			t.Fatalf("return %d after 2 s: %d with %d renewals, want 200 and one", i, resp.StatusCode, n)
		}
		current = c
	}

	// The sign-in cookie, kept by someone who copied it, is past its idle
	// window although the sign-in is not: refused.
	if resp := idleGet(t, s.URL+"/", signIn, ""); resp != nil && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the cookie of the sign-in replayed 7.5 s later: %d, want 401", resp.StatusCode)
	}

	// Gone for longer than the window: signed out.
	time.Sleep(5500 * time.Millisecond)
	if resp := idleGet(t, s.URL+"/page?x=1", current, "text/html"); resp != nil {
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/auth/login") {
			t.Errorf("navigation after 5.5 s idle: %d to %q, want a new sign-in", resp.StatusCode, loc)
		}
	}
	if resp := idleGet(t, s.URL+"/", current, "application/json"); resp != nil && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("script after 5.5 s idle: %d, want 401", resp.StatusCode)
	}
}

// A renewal never carries the session past cookie_max_age: near its end,
// the renewed cookie's Max-Age and sealed expiry are what is left of it.
func TestIdleRenewalNeverPassesCookieMaxAge(t *testing.T) {
	s := idleSite(t, "cookie_max_age 1h")
	resp := testsupport.CallbackResponse(t, s.URL, "alice")
	fresh := testsupport.IdentityCookies(resp)
	if len(fresh) == 0 {
		t.Fatal("no identity cookie at sign-in")
	}
	// The same session, as if signed in almost an hour ago: 3 s are left.
	jar := testsupport.ForgerJar(t, s, testsupport.CookieSecret)
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", testsupport.JoinCookies(fresh))
	sess, err := jar.ReadSession(r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sess.Created, sess.Expires, sess.Renewed = now.Add(-time.Hour+3*time.Second), now.Add(3*time.Second), now.Add(-2*time.Second)
	old := testsupport.ForgeSession(t, s, testsupport.CookieSecret, sess)

	got := idleGet(t, s.URL+"/", testsupport.JoinCookies(old), "")
	if got == nil {
		t.FailNow()
	}
	cookies, n, maxAge := renewal(got)
	if got.StatusCode != 200 || n != 1 {
		t.Fatalf("request past the renewal threshold: %d with %d renewals", got.StatusCode, n)
	}
	if maxAge > 3 {
		t.Errorf("renewed cookie Max-Age=%d, past cookie_max_age (3 s left)", maxAge)
	}
	// Its seal ends there too, whatever Max-Age a browser is made to keep.
	r.Header.Set("Cookie", cookies)
	if _, err := jar.ReadSession(r, now.Add(4*time.Second)); err == nil {
		t.Error("the renewed cookie still opens after the session's cookie_max_age")
	}
}

// A refresh is activity: it writes the cookie once, with a new idle
// deadline; an idle session is not refreshed back to life.
func TestRefreshedSessionKeepsItsIdleTimeout(t *testing.T) {
	p := testsupport.StartProviderWith(t, devprovider.Config{
		Users:          devprovider.DemoUsers(),
		Clients:        []devprovider.Client{{ID: testsupport.ClientID, Secret: testsupport.ClientSecret}},
		TrustLoginHint: true,
		TokenTTL:       12 * time.Second, // refreshed from 2 s on
	})
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "expire_with_token\n\t\tidle_timeout 6s", `respond "{http.auth.user.email}"`))
	siteURL := testsupport.SiteURL(port)
	b := testsupport.NewBrowser(t, "alice")
	if status, _ := b.Get(siteURL + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	time.Sleep(2500 * time.Millisecond)
	tokens := p.Counts().Token
	resp := idleGet(t, siteURL+"/", testsupport.JoinCookies(b.Cookies(siteURL)), "")
	if resp == nil {
		t.FailNow()
	}
	current, n, maxAge := renewal(resp)
	if resp.StatusCode != 200 || p.Counts().Token != tokens+1 || n != 1 {
		t.Fatalf("refresh: %d, %d token requests, %d session cookies set; want 200, one refresh, one cookie", resp.StatusCode, p.Counts().Token-tokens, n)
	}
	if maxAge > 6 || maxAge < 5 {
		t.Errorf("refreshed cookie Max-Age=%d, want the 6 s idle window", maxAge)
	}
	time.Sleep(6500 * time.Millisecond)
	tokens = p.Counts().Token
	if resp := idleGet(t, siteURL+"/", current, ""); resp != nil && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("refreshed session idle for 6.5 s: %d, want 401", resp.StatusCode)
	}
	if got := p.Counts().Token - tokens; got != 0 {
		t.Errorf("an idle session was refreshed (%d token requests)", got)
	}
}
