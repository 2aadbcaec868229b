package sitetests_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// TestDiscoveryFetchedOncePerCachePeriod: however many sign-ins arrive, all
// at once or one after another, the provider's metadata and keys are
// fetched once; only the token endpoint is called per sign-in.
func TestDiscoveryFetchedOncePerCachePeriod(t *testing.T) {
	s := protectedSite(t, "")
	const sequential, concurrent = 10, 40
	signIn := func(user string) error { return benchSignIn(s.URL, user) }
	// All at once on a cold provider first: concurrent first callers share
	// one fetch. Then one after another on the warm one.
	var wg sync.WaitGroup
	errs := make(chan error, concurrent)
	start := make(chan struct{})
	for i := range concurrent {
		wg.Go(func() {
			<-start
			errs <- signIn(fmt.Sprintf("par%d", i))
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for i := range sequential {
		if err := signIn(fmt.Sprintf("seq%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	c := s.Provider.Counts()
	if c.Discovery != 1 || c.JWKS != 1 {
		t.Errorf("after %d sign-ins: %d metadata and %d JWKS fetches, want 1 and 1", sequential+concurrent, c.Discovery, c.JWKS)
	}
	if c.Token != sequential+concurrent {
		t.Errorf("token endpoint called %d times, want %d", c.Token, sequential+concurrent)
	}
}

// benchSignIn signs user in at siteURL over HTTP, one redirect at a time,
// and checks that the callback set the session cookie. Safe in goroutines.
func benchSignIn(siteURL, user string) error {
	jar, _ := cookiejar.New(nil)
	c := testsupport.NoRedirect(jar)
	next := siteURL + "/auth/login"
	for range 4 {
		u, err := url.Parse(next)
		if err != nil {
			return err
		}
		if strings.HasSuffix(u.Path, "/authorize") {
			u = testsupport.WithLoginHint(u, user)
		}
		resp, err := c.Get(u.String())
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			return fmt.Errorf("%s: GET %s: %d", user, u.Path, resp.StatusCode)
		}
		if u.Path == "/oauth2callback" {
			for _, ck := range resp.Cookies() {
				if testsupport.IsSessionCookie(ck.Name) && ck.Value != "" {
					return nil
				}
			}
			return fmt.Errorf("%s: the callback set no session cookie", user)
		}
		next = resp.Header.Get("Location")
	}
	return fmt.Errorf("%s: the sign-in never reached the callback", user)
}
