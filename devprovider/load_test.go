package devprovider

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// loadClient keeps connections open between requests, as a load generator would.
var loadClient = &http.Client{
	Transport:     &http.Transport{MaxIdleConnsPerHost: 64},
	CheckRedirect: noRedirects.CheckRedirect,
}

// signInOnce does one whole sign-in of name by login_hint and returns the ID token's sub.
func signInOnce(p *Provider, name string) (string, error) {
	q := authParams("login_hint", name)
	resp, err := loadClient.Get(p.Issuer() + "/authorize?" + q.Encode())
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		return "", fmt.Errorf("authorize: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	form := codeForm(loc.Query().Get("code"), "client_id", testClientID, "client_secret", testClientSecret)
	resp, err = loadClient.Post(p.Issuer()+"/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body struct {
		IDToken string `json:"id_token"`
	}
	if err := decodeJSON(resp, &body); err != nil {
		return "", err
	}
	claims, err := payloadClaims(body.IDToken)
	if err != nil {
		return "", err
	}
	sub, _ := claims["sub"].(string)
	return sub, nil
}

// 1,000 concurrent sign-ins each get their own, correct identity (run with -race).
func TestConcurrentSignIns(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	p := startProvider(t, func(c *Config) { c.AnyUser = true })
	const n = 1000
	// 100 in flight at a time: enough to interleave every step of many
	// sign-ins, and within the loopback listener's backlog on a loaded
	// machine (1,000 connects at once were sometimes reset by the kernel).
	inFlight := make(chan struct{}, 100)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inFlight <- struct{}{}
			defer func() { <-inFlight }()
			name := fmt.Sprintf("user%d", i)
			sub, err := signInOnce(p, name)
			if err == nil && sub != name {
				err = fmt.Errorf("%s signed in as %q", name, sub)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if failed < 5 {
			t.Error(err)
		}
		failed++
	}
	if failed > 0 {
		t.Errorf("%d of %d sign-ins failed", failed, n)
	}
	if c := p.Counts(); c.Authorize != n || c.Token != n {
		t.Errorf("counts %+v", c)
	}
}

// BenchmarkSignIn is one whole sign-in (authorize by login_hint, then code exchange with
// an RS256-signed ID token) over loopback HTTP.
func BenchmarkSignIn(b *testing.B) {
	p := startProvider(b, func(c *Config) { c.AnyUser = true })
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := signInOnce(p, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
