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

// Two Caddy processes of one site, on one storage, behind a provider that
// rotates refresh tokens (the development provider refuses a refresh token
// used twice, as Okta, Auth0 and Keycloak with rotation do): twenty
// concurrent requests of one session, spread over both, cause one refresh
// at the provider, and none of them is signed out.
func TestTwoCaddyProcessesRefreshASessionOnce(t *testing.T) {
	bin := caddyBinary(t)
	p := testsupport.StartProviderWith(t, devprovider.Config{
		Users:          devprovider.DemoUsers(),
		Clients:        []devprovider.Client{{ID: testsupport.ClientID, Secret: testsupport.ClientSecret}},
		TrustLoginHint: true,
		TokenTTL:       12 * time.Second, // refreshed from 2 s on (10 s before expiry)
	})
	storage := filepath.Join(t.TempDir(), "storage")
	settings := "cookie_secret " + testsupport.CookieSecret + "\n\t\texpire_with_token\n\t\t" + testsupport.ProviderSettings(p)
	a := startCaddyProcess(t, bin, storage, "", settings)
	b := startCaddyProcess(t, bin, storage, a.URL, settings)
	a.waitReady(t)
	b.waitReady(t)

	alice := signedInBrowser(t, a.URL, "alice")
	oldCookies := testsupport.JoinCookies(alice.Cookies(a.URL))
	tokensBefore := p.Counts().Token
	time.Sleep(2500 * time.Millisecond) // the tokens are now within 10 s of expiry

	var wg sync.WaitGroup
	statuses := make(chan string, 20)
	for i := range 20 {
		site := a.URL
		if i%2 == 1 {
			site = b.URL
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if st := statusWith(t, site+"/", oldCookies); st != http.StatusOK {
				statuses <- site + ": " + http.StatusText(st)
			}
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		t.Errorf("a request of the session during the refresh: %s", s)
	}
	if got := p.Counts().Token - tokensBefore; got != 1 {
		t.Errorf("%d token requests for 20 concurrent requests of one session on two Caddys, want 1 refresh", got)
	}
	// Late requests with the old cookie, on either, reuse the outcome.
	for _, site := range []string{a.URL, b.URL} {
		if st := statusWith(t, site+"/", oldCookies); st != http.StatusOK {
			t.Errorf("the old cookie at %s after the refresh: %d", site, st)
		}
	}
	if got := p.Counts().Token - tokensBefore; got != 1 {
		t.Errorf("the old cookie caused another refresh (%d token requests)", got)
	}
	// The browser got the renewed cookie: signed in on both.
	if !isSignedIn(t, alice, a.URL) || !isSignedIn(t, alice, b.URL) {
		t.Error("the refreshed session is not signed in on both Caddys")
	}
	logA, _ := os.ReadFile(a.log)
	logB, _ := os.ReadFile(b.log)
	both := string(logA) + string(logB)
	if n := strings.Count(both, `"session refreshed"`); n != 1 {
		t.Errorf("%d refreshes logged by the two Caddys, want 1", n)
	}
	if strings.Contains(both, "refused the refresh") {
		t.Error("a Caddy logged a refused refresh")
	}
}
