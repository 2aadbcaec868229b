package sitetests_test

import (
	"github.com/caddy-oidc-auth/oidcauth"

	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// A provider that hangs or answers garbage costs the user a prompt error
// page, never a hung browser, and costs other users nothing.
func TestSlowThenBrokenProviderGivesErrorPagesInTimeAndCaddyKeepsServing(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the provider timeout (about 17 s): skipped under -short")
	}
	p := testsupport.StartProvider(t)
	p.SetBehavior(devprovider.Behavior{Delay: 30 * time.Second})
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	testsupport.StartCaddy(t, attackSiteConfig(t, port, "cookie_secret "+testsupport.CookieSecret+"\n\t\t"+testsupport.ProviderSettings(p)))
	signedIn := testsupport.JoinCookies(testsupport.ForgeSession(t, site{URL: siteURL, Port: port, Provider: p}, testsupport.CookieSecret, &cookie.Session{
		Provider: oidcauth.DefaultProviderName, Subject: "sam", Claims: testsupport.Claims(t, `{"sub":"sam"}`), Expires: time.Now().Add(time.Hour),
	}))

	type result struct {
		status int
		took   time.Duration
		err    error
	}
	login := make(chan result, 1)
	go func() {
		c := &http.Client{Timeout: 40 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		start := time.Now()
		resp, err := c.Get(siteURL + "/auth/login")
		if err != nil {
			login <- result{err: err, took: time.Since(start)}
			return
		}
		resp.Body.Close()
		login <- result{status: resp.StatusCode, took: time.Since(start)}
	}()

	// While that sign-in waits for the provider, the site answers others.
	client := hostileClient()
	time.Sleep(200 * time.Millisecond)
	for i := 0; i < 5; i++ {
		start := time.Now()
		wantSignedInAs(t, client, siteURL, signedIn, "sam")
		status, body := pageAs(t, client, siteURL+"/auth/user", "")
		if status != http.StatusOK || !strings.Contains(body, `"is_logged_in":false`) {
			t.Errorf("/auth/user while the provider hangs: %d %q", status, body)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("requests that need no provider took %v while it hangs", took)
		}
		select {
		case r := <-login:
			t.Fatalf("the sign-in answered after %v, before the provider did: %+v", r.took, r)
		case <-time.After(200 * time.Millisecond):
		}
	}

	r := <-login
	if r.err != nil || (r.status != http.StatusBadGateway && r.status != http.StatusServiceUnavailable) || r.took >= 20*time.Second {
		t.Fatalf("sign-in with a hanging provider: status %d, error %v, after %v; want 502/503 within 20 s", r.status, r.err, r.took)
	}
	t.Logf("hanging provider: %d after %v", r.status, r.took.Round(time.Millisecond))

	// Garbage metadata: an error page too, and each later try fetches again
	// (a failure is not kept).
	p.SetBehavior(devprovider.Behavior{GarbageMetadata: true})
	c := testsupport.NoRedirect(nil)
	fetches := p.Counts().Discovery
	for deadline := time.Now().Add(20 * time.Second); p.Counts().Discovery < fetches+2; {
		if time.Now().After(deadline) {
			t.Fatalf("metadata fetched %d times in 20 s after a failure, want it retried", p.Counts().Discovery-fetches)
		}
		resp, err := c.Get(siteURL + "/auth/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadGateway && resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("sign-in with garbage metadata: %d, want 502/503", resp.StatusCode)
		}
		time.Sleep(250 * time.Millisecond)
	}

	// Healthy again: signing in works within 30 s.
	p.SetBehavior(devprovider.Behavior{})
	back := time.Now()
	for {
		b := testsupport.NewBrowser(t, "alice")
		status, body := b.Get(siteURL + "/")
		if status == http.StatusOK && strings.Contains(body, "id=alice ") {
			break
		}
		if status >= 500 && status != http.StatusBadGateway && status != http.StatusServiceUnavailable {
			t.Fatalf("while recovering: %d %.200q", status, body)
		}
		if time.Since(back) > 30*time.Second {
			t.Fatalf("still %d 30 s after the provider recovered: %.200q", status, body)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("signed in %v after the provider recovered", time.Since(back).Round(time.Millisecond))
}
