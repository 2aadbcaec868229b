package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// browser is an HTTP client for one sign-in: a fresh cookie jar (a new
// browser), naming user at the provider's /authorize. With stopAtCallback
// it does not follow the callback's redirect to the page, so that a timed
// sign-in is the sign-in alone.
func browser(tr http.RoundTripper, user string, stopAtCallback bool) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Transport: tr,
		Jar:       jar,
		Timeout:   20 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > 10 {
				return errors.New("too many redirects")
			}
			if stopAtCallback && len(via) >= 2 && strings.HasSuffix(via[len(via)-2].URL.Path, "/authorize") {
				return http.ErrUseLastResponse // via's last is the callback; req is the page
			}
			if strings.HasSuffix(req.URL.Path, "/authorize") {
				q := req.URL.Query()
				q.Set("login_hint", user)
				req.URL.RawQuery = q.Encode()
			}
			return nil
		},
	}
}

// signInOnce signs user in at start and checks that the callback answered
// with a redirect that sets a cookie (the session).
func signInOnce(tr http.RoundTripper, start, user string) error {
	req, err := http.NewRequest(http.MethodGet, start, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/html")
	resp, err := browser(tr, user, true).Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body) // so that the connection is reused
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return fmt.Errorf("sign-in of %s ended on %s with %s", user, resp.Request.URL.Path, resp.Status)
	}
	for _, c := range resp.Cookies() {
		if c.Value != "" && c.MaxAge >= 0 {
			return nil
		}
	}
	return fmt.Errorf("sign-in of %s: the callback set no session cookie", user)
}

// signIns runs n sign-ins at start, conc at a time, each a new browser
// naming its own user (prefix000000, prefix000001...) over keep-alive
// connections shared the way a load generator shares them. After every
// `every` sign-ins (and at the end) it writes a line
//
//	signins DONE seconds ELAPSED rate PER_SECOND
//
// as they happen, so that a script reading it can sample the server at each
// step. The first failure stops the run.
func signIns(out io.Writer, start, prefix string, n, conc, every int) error {
	if n <= 0 || conc <= 0 {
		return errors.New("-signins and -concurrency must be positive")
	}
	if every <= 0 || every > n {
		every = n
	}
	if _, err := url.Parse(start); err != nil {
		return err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	var (
		next, done atomic.Int64
		failed     atomic.Bool
		once       sync.Once
		firstErr   error
		outMu      sync.Mutex
		wg         sync.WaitGroup
	)
	t0 := time.Now()
	report := func(d int64) {
		s := time.Since(t0).Seconds()
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(out, "signins %d seconds %.3f rate %.1f\n", d, s, float64(d)/s)
	}
	for range min(conc, n) {
		wg.Go(func() {
			for !failed.Load() {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				if err := signInOnce(tr, start, fmt.Sprintf("%s%06d", prefix, i)); err != nil {
					once.Do(func() { firstErr = err })
					failed.Store(true)
					return
				}
				if d := done.Add(1); d%int64(every) == 0 || d == int64(n) {
					report(d)
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("after %d sign-ins: %w", done.Load(), firstErr)
	}
	return nil
}
