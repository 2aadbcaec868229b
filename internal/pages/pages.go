package pages

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strings"
)

//go:embed page.html
var pageHTML string

// pageTemplate renders every page. html/template escapes everything,
// provider error texts included.
var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// Link is a button or a link: where it leads and what it says.
type Link struct{ Href, Label string }

// Page is what one page shows; empty fields show nothing.
type Page struct {
	Title, Message string
	// Sign-in choices, each shown as "Sign in with <Label>".
	Providers []Link
	// The way on, as the page's main button.
	Link *Link
	// The sign-out address, offered as "Not you? Sign out".
	SignOut string
	// The HTTP status shown at the bottom with its text; 0: none.
	Status int
}

// view is what the template reads: the page and what Write adds.
type view struct {
	Page
	Site       string
	StatusText string
}

// Write sends p with the HTTP status (a HEAD request gets the headers
// only), naming the site the user asked for.
func Write(w http.ResponseWriter, r *http.Request, status int, p Page) error {
	v := view{Page: p, Site: siteName(r)}
	if p.Status != 0 {
		v.StatusText = http.StatusText(p.Status)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, v); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// siteName is the host the user asked for, without a port.
func siteName(r *http.Request) string {
	host := r.Host
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	return host
}
