package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// startDemo runs the demo on free ports until the test ends, and checks
// that it then stops cleanly.
func startDemo(t *testing.T) config {
	t.Helper()
	dir, err := findSiteDir("")
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	var out strings.Builder
	cfg := config{
		Port: testsupport.FreePort(t), ProviderPort: testsupport.FreePort(t), SiteDir: dir, Out: &out,
		ready: func() { close(ready) },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("demo stopped before it was ready: %v", err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("demo not ready within 20s")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run after cancel: %v, want nil", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("run did not return within 15s of cancel")
		}
	})
	for _, want := range []string{cfg.siteURL() + "/", "alice", "alice-password", "Ctrl-C stops both"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}
	return cfg
}

// loopbackBrowser is a client with a cookie jar that follows redirects and
// reaches "localhost" and 127.0.0.1 through 127.0.0.1 only.
func loopbackBrowser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Jar:     jar,
		Timeout: 20 * time.Second,
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil || (host != "localhost" && host != "127.0.0.1") {
				return nil, fmt.Errorf("test browser only dials loopback, not %q", addr)
			}
			return dialer.DialContext(ctx, "tcp4", net.JoinHostPort("127.0.0.1", port))
		}},
	}
}

func getPage(t *testing.T, c *http.Client, rawURL string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", rawURL, nil)
	req.Header.Set("Accept", "text/html")
	return send(t, c, req)
}

func send(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

var (
	// The sign-in form's first <form> is the username/password one; the
	// demo-user shortcut forms follow it.
	formRe   = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)">(.*?)</form>`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// signInForm reads the provider's sign-in form as a browser would: where
// it posts and the hidden fields it carries.
func signInForm(t *testing.T, page string, pageURL *url.URL) (*url.URL, url.Values) {
	t.Helper()
	m := formRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no sign-in form on %s:\n%s", pageURL, page)
	}
	action, err := pageURL.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	fields := url.Values{}
	for _, h := range hiddenRe.FindAllStringSubmatch(m[2], -1) {
		fields.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	return action, fields
}

func TestDemoSignsInThroughTheProvidersForm(t *testing.T) {
	cfg := startDemo(t)
	browser := loopbackBrowser(t)

	// The protected site sends an anonymous visitor to the provider's form.
	resp, page := getPage(t, browser, cfg.siteURL()+"/")
	if want := fmt.Sprintf("127.0.0.1:%d", cfg.ProviderPort); resp.Request.URL.Host != want || !strings.Contains(page, `name="password"`) {
		t.Fatalf("opening the site landed on %s (%d), want the sign-in form at %s:\n%s", resp.Request.URL, resp.StatusCode, want, page)
	}

	// A wrong password keeps the user on the form.
	action, fields := signInForm(t, page, resp.Request.URL)
	fields.Set("username", "alice")
	fields.Set("password", "not-her-password")
	resp, page = post(t, browser, action, fields)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "Wrong username or password") {
		t.Fatalf("wrong password: %d at %s, want 401 and the form again:\n%s", resp.StatusCode, resp.Request.URL, page)
	}

	// The right one lands on the site, greeted by name.
	action, fields = signInForm(t, page, resp.Request.URL)
	fields.Set("username", "alice")
	fields.Set("password", "alice-password")
	resp, page = post(t, browser, action, fields)
	if resp.StatusCode != 200 || resp.Request.URL.String() != cfg.siteURL()+"/" {
		t.Fatalf("after signing in: %d at %s, want 200 at %s/:\n%s", resp.StatusCode, resp.Request.URL, cfg.siteURL(), page)
	}
	for _, want := range []string{"Hello, Alice Liddell!", "alice@example.com", `href="/auth/logout"`} {
		if !strings.Contains(page, want) {
			t.Errorf("signed-in page lacks %q:\n%s", want, page)
		}
	}

	// Its sign-out link signs out at both ends: back at the site, the user
	// is asked to sign in again.
	resp, page = getPage(t, browser, cfg.siteURL()+"/auth/logout")
	if resp.Request.URL.Port() != fmt.Sprint(cfg.ProviderPort) || !strings.Contains(page, `name="password"`) {
		t.Fatalf("after signing out: %d at %s, want the sign-in form:\n%s", resp.StatusCode, resp.Request.URL, page)
	}
	for _, r := range redirectsOf(resp) {
		if strings.Contains(r, "/end_session") {
			return
		}
	}
	t.Errorf("signing out never reached the provider's end_session: %v", redirectsOf(resp))
}

// redirectsOf lists the URLs a followed request went through, first to last.
func redirectsOf(resp *http.Response) []string {
	var urls []string
	for r := resp.Request; r != nil; {
		urls = append([]string{r.URL.String()}, urls...)
		if r.Response == nil {
			break
		}
		r = r.Response.Request
	}
	return urls
}

func post(t *testing.T, c *http.Client, action *url.URL, fields url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", action.String(), strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	return send(t, c, req)
}

func TestFlagsRejectBadPortsAndArguments(t *testing.T) {
	for _, args := range [][]string{
		{"-port", "0"},
		{"-provider-port", "70000"},
		{"-port", "9000", "-provider-port", "9000"},
		{"extra"},
		{"-site", t.TempDir() + "/missing"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) = nil error, want one", args)
		}
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 8501 || cfg.ProviderPort != 5556 || cfg.siteURL() != "http://localhost:8501" {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestSecondDemoOnTheSamePortIsRefused(t *testing.T) {
	first := startDemo(t)
	// Caddy shares ports (SO_REUSEPORT), so only the demo's own check can
	// tell that the site's port is taken by the first demo.
	second := first
	second.ProviderPort = testsupport.FreePort(t)
	second.ready = nil
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := run(ctx, second)
	if err == nil || !strings.Contains(err.Error(), "-port") {
		t.Fatalf("second demo on port %d: %v, want an error that suggests -port", second.Port, err)
	}
	// The first one still serves.
	resp, _ := getPage(t, loopbackBrowser(t), first.siteURL()+"/")
	if resp.StatusCode != 200 || resp.Request.URL.Port() != fmt.Sprint(first.ProviderPort) {
		t.Errorf("first demo after the refused second: %d at %s", resp.StatusCode, resp.Request.URL)
	}
}
