package sitetests_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// customPages writes the given pages (name -> template) into a new directory.
func customPages(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	customChoose = `<!doctype html><title>{{.Title}}</title><h1 id="brand">ACME sign-in</h1>
<ul>{{range .Providers}}<li><a id="p-{{.Name}}" href="{{.Href}}">Use {{.Label}}</a></li>{{end}}</ul>`
	customForbidden = `<!doctype html><title>{{.Title}}</title><h1 id="brand">ACME: staff only</h1>
<p>{{.User}} ({{.Claims.name}}) via {{.Provider}} may not enter.</p><a href="{{.SignOut}}">Sign out</a>`
	customError = `<!doctype html><title>{{.Title}}</title><h1 id="brand">ACME: {{.Title}}</h1>
<p>{{.Message}}</p>{{with .Link}}<a id="on" href="{{.Href}}">{{.Label}}</a>{{end}}<p>{{.Status}} {{.StatusText}}</p>`
)

// A site with two providers and its own choice and 403 pages, but no
// error.html: the choice and the refusal are the site's, escaped, with the
// same status and security headers; an error keeps the built-in page.
func TestCustomChoiceAndForbiddenPagesThroughCaddy(t *testing.T) {
	mallory := devprovider.User{Username: "mallory", Claims: map[string]any{
		"email": "mallory@example.org", "name": `<script>alert("claim")</script>`}}
	one, two := testsupport.StartProvider(t, mallory), testsupport.StartProvider(t, mallory)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	dir := customPages(t, map[string]string{"choose.html": customChoose, "forbidden.html": customForbidden, "notes.txt": "ignored"})
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri %s/oauth2callback
		%s
		allow {
			email alice@example.com
		}
		pages %s
	}
	respond "in: {http.auth.user.provider}:{http.auth.user.email}"
}
`, port, siteURL, testsupport.TwoProviders(one, two), dir))

	anon := testsupport.NewBrowser(t, "")
	resp := anon.Do("GET", siteURL+"/reports?q=1", nil, "text/html")
	page := testsupport.ReadBody(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, `<h1 id="brand">ACME sign-in</h1>`) || strings.Contains(page, "Choose how to sign in") {
		t.Fatalf("the choice: %d %.400s", resp.StatusCode, page)
	}
	checkPageHeaders(t, "the custom choice", resp.Header, "style-src 'self' 'unsafe-inline'")
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the custom choice is cacheable: Cache-Control %q", cc)
	}
	links := regexp.MustCompile(`id="p-(one|two)" href="([^"]+)">Use (One|Two)</a>`).FindAllStringSubmatch(page, -1)
	if len(links) != 2 {
		t.Fatalf("want one link per provider, with its name and label:\n%s", page)
	}
	hrefOf := map[string]string{}
	for _, l := range links {
		hrefOf[l[1]] = strings.ReplaceAll(l[2], "&amp;", "&")
		if !strings.Contains(l[2], "return_to=%2Freports%3Fq%3D1") {
			t.Errorf("link %s does not carry return_to", l[2])
		}
	}

	alice := testsupport.NewBrowser(t, "alice")
	if status, body := alice.Get(siteURL + hrefOf["two"]); status != 200 || body != "in: two:alice@example.com" {
		t.Errorf("alice through the custom choice: %d %q", status, body)
	}

	m := testsupport.NewBrowser(t, "mallory")
	resp = m.Do("GET", siteURL+hrefOf["one"], nil, "text/html")
	body := testsupport.ReadBody(t, resp)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "ACME: staff only") ||
		!strings.Contains(body, `mallory@example.org (&lt;script&gt;alert(&#34;claim&#34;)&lt;/script&gt;) via one may not enter.`) ||
		!strings.Contains(body, `href="/auth/logout"`) {
		t.Errorf("the custom 403: %d %.600s", resp.StatusCode, body)
	}
	if strings.Contains(body, "<script>") {
		t.Error("a claim's markup reached the custom 403 page unescaped")
	}
	checkPageHeaders(t, "the custom 403", resp.Header, "style-src 'self' 'unsafe-inline'")
	resp = m.Do("GET", siteURL+"/reports", nil, "application/json")
	if body := testsupport.ReadBody(t, resp); resp.StatusCode != 403 || !strings.HasPrefix(body, "403 Forbidden: mallory@example.org") {
		t.Errorf("a script still gets plain text: %d %q", resp.StatusCode, body)
	}

	// error.html is left out: the built-in error page.
	resp = anon.Do("GET", siteURL+"/oauth2callback?state=bogus&code=x", nil, "text/html")
	body = testsupport.ReadBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `<p class="site">127.0.0.1</p>`) || strings.Contains(body, "ACME") {
		t.Errorf("the left-out error page: %d %.400s", resp.StatusCode, body)
	}
	checkPageHeaders(t, "the built-in error page", resp.Header, "style-src 'unsafe-inline'")
}

// checkPageHeaders asserts what every page, built-in or custom, is sent with.
func checkPageHeaders(t *testing.T, what string, h http.Header, style string) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Type") != "text/html; charset=utf-8" ||
		!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		!strings.Contains(csp, style) || strings.Contains(csp, "script-src") {
		t.Errorf("%s headers: %v", what, h)
	}
}

// A provider's error, markup and all, shows on the site's own error page,
// escaped and with its status; a custom page that fails on a request the
// load-time check did not foresee gives the built-in page and a log line.
func TestCustomErrorPageForAProviderErrorThroughCaddy(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	logPath := filepath.Join(t.TempDir(), "caddy.log")
	// A mistake only a 502 reaches: index 3 of a list the error page never has.
	dir := customPages(t, map[string]string{"error.html": customError + `{{if eq .Status 502}}{{index .Providers 3}}{{end}}`})
	cfg := testsupport.SiteCaddyfile(t, port, p.MetadataURL(), "pages "+dir, `respond "in"`)
	global := strings.TrimSuffix(testsupport.GlobalOptions(t), "}\n") + "\tlog {\n\t\toutput file " + logPath + "\n\t}\n}\n"
	testsupport.StartCaddy(t, strings.Replace(cfg, testsupport.GlobalOptions(t), global, 1))

	b := testsupport.NewBrowser(t, "alice")
	p.SetBehavior(devprovider.Behavior{AuthorizeError: "access_denied"})
	resp := b.Do("GET", siteURL+"/docs", nil, "text/html")
	body := testsupport.ReadBody(t, resp)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "ACME: Sign-in was not completed") ||
		!strings.Contains(body, "answered: access_denied") || !strings.Contains(body, "403 Forbidden") ||
		!strings.Contains(body, `id="on" href="/auth/login?provider=default&amp;return_to=%2Fdocs">Try again</a>`) {
		t.Errorf("access_denied on the custom error page: %d %.600s", resp.StatusCode, body)
	}
	checkPageHeaders(t, "the custom error page", resp.Header, "style-src 'self' 'unsafe-inline'")

	p.SetBehavior(devprovider.Behavior{AuthorizeError: "<script>alert(1)</script>"})
	resp = b.Do("GET", siteURL+"/docs", nil, "text/html")
	body = testsupport.ReadBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "ACME:") ||
		strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("a provider error with markup: %d %.600s", resp.StatusCode, body)
	}

	p.SetBehavior(devprovider.Behavior{AuthorizeError: "server_error"})
	resp = b.Do("GET", siteURL+"/docs", nil, "text/html")
	body = testsupport.ReadBody(t, resp)
	if resp.StatusCode != http.StatusBadGateway || strings.Contains(body, "ACME") ||
		!strings.Contains(body, "server_error") || !strings.Contains(body, "502 Bad Gateway") {
		t.Errorf("a custom page failing at request time: %d %.600s", resp.StatusCode, body)
	}
	checkPageHeaders(t, "the fallback page", resp.Header, "style-src 'unsafe-inline'")
	var logged string
	for range 50 { // the log is written asynchronously: bounded wait
		data, _ := os.ReadFile(logPath)
		if logged = string(data); strings.Contains(logged, "custom page failed") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logged, "custom page failed") || !strings.Contains(logged, filepath.Join(dir, "error.html")) {
		t.Errorf("no log line names the failing page:\n%s", logged)
	}
}
