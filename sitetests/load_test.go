package sitetests_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// The load test of the issue: 1,000 users sign in concurrently through the
// in-test provider, then make 100,000 authenticated requests. Zero errors,
// zero sessions mixed up (each response names its own user), and memory
// that does not grow with the number of requests.
const (
	loadUsers    = 1000
	loadRequests = 100_000
	loadWarmup   = 10_000 // requests before the first memory reading
	loadWorkers  = 64     // concurrent clients
	// loadHeapGrowth is how much the live heap may grow between the reading
	// after loadWarmup requests and the one after loadRequests.
	loadHeapGrowth = 4 << 20
)

func TestLoadThousandUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped under -short")
	}
	if os.Getenv("OIDCAUTH_LOAD") != "1" && os.Getenv("OIDCAUTH_E2E") != "1" {
		t.Skip("load test (1,000 sign-ins, 100,000 requests): set OIDCAUTH_LOAD=1 to run it (CI runs it with OIDCAUTH_E2E=1)")
	}
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	testsupport.StartCaddy(t, attackSiteConfig(t, port, "cookie_secret "+testsupport.CookieSecret+"\n\t\t"+testsupport.ProviderSettings(p)))

	transport := &http.Transport{
		MaxIdleConns:        4 * loadWorkers,
		MaxIdleConnsPerHost: 2 * loadWorkers,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport:     transport,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	users := make([]string, loadUsers)
	for i := range users {
		users[i] = fmt.Sprintf("user%04d", i+1)
	}

	// 1,000 concurrent sign-ins.
	cookies := make([]string, loadUsers)
	errs := &loadErrors{}
	start := time.Now()
	loadPool(loadUsers, func(i int) {
		c, err := loadSignIn(client, siteURL, users[i])
		if err != nil {
			errs.add(fmt.Errorf("sign-in of %s: %w", users[i], err))
		}
		cookies[i] = c
	})
	signIns := time.Since(start)
	errs.check(t, "sign-ins")
	distinct := map[string]bool{}
	for _, c := range cookies {
		distinct[c] = true
	}
	if len(distinct) != loadUsers {
		t.Fatalf("%d users got only %d distinct identity cookies", loadUsers, len(distinct))
	}
	t.Logf("%d sign-ins in %v (%.0f/s), %d at a time", loadUsers, signIns.Round(time.Millisecond),
		float64(loadUsers)/signIns.Seconds(), loadWorkers)

	// 100,000 authenticated requests, users interleaved.
	var mixedUp atomic.Int64
	request := func(i int) {
		u := (i * 7919) % loadUsers // 7919 is prime: every user, in a scrambled order
		body, err := loadGet(client, siteURL+"/whoami", cookies[u])
		switch {
		case err != nil:
			errs.add(fmt.Errorf("request %d as %s: %w", i, users[u], err))
		case body != "id="+users[u]+" provider=default":
			mixedUp.Add(1)
			errs.add(fmt.Errorf("request %d as %s answered %q", i, users[u], body))
		}
	}
	start = time.Now()
	loadPool(loadWarmup, request)
	warm := time.Since(start)
	heapWarm := loadLiveHeap()
	start = time.Now()
	loadPool(loadRequests-loadWarmup, func(i int) { request(i + loadWarmup) })
	rest := time.Since(start)
	heapEnd := loadLiveHeap()

	t.Logf("%d requests in %v (%.0f req/s); then %d in %v (%.0f req/s)",
		loadWarmup, warm.Round(time.Millisecond), float64(loadWarmup)/warm.Seconds(),
		loadRequests-loadWarmup, rest.Round(time.Millisecond), float64(loadRequests-loadWarmup)/rest.Seconds())
	t.Logf("live heap after %d requests: %.1f MB; after %d: %.1f MB (%+.2f MB)", loadWarmup, loadMB(heapWarm),
		loadRequests, loadMB(heapEnd), loadMB(int64(heapEnd)-int64(heapWarm)))
	errs.check(t, "authenticated requests")
	if n := mixedUp.Load(); n > 0 {
		t.Errorf("%d responses named another user", n)
	}
	if growth := int64(heapEnd) - int64(heapWarm); growth > loadHeapGrowth {
		t.Errorf("live heap grew by %.1f MB over %d requests, want at most %.0f MB", loadMB(growth),
			loadRequests-loadWarmup, loadMB(loadHeapGrowth))
	}
}

// loadPool calls work(0..n-1) from loadWorkers goroutines and waits.
func loadPool(n int, work func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range loadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				work(i)
			}
		}()
	}
	wg.Wait()
}

// loadSignIn signs user in through the provider, one redirect at a time,
// and returns the Cookie header of the identity cookies.
func loadSignIn(client *http.Client, siteURL, user string) (string, error) {
	resp, err := client.Get(siteURL + "/auth/login")
	if err != nil {
		return "", err
	}
	loadDrain(resp)
	var loginCookie *http.Cookie
	for _, c := range resp.Cookies() {
		if strings.Contains(c.Name, "_login_") {
			loginCookie = c
		}
	}
	auth, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loginCookie == nil || err != nil {
		return "", fmt.Errorf("/auth/login answered %d", resp.StatusCode)
	}
	auth = testsupport.WithLoginHint(auth, user)
	resp, err = client.Get(auth.String())
	if err != nil {
		return "", err
	}
	loadDrain(resp)
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("the provider answered %d", resp.StatusCode)
	}
	req, err := http.NewRequest("GET", resp.Header.Get("Location"), nil)
	if err != nil {
		return "", err
	}
	req.AddCookie(loginCookie)
	resp, err = client.Do(req)
	if err != nil {
		return "", err
	}
	loadDrain(resp)
	ids := testsupport.IdentityCookies(resp)
	if resp.StatusCode != http.StatusFound || len(ids) == 0 {
		return "", fmt.Errorf("the callback answered %d with %d identity cookies", resp.StatusCode, len(ids))
	}
	return testsupport.JoinCookies(ids), nil
}

// loadGet makes one authenticated API request and returns the body of a 200.
func loadGet(client *http.Client, rawURL, cookies string) (string, error) {
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Cookie", cookies)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	return string(body), nil
}

// loadDrain reads and closes a body so the connection is reused.
func loadDrain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}

// loadLiveHeap is the heap in use after a full collection.
func loadLiveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC() // the second also frees what the first left to finalizers and pools
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func loadMB[N int | int64 | uint64](n N) float64 { return float64(n) / (1 << 20) }

// loadErrors counts errors from many goroutines and keeps the first few.
type loadErrors struct {
	mu    sync.Mutex
	n     int
	first []error
}

func (e *loadErrors) add(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if len(e.first) < 5 {
		e.first = append(e.first, err)
	}
}

// check fails the test when any error was added, showing the first ones.
func (e *loadErrors) check(t *testing.T, phase string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n > 0 {
		t.Fatalf("%s: %d errors, first: %v", phase, e.n, errors.Join(e.first...))
	}
}
