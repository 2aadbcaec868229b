package oidcauth

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/caddy-oidc-auth/oidcauth/internal/pages"
)

// renderChooser lists one sign-in link per provider, each carrying the
// login_hint the sign-in was asked with.
func (m *OIDCAuth) renderChooser(w http.ResponseWriter, r *http.Request, returnTo, loginHint string) error {
	p := pages.Page{Title: "Sign in", Message: "Choose how to sign in."}
	for _, name := range m.names {
		p.Providers = append(p.Providers, pages.Link{Href: withLoginHint(loginURL(name, returnTo), loginHint), Label: m.providerLabel(name), Name: name})
	}
	w.Header().Set("Cache-Control", "no-store")
	return m.pages.Write(w, r, pages.Choose, http.StatusOK, p)
}

// providerLabel is how the chooser names a provider after "Sign in with":
// a named one by its name, capitalized (Google); the unnamed one by its
// issuer's host (accounts.google.com), which a user recognizes.
func (m *OIDCAuth) providerLabel(name string) string {
	if name != DefaultProviderName {
		return strings.ToUpper(name[:1]) + name[1:]
	}
	if u, err := url.Parse(m.providers[name].Issuer()); err == nil && u.Host != "" {
		return u.Host
	}
	return "this site's provider"
}

// renderError shows a finished-looking error page with a way on (retry,
// sign in again) where there is one (next; nil for none). No stack trace,
// nothing secret.
func (m *OIDCAuth) renderError(w http.ResponseWriter, r *http.Request, status int, title, message string, next *pages.Link) error {
	return m.pages.Write(w, r, pages.Error, status, pages.Page{Title: title, Message: message, Link: next, Status: status})
}

// The ways on an error page offers, each labelled for where it leads.

// tryAgain leads to a new sign-in at href.
func tryAgain(href string) *pages.Link { return &pages.Link{Href: href, Label: "Try again"} }

// backTo leads to the page the user asked for before signing in.
func backTo(returnTo string) *pages.Link {
	return &pages.Link{Href: returnTo, Label: "Go to the page you asked for"}
}

// homePage leads to the site's root.
func homePage() *pages.Link { return &pages.Link{Href: "/", Label: "Go to the home page"} }
