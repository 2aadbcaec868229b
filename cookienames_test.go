package oidcauth

import (
	"fmt"
	"regexp"
	"strings"
)

// The identity cookie is named for its site: oidc_auth on a default port,
// oidc_auth-<port> otherwise, with __Host- in front over https; its pieces
// add _1, _2...; login states add _login_.
var (
	sessionCookieName = regexp.MustCompile(`^(__Host-)?oidc_auth(-[0-9]+)?$`)
	pieceCookieName   = regexp.MustCompile(`^(__Host-)?oidc_auth(-[0-9]+)?_[1-9][0-9]*$`)
	loginCookieName   = regexp.MustCompile(`^(__Host-)?oidc_auth(-[0-9]+)?_login_`)
)

// isSessionCookie: name is the first (or only) identity cookie of a site.
func isSessionCookie(name string) bool { return sessionCookieName.MatchString(name) }

// isIdentityCookie: name is the identity cookie or one of its pieces.
func isIdentityCookie(name string) bool {
	return sessionCookieName.MatchString(name) || pieceCookieName.MatchString(name)
}

// isLoginCookie: name is one of the login-state cookies.
func isLoginCookie(name string) bool { return loginCookieName.MatchString(name) }

// cookieNameAt is the identity cookie's name on the test site at port.
func cookieNameAt(port int) string { return fmt.Sprintf("oidc_auth-%d", port) }

// setCookieName is the name in a Set-Cookie line.
func setCookieName(line string) string {
	name, _, _ := strings.Cut(line, "=")
	return strings.TrimSpace(name)
}
