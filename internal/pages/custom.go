package pages

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Kind is which page is shown, named by the file that replaces it.
type Kind string

// The pages a site may replace.
const (
	Choose    Kind = "choose.html"    // the provider choice
	Error     Kind = "error.html"     // every error page
	Forbidden Kind = "forbidden.html" // signed in, but not admitted by the allow rules
)

// Kinds are the files a pages directory may hold.
var Kinds = []Kind{Choose, Error, Forbidden}

// customCSP is the built-in policy widened for a site's own look: its own
// stylesheets, images and fonts (same origin, images also as data: URIs),
// forms posting only to the site. Still no script, no plugin, no framing.
const customCSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// maxTemplateBytes bounds one template file: a page, not a data dump.
const maxTemplateBytes = 1 << 20

// Set is the site's own pages, each replacing a built-in one; a kind it
// lacks (and a nil Set) shows the built-in page.
type Set struct {
	dir    string
	custom map[Kind]*template.Template
	// onFallback hears of a custom page that failed at request time, which
	// was replaced by the built-in page.
	onFallback func(file string, err error)
}

// Load reads the html/template files of dir. It refuses a directory that
// cannot be read, one holding none of the known files, an .html file that
// is none of them (a misspelt name would otherwise be silently ignored),
// and a template that does not parse or fails on sample data; each error
// names the file, and the line where html/template knows it. Files that are
// not .html (a stylesheet kept beside the pages) are ignored.
func Load(dir string, onFallback func(file string, err error)) (*Set, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("pages: cannot read the directory %s: %w", dir, unwrapPath(err))
	}
	s := &Set{dir: dir, custom: map[Kind]*template.Template{}, onFallback: onFallback}
	for _, e := range entries {
		name := e.Name()
		if !strings.EqualFold(filepath.Ext(name), ".html") {
			continue
		}
		kind := Kind(name)
		if !slices.Contains(Kinds, kind) {
			return nil, fmt.Errorf("pages: %s is not a page this module shows (use %s)", filepath.Join(dir, name), kindList())
		}
		t, err := loadTemplate(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		s.custom[kind] = t
	}
	if len(s.custom) == 0 {
		return nil, fmt.Errorf("pages: %s holds none of %s", dir, kindList())
	}
	return s, nil
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// loadTemplate parses one file, named by its path so that every error
// html/template gives ("template: /srv/pages/choose.html:12: ...") says
// where, and runs it on sample data so that a field that does not exist or
// a broken attribute fails now rather than in front of a user.
func loadTemplate(path string) (*template.Template, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("pages: cannot read %s: %w", path, unwrapPath(err))
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("pages: %s is not a regular file", path)
	}
	if info.Size() > maxTemplateBytes {
		return nil, fmt.Errorf("pages: %s is %d bytes, more than the %d a page may have", path, info.Size(), maxTemplateBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pages: cannot read %s: %w", path, unwrapPath(err))
	}
	t, err := template.New(path).Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	for _, v := range samples(Kind(filepath.Base(path))) {
		if _, err := render(t, v); err != nil {
			return nil, fmt.Errorf("pages: %w", err)
		}
	}
	return t, nil
}

// unwrapPath drops the *fs.PathError wrapper, whose text repeats the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// samples are what a page of kind is checked with at load time: one with
// every field its requests fill set, and one as bare as a request can be.
func samples(kind Kind) []view {
	full := view{Site: "site.example", Page: Page{Title: "Sign-in failed", Message: "The sign-in provider answered: access_denied",
		Link: &Link{Href: "/auth/login", Label: "Try again"}, Status: http.StatusForbidden}, StatusText: "Forbidden"}
	switch kind {
	case Choose:
		full.Page = Page{Title: "Sign in", Message: "Choose how to sign in.", Providers: []Link{
			{Href: "/auth/login?provider=google", Label: "Google", Name: "google"},
			{Href: "/auth/login", Label: "login.example.com", Name: "default"}}}
		full.StatusText = ""
	case Forbidden:
		full.Page = Page{Title: "Access denied", Message: "You are signed in as ada@example.com (google), and this account may not access this page.",
			SignOut: "/auth/logout", Status: http.StatusForbidden, User: "ada@example.com", Provider: "google",
			Claims: map[string]any{"sub": "1", "email": "ada@example.com", "name": "Ada", "groups": []any{"staff"}}}
	}
	return []view{full, {Site: "site.example", Page: Page{Title: full.Title}}}
}

// Custom lists the pages the set replaces.
func (s *Set) Custom() []Kind {
	if s == nil {
		return nil
	}
	var out []Kind
	for _, k := range Kinds {
		if s.custom[k] != nil {
			out = append(out, k)
		}
	}
	return out
}

// Write sends p with the site's own page of kind, or the built-in page when
// there is none. A custom page that fails now (a branch the load-time check
// did not take) is replaced by the built-in page, and onFallback told: the
// user never sees half a page.
func (s *Set) Write(w http.ResponseWriter, r *http.Request, kind Kind, status int, p Page) error {
	if s != nil && s.custom[kind] != nil {
		body, err := render(s.custom[kind], viewOf(r, p))
		if err == nil {
			return send(w, r, status, customCSP, body)
		}
		if s.onFallback != nil {
			s.onFallback(filepath.Join(s.dir, string(kind)), err)
		}
	}
	return Write(w, r, status, p)
}
