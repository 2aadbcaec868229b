package oidcauth

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strings"
)

//go:embed templates/page.html
var pageHTML string

// pageTemplate renders every page the handler shows itself: errors, the
// provider choice and (for access rules) the not-admitted page. html/template
// escapes everything, provider error texts included.
var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

type pageLink struct{ Href, Label string }

type page struct {
	Site, Title, Message string
	Providers            []pageLink
	Link                 *pageLink
	SignOut              string
	Status               int
	StatusText           string
}

// renderChooser lists one sign-in link per provider.
func (m *OIDCAuth) renderChooser(w http.ResponseWriter, r *http.Request, returnTo string) error {
	p := page{Title: "Sign in", Message: "Choose how to sign in."}
	for _, name := range m.names {
		label := name
		if name == DefaultProviderName {
			label = "the default provider"
		} else {
			label = strings.ToUpper(name[:1]) + name[1:]
		}
		p.Providers = append(p.Providers, pageLink{Href: loginURL(name, returnTo), Label: label})
	}
	w.Header().Set("Cache-Control", "no-store")
	return writePage(w, r, http.StatusOK, p)
}

// renderError shows a finished-looking error page with a way on (retry,
// sign in again) where there is one. No stack trace, nothing secret.
func (m *OIDCAuth) renderError(w http.ResponseWriter, r *http.Request, status int, title, message, next string) error {
	p := page{Title: title, Message: message, Status: status, StatusText: http.StatusText(status)}
	if next != "" {
		label := "Try again"
		if !strings.HasPrefix(next, loginPath) {
			label = "Go to the home page"
		}
		p.Link = &pageLink{Href: next, Label: label}
	}
	return writePage(w, r, status, p)
}

func writePage(w http.ResponseWriter, r *http.Request, status int, p page) error {
	p.Site = siteName(r)
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
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
