package oidcauth

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/caddy-oidc-auth/oidcauth/flow"
)

// checkCookieDomain settles cookie_domain: lower case, a leading dot
// dropped, a registrable name (not a public suffix such as com or co.uk,
// not a single label, not an IP address), with the redirect_uri host equal
// to it or under it, since the callback sets the cookie and a browser takes
// a Domain cookie only from a host within that domain.
func (m *OIDCAuth) checkCookieDomain(src keySource) error {
	if m.CookieDomain == "" {
		return nil
	}
	raw := m.CookieDomain
	d := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(raw), "."))
	bad := func(why string) error {
		return fmt.Errorf("cookie_domain %q%s %s: give the domain every site shares, such as example.com", raw, src.at("auth"), why)
	}
	switch {
	case strings.Contains(d, "://") || strings.ContainsAny(d, "/?#@"):
		return bad("must be a domain name, not a URL")
	case strings.Contains(d, ":") && net.ParseIP(d) == nil:
		return bad("must not have a port: cookies are shared across every port")
	case net.ParseIP(d) != nil:
		return bad("is an IP address: cookies cannot be shared across hosts of an address")
	case !flow.UnderDomain(d, d) || strings.Contains(d, "_"):
		return bad("is not a valid domain name (letters, digits, - and . only)")
	case !strings.Contains(d, "."):
		return bad("is a single label: browsers do not share cookies across a top-level domain")
	}
	if suffix, _ := publicsuffix.PublicSuffix(d); suffix == d {
		return bad("is a public suffix, shared by sites of other owners: browsers refuse cookies for it")
	}
	redirect, _ := url.Parse(m.RedirectURI)
	if !flow.UnderDomain(redirect.Hostname(), d) {
		return fmt.Errorf("cookie_domain %q%s does not hold the host of redirect_uri %q: the callback sets the cookie, so it must be the domain or a site under it", raw, src.at("auth"), m.RedirectURI)
	}
	m.cookieDomain = d
	m.domainHTTPS = redirect.Scheme == "https"
	return nil
}

// domainSite is the cookie site of a handler with cookie_domain: one name
// for every site of the domain whatever its port (browsers send domain
// cookies to every port), unlike any host-only name, with __Secure- over
// https (__Host- forbids Domain). The domain is in the name, so sites under
// both a.example.com and example.com see two cookies, not one overwritten.
func domainSite(domain string, https bool) cookieSite {
	s := cookieSite{scope: "domain:" + domain, cookieName: "oidc_auth." + domain}
	if https {
		s.cookieName = "__Secure-" + s.cookieName
	}
	return s
}

// cleanReturnTo keeps a return_to that is a path on this site or, with
// cookie_domain, a URL of a site under the domain (https when redirect_uri
// is); anything else becomes "/".
func (m *OIDCAuth) cleanReturnTo(raw string) string {
	if m.cookieDomain == "" {
		return flow.CleanReturnTo(raw)
	}
	return flow.CleanReturnToDomain(raw, m.cookieDomain, m.domainHTTPS)
}

// returnToHere is where a sign-in started by r comes back to: the page it
// asked for, as a path when this site serves the callback, as an absolute
// URL when the callback is another site of the domain (which would read a
// path as its own).
func (m *OIDCAuth) returnToHere(r *http.Request) string {
	if m.cookieDomain == "" {
		return r.URL.RequestURI()
	}
	redirect, _ := url.Parse(m.RedirectURI)
	if strings.EqualFold(r.Host, redirect.Host) {
		return r.URL.RequestURI()
	}
	return redirect.Scheme + "://" + r.Host + r.URL.RequestURI()
}
