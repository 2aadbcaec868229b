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

// Link is a button or a link: where it leads and what it says. Name is the
// provider's name on a sign-in choice ("google", "default"), for a custom
// page that shows each provider its own way.
type Link struct{ Href, Label, Name string }

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
	// On the not-admitted page: who is signed in (email, else sub), with
	// which provider, and the claims kept in the session. The built-in page
	// says them in Message; a custom page may show them its own way.
	User, Provider string
	Claims         map[string]any
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
	body, err := render(pageTemplate, viewOf(r, p))
	if err != nil {
		return err
	}
	return send(w, r, status, builtinCSP, body)
}

// builtinCSP lets the built-in page use its inline style and nothing else.
const builtinCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

func viewOf(r *http.Request, p Page) view {
	v := view{Page: p, Site: siteName(r)}
	if p.Status != 0 {
		v.StatusText = http.StatusText(p.Status)
	}
	return v
}

// render executes t into memory, so a template that fails halfway sends
// nothing.
func render(t *template.Template, v view) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// send writes a rendered page with the headers every page gets.
func send(w http.ResponseWriter, r *http.Request, status int, csp string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write(body)
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
