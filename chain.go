package oidcauth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
)

// Several oidc_auth handlers can sit in one request's chain: a site-wide one
// and a stricter one for /admin/*. The first one reads the identity cookie
// and strips it before the next handler, so upstreams never see it; it
// leaves what it read in the request's variables, and every later handler
// takes the user from there instead of opening the cookie again. Each one
// still applies its own allow rules.

// chainVar is the request variable that carries the chain's session.
const chainVar = "oidc_auth.session"

// chainedSession is what the first handler read, for the ones after it.
type chainedSession struct {
	key     string          // the chainKey of the handler that read it
	sess    *cookie.Session // nil: signed out
	cookies []string        // the request's Cookie lines before ours were stripped
}

// String keeps the session out of {http.vars.*} and anything that prints
// request variables.
func (*chainedSession) String() string { return "" }

// chainKeyOf says what a session read by a handler is valid for: handlers
// with the same key (same site, cookie, secrets and clients) accept exactly
// the same sessions and can share one read.
func chainKeyOf(s cookieSite, secret string, previous []string, clients map[string]cookie.Client) string {
	h := sha256.New()
	write := func(v string) { h.Write([]byte(v)); h.Write([]byte{0}) }
	write(s.scope)
	write(s.cookieName)
	write(secret)
	for _, p := range previous {
		write(p)
	}
	names := make([]string, 0, len(clients))
	for name := range clients {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		write(name)
		write(clients[name].Issuer)
		write(clients[name].ClientID)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// requestSession is the signed-in user of r, or nil: the session an earlier
// oidc_auth handler of the chain read, or the cookie's (refreshed when its
// tokens are due). It strips our cookies from r for the handlers that follow.
func (m *OIDCAuth) requestSession(w http.ResponseWriter, r *http.Request) *cookie.Session {
	prev, _ := caddyhttp.GetVar(r.Context(), chainVar).(*chainedSession)
	if prev != nil && prev.key == m.chainKey {
		return prev.sess
	}
	var sess *cookie.Session
	var arrived []string
	if prev != nil {
		// A handler of another site or config ran first and stripped the
		// cookies: read ours from the header as it arrived.
		arrived = prev.cookies
		stripped := r.Header["Cookie"]
		r.Header["Cookie"] = arrived
		sess = m.maybeRefresh(w, r, m.session(r))
		r.Header["Cookie"] = stripped
	} else {
		sess = m.maybeRefresh(w, r, m.session(r))
		arrived = cloneCookieLines(r.Header["Cookie"])
	}
	caddyhttp.SetVar(r.Context(), chainVar, &chainedSession{key: m.chainKey, sess: sess, cookies: arrived})
	// Upstreams see the user through placeholders, never through our cookies.
	m.jar.StripCookies(r)
	return sess
}

// cloneCookieLines copies the Cookie lines, which StripCookies rewrites in place.
func cloneCookieLines(lines []string) []string {
	if len(lines) == 0 {
		return nil
	}
	return append([]string(nil), lines...)
}
