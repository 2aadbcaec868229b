package oidcauth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
)

// site is what a sign-in on this handler is valid for: the origin of
// redirect_uri (the cookie's scope) and the cookie name that goes with it.
type cookieSite struct {
	scope      string // scheme://host[:port], lower case, default port left out
	cookieName string
}

// siteOf names the site of redirect_uri. Browsers send a host's cookies to
// every port of it, so the port is part of the name: two sites on one host
// keep separate sign-ins, and signing in or out on one leaves the other as
// it was. Over https the name carries the __Host- prefix, which browsers
// accept only from that very host, over https and for Path=/: no sibling
// subdomain or plain-http page can plant or replace the cookie.
func siteOf(redirect *url.URL) cookieSite {
	scheme := strings.ToLower(redirect.Scheme)
	host := strings.ToLower(redirect.Hostname())
	port := redirect.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	s := cookieSite{scope: scheme + "://" + host, cookieName: "oidc_auth"}
	if strings.Contains(host, ":") {
		s.scope = scheme + "://[" + host + "]"
	}
	if port != "" {
		s.scope += ":" + port
		s.cookieName += "-" + port
	}
	if scheme == "https" {
		s.cookieName = "__Host-" + s.cookieName
	}
	return s
}

// issuerKey is how revocations and used logout-token ids name a provider
// in Caddy's storage: by its issuer, not by the name a site gave it, so
// two sites on one storage that both call different providers "default"
// never share entries. Hashed, so any issuer URL is a safe key segment.
func issuerKey(issuer string) string {
	h := sha256.Sum256([]byte(issuer))
	return "iss-" + hex.EncodeToString(h[:16])
}

// addCallback records the callback path of provider name's redirect_uri.
// Providers that share a redirect_uri share the path.
func (m *OIDCAuth) addCallback(name, redirectURI string) {
	u, _ := url.Parse(redirectURI)
	m.callbackOf[name] = u.Path
	if !slices.Contains(m.callbacks, u.Path) {
		m.callbacks = append(m.callbacks, u.Path)
	}
}

// isCallback: path is one of the callback paths this handler serves.
func (m *OIDCAuth) isCallback(path string) bool {
	for _, p := range m.callbacks {
		if p == path {
			return true
		}
	}
	return false
}

// sharesCallback: another provider answers at provider name's callback path.
func (m *OIDCAuth) sharesCallback(name string) bool {
	for other, path := range m.callbackOf {
		if other != name && path == m.callbackOf[name] {
			return true
		}
	}
	return false
}
