package testsupport

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// The identity cookie is named for its site: oidc_auth on a default port,
// oidc_auth-<port> otherwise, with __Host- in front over https; its pieces
// add _1, _2...; login states add _login_; the sign-out hint adds _hint.
var (
	sessionCookieName = regexp.MustCompile(`^(__Host-)?oidc_auth(-[0-9]+)?$`)
	pieceCookieName   = regexp.MustCompile(`^(__Host-)?oidc_auth(-[0-9]+)?_[1-9][0-9]*$`)
	loginCookieName   = regexp.MustCompile(`^(__Host-)?oidc_auth(-[0-9]+)?_login_`)
	// The sign-out hint (the ID token, Path=/auth/logout) is __Secure-
	// where the session is __Host-: a __Host- cookie must have Path=/.
	hintCookieName = regexp.MustCompile(`^(__Secure-)?oidc_auth[^_=;]*_hint(_[1-9][0-9]*)?$`)
)

// IsHintCookie reports whether name is the sign-out hint cookie or a piece
// of it.
func IsHintCookie(name string) bool { return hintCookieName.MatchString(name) }

// IsSessionCookie reports whether name is the first (or only) identity
// cookie of a site.
func IsSessionCookie(name string) bool { return sessionCookieName.MatchString(name) }

// IsIdentityCookie reports whether name is the identity cookie or one of its pieces.
func IsIdentityCookie(name string) bool {
	return sessionCookieName.MatchString(name) || pieceCookieName.MatchString(name)
}

// IsLoginCookie reports whether name is one of the login-state cookies.
func IsLoginCookie(name string) bool { return loginCookieName.MatchString(name) }

// CookieNameAt is the identity cookie's name on the test site at port.
func CookieNameAt(port int) string { return fmt.Sprintf("oidc_auth-%d", port) }

// SetCookieName is the name in a Set-Cookie line.
func SetCookieName(line string) string {
	name, _, _ := strings.Cut(line, "=")
	return strings.TrimSpace(name)
}

// IdentityCookies are the identity cookie and its pieces that resp sets
// (not those it expires).
func IdentityCookies(resp *http.Response) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range resp.Cookies() {
		if c.MaxAge <= 0 || c.Value == "" {
			continue
		}
		if IsIdentityCookie(c.Name) {
			out = append(out, c)
		}
	}
	return out
}

// JoinCookies joins cookies into a Cookie request header.
func JoinCookies(cookies []*http.Cookie) string {
	parts := make([]string, len(cookies))
	for i, c := range cookies {
		parts[i] = c.Name + "=" + c.Value
	}
	return strings.Join(parts, "; ")
}
