package testsupport

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Browser is an HTTP client that behaves like a browser for our purposes:
// a cookie jar, Accept: text/html, redirects followed; at the provider it
// signs in as the user it was made for (login_hint).
type Browser struct {
	t      testing.TB
	Client *http.Client
	Jar    *cookiejar.Jar
	User   string
	Trail  []string // every URL visited by the last request, redirects included
}

// NewBrowser is a browser that signs in as user ("" signs in no one).
func NewBrowser(t testing.TB, user string) *Browser {
	jar, _ := cookiejar.New(nil)
	b := &Browser{t: t, Jar: jar, User: user}
	b.Client = &http.Client{
		Jar:     jar,
		Timeout: 20 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return fmt.Errorf("redirect loop: %v", b.Trail)
			}
			if strings.HasSuffix(req.URL.Path, "/authorize") && b.User != "" {
				req.URL = WithLoginHint(req.URL, b.User)
			}
			b.Trail = append(b.Trail, req.URL.String())
			return nil
		},
	}
	return b
}

// Get opens rawURL as a page navigation and returns the final response's
// status and body.
func (b *Browser) Get(rawURL string) (int, string) {
	b.t.Helper()
	resp := b.Do("GET", rawURL, nil, "text/html,application/xhtml+xml")
	return resp.StatusCode, ReadBody(b.t, resp)
}

// Do sends one request (Accept: accept unless empty), following redirects,
// and returns the final response for the caller to read and close.
func (b *Browser) Do(method, rawURL string, body io.Reader, accept string) *http.Response {
	b.t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	b.Trail = []string{rawURL}
	resp, err := b.Client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	return resp
}

// Cookies lists the cookies the browser holds for rawURL.
func (b *Browser) Cookies(rawURL string) []*http.Cookie {
	u, _ := url.Parse(rawURL)
	return b.Jar.Cookies(u)
}

// ReadBody reads and closes resp's body.
func ReadBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// NoRedirect is a client that shows each redirect instead of following it.
func NoRedirect(jar http.CookieJar) *http.Client {
	return &http.Client{
		Jar:           jar,
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// CallbackResponse walks a sign-in one redirect at a time, as user, and
// returns the callback's own response, so a test can read its Set-Cookie.
func CallbackResponse(t testing.TB, siteURL, user string) *http.Response {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := NoRedirect(jar)
	next := siteURL + LoginPath
	for i := 0; i < 5; i++ {
		u, _ := url.Parse(next)
		if strings.HasSuffix(u.Path, "/authorize") {
			u = WithLoginHint(u, user)
		}
		resp, err := c.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if strings.HasPrefix(u.String(), siteURL+CallbackPath) {
			return resp
		}
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		next = resp.Header.Get("Location")
	}
	t.Fatal("the sign-in never reached the callback")
	return nil
}
