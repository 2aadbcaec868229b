package sitetests_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// refreshSite: a provider whose tokens live 12 s, and a site whose sessions
// follow the tokens (expire_with_token), so they need refreshing after 2 s.
func refreshSite(t *testing.T) (site, *devprovider.Provider) {
	p := testsupport.StartProviderWith(t, devprovider.Config{
		Users:          devprovider.DemoUsers(),
		Clients:        []devprovider.Client{{ID: testsupport.ClientID, Secret: testsupport.ClientSecret}},
		TrustLoginHint: true,
		TokenTTL:       12 * time.Second,
	})
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "expire_with_token", `respond "{http.auth.user.email}"`))
	return site{URL: testsupport.SiteURL(port), Port: port, Provider: p}, p
}

func TestSessionIsRefreshedOncePerSessionUnderConcurrentRequests(t *testing.T) {
	s, p := refreshSite(t)
	b := testsupport.NewBrowser(t, "alice")
	if status, body := b.Get(s.URL + "/"); status != 200 || body != "alice@example.com" {
		t.Fatalf("sign-in: %d %q", status, body)
	}
	oldCookies := testsupport.JoinCookies(b.Cookies(s.URL))
	tokensBefore := p.Counts().Token
	time.Sleep(2500 * time.Millisecond) // within 10 s of the tokens' expiry

	var wg sync.WaitGroup
	statuses := make(chan int, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- statusWith(t, s.URL+"/", oldCookies)
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != 200 {
			t.Errorf("concurrent request during refresh: %d", st)
		}
	}
	if got := p.Counts().Token - tokensBefore; got != 1 {
		t.Errorf("%d token requests for 20 concurrent requests of one session, want 1 refresh", got)
	}
	// A late request that still carries the old cookie reuses the outcome.
	if st := statusWith(t, s.URL+"/", oldCookies); st != 200 {
		t.Errorf("old cookie right after the refresh: %d", st)
	}
	if got := p.Counts().Token - tokensBefore; got != 1 {
		t.Errorf("the old cookie caused another refresh (%d token requests)", got)
	}
	// The browser got the renewed cookie and stays signed in without refreshing again.
	if status, _ := b.Get(s.URL + "/"); status != 200 {
		t.Errorf("browser after refresh: %d", status)
	}
}

func TestRefusedRefreshSignsOutCleanly(t *testing.T) {
	s, p := refreshSite(t)
	b := testsupport.NewBrowser(t, "bob")
	if status, _ := b.Get(s.URL + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	oldCookies := testsupport.JoinCookies(b.Cookies(s.URL))
	time.Sleep(2500 * time.Millisecond)
	if status, _ := b.Get(s.URL + "/"); status != 200 { // refreshes: the old refresh token is now spent
		t.Fatalf("refresh: %d", status)
	}
	// A fresh handler (config reload) has no memory of that refresh, and
	// once its outcome has left the storage (past the grace window) the
	// spent token is refused by the provider (invalid_grant).
	testsupport.ReloadCaddy(t, siteCaddyfile(t, s.Port, p.MetadataURL(), "expire_with_token", `respond "{http.auth.user.email}"`))
	if err := os.RemoveAll(filepath.Join(testsupport.StorageDir(t), "oidc_auth", "refresh")); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", s.URL+"/", nil)
	req.Header.Set("Cookie", oldCookies)
	req.Header.Set("Accept", "text/html")
	resp, err := testsupport.NoRedirect(nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/auth/login") {
		t.Errorf("refused refresh: %d to %q, want a new sign-in", resp.StatusCode, resp.Header.Get("Location"))
	}
	cleared := false
	for _, sc := range resp.Header.Values("Set-Cookie") {
		if testsupport.IsSessionCookie(testsupport.SetCookieName(sc)) && strings.Contains(sc, "Max-Age=0") {
			cleared = true
		}
	}
	if !cleared {
		t.Errorf("refused refresh did not clear the identity cookie: %v", resp.Header.Values("Set-Cookie"))
	}
}

// statusWith is statusWithCookieHeader for goroutines: it reports with
// t.Error, never t.Fatal.
func statusWith(t *testing.T, rawURL, cookies string) int {
	req, _ := http.NewRequest("GET", rawURL, nil)
	req.Header.Set("Cookie", cookies)
	resp, err := testsupport.NoRedirect(nil).Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
