package pages

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pagesDir writes files (name -> content) into a new directory.
func pagesDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadRefusesWhatWouldBreakAPageNamingFileAndLine(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		want  []string // besides the directory
	}{
		{"does not parse", map[string]string{"choose.html": "<h1>Sign in</h1>\n<p>\n{{range .Providers}}\n"},
			[]string{"choose.html:4:", "unexpected EOF"}},
		{"a field that does not exist", map[string]string{"error.html": "<h1>{{.Title}}</h1>\n\n<p>{{.Mesage}}</p>\n"},
			[]string{"error.html:3:", "Mesage"}},
		{"a field of a provider that does not exist", map[string]string{"choose.html": "{{range .Providers}}\n<a href=\"{{.URL}}\">x</a>{{end}}"},
			[]string{"choose.html:2:", "URL"}},
		{"an unclosed attribute", map[string]string{"forbidden.html": "<a href=\"{{.SignOut}}\n"},
			[]string{"forbidden.html", "non-text context"}},
		{"a misspelt name", map[string]string{"choose.html": "ok", "forbiden.html": "x"},
			[]string{"forbiden.html", "choose.html, error.html, forbidden.html"}},
		{"none of the pages", map[string]string{"site.css": "body{}"},
			[]string{"holds none of choose.html, error.html, forbidden.html"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := pagesDir(t, c.files)
			_, err := Load(dir, nil)
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range append(c.want, dir, "pages: ") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	_, err := Load(filepath.Join(t.TempDir(), "nope"), nil)
	if err == nil || !strings.Contains(err.Error(), "nope") || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("a missing directory: %v", err)
	}
}

func TestCustomPageReplacesOnlyItsOwnKindAndEscapes(t *testing.T) {
	dir := pagesDir(t, map[string]string{
		"error.html":     "<h1 class=mine>{{.Title}}</h1><p>{{.Message}}</p>{{with .Link}}<a href=\"{{.Href}}\">{{.Label}}</a>{{end}} {{.Status}} {{.StatusText}} on {{.Site}}",
		"forbidden.html": "<p class=mine>{{.User}} via {{.Provider}}, named {{.Claims.name}}</p>",
		"logo.svg":       "<svg/>", // not a page: ignored
	})
	set, err := Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Custom(); len(got) != 2 || got[0] != Error || got[1] != Forbidden {
		t.Errorf("custom pages %v", got)
	}
	r := httptest.NewRequest(http.MethodGet, "http://site.example:8443/oauth2callback", nil)

	w := httptest.NewRecorder()
	err = set.Write(w, r, Error, http.StatusForbidden, Page{Title: "Sign-in was not completed",
		Message: `The sign-in provider answered: access_denied (<script>alert(1)</script>)`,
		Link:    &Link{Href: "javascript:alert(1)", Label: "Try again"}, Status: http.StatusForbidden})
	if err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	for _, want := range []string{`<h1 class=mine>Sign-in was not completed</h1>`, "&lt;script&gt;alert(1)&lt;/script&gt;",
		"403 Forbidden on site.example", `href="#ZgotmplZ"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the custom error page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script>") || w.Code != http.StatusForbidden {
		t.Errorf("%d, unescaped markup or wrong status:\n%s", w.Code, body)
	}
	h := w.Header()
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("headers %v", h)
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q allows scripts", csp)
	}

	w = httptest.NewRecorder()
	set.Write(w, r, Forbidden, http.StatusForbidden, Page{Title: "Access denied", User: "eve@example.com", Provider: "google",
		Claims: map[string]any{"name": `<img src=x onerror=alert(1)>`}})
	if body := w.Body.String(); !strings.Contains(body, "eve@example.com via google, named &lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the custom 403 page:\n%s", body)
	}

	w = httptest.NewRecorder()
	set.Write(w, r, Choose, http.StatusOK, Page{Title: "Sign in", Providers: []Link{{Href: "/auth/login", Label: "Google"}}})
	if body := w.Body.String(); !strings.Contains(body, ">Sign in with Google</a>") || strings.Contains(body, "mine") {
		t.Errorf("the choice, left out of the directory, is not the built-in page:\n%s", body)
	}
	if w.Header().Get("Content-Security-Policy") != builtinCSP {
		t.Errorf("the built-in page got the CSP %q", w.Header().Get("Content-Security-Policy"))
	}
}

// A branch the load-time check does not take can still fail: the user gets
// the built-in page, never half of the custom one, and the failure is told.
func TestCustomPageThatFailsAtRequestTimeFallsBackToTheBuiltInPage(t *testing.T) {
	dir := pagesDir(t, map[string]string{"error.html": `<p class=mine>{{.Title}}{{if eq .Message "rare"}}{{index .Providers 5}}{{end}}</p>`})
	var told []string
	set, err := Load(dir, func(file string, err error) { told = append(told, file+": "+err.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "http://site.example/oauth2callback", nil)
	if err := set.Write(w, r, Error, http.StatusBadRequest, Page{Title: "Sign-in failed", Message: "rare", Status: 400}); err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	if w.Code != 400 || strings.Contains(body, "mine") || !strings.Contains(body, "400 Bad Request") {
		t.Errorf("%d:\n%s", w.Code, body)
	}
	if len(told) != 1 || !strings.Contains(told[0], filepath.Join(dir, "error.html")) || !strings.Contains(told[0], "index out of range") {
		t.Errorf("told %q", told)
	}
}

func TestANilSetShowsTheBuiltInPages(t *testing.T) {
	var set *Set
	w := httptest.NewRecorder()
	if err := set.Write(w, httptest.NewRequest(http.MethodGet, "http://x/", nil), Error, 502, Page{Title: "Sign-in failed", Status: 502}); err != nil {
		t.Fatal(err)
	}
	if w.Code != 502 || !strings.Contains(w.Body.String(), "502 Bad Gateway") || set.Custom() != nil {
		t.Errorf("%d %s", w.Code, w.Body.String())
	}
}

func TestLoadRefusesAnOversizedTemplate(t *testing.T) {
	dir := pagesDir(t, map[string]string{"error.html": strings.Repeat("x", maxTemplateBytes+1)})
	if _, err := Load(dir, nil); err == nil || !strings.Contains(err.Error(), "error.html") {
		t.Errorf("an oversized page: %v", err)
	}
}
