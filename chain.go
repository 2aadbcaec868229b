package oidcauth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
)

// Several oidc_auth handlers can sit in one request's chain: a site-wide one
// and a stricter one for /admin/*. The first one reads the identity cookie
// and strips it before the next handler, so upstreams never see it; it
// leaves what it read in the request's variables, and every later handler
// takes the user from there instead of opening the cookie again. Each one
// still applies its own allow rules.

// sharedSession is how the session travels in the request variables: a
// cookie.Session under a type of its own, whose String prints nothing, so
// that {http.vars.*} or a template printing variables never shows it.
type sharedSession cookie.Session

func (*sharedSession) String() string { return "" }

// chainVars names the two request variables of a handler: the session it
// read, under its chainKey, and a mark under its cookie name saying that the
// cookie was read (and stripped) by some handler.
func chainVars(key, cookieName string) (session, read string) {
	return "oidc_auth.session." + key[:32], "oidc_auth.read." + cookieName
}

// chainKeyOf says what a session read by a handler is valid for: handlers
// with the same key (same site, cookie, secrets and clients) accept exactly
// the same sessions and can share one read.
func chainKeyOf(s cookieSite, secret string, previous []string, clients map[string]cookie.Client, idle time.Duration) string {
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
	// One cookie has one idle deadline: handlers that disagree on it cannot share.
	write(idle.String())
	return hex.EncodeToString(h.Sum(nil))
}

// requestVars is the request's variable table ({http.vars.*}), fetched from
// the request's context once: each caddyhttp.GetVar or SetVar walks the
// whole context chain again. Outside Caddy's server it is nil; reads then
// find nothing and writes are dropped, as with GetVar and SetVar.
type requestVars map[string]any

func varsOf(r *http.Request) requestVars {
	v, _ := r.Context().Value(caddyhttp.VarsCtxKey).(map[string]any)
	return v
}

func (v requestVars) set(key string, value any) {
	if v != nil {
		v[key] = value
	}
}

// requestSession is the signed-in user of r, or nil: the session an earlier
// oidc_auth handler of the chain with the same settings read, or the
// cookie's (refreshed when its tokens are due). It strips our cookies from r
// for the handlers that follow. ok is false when an earlier handler with
// other settings for this same cookie (another cookie_secret, other
// providers or another idle_timeout) read and stripped it: then nobody here can tell who the user is.
func (m *OIDCAuth) requestSession(w http.ResponseWriter, r *http.Request, vars requestVars) (sess *cookie.Session, ok bool) {
	if shared, found := vars[m.sessionVar].(*sharedSession); found {
		return (*cookie.Session)(shared), true
	}
	if vars[m.readVar] != nil {
		return nil, false
	}
	sess = m.maybeRefresh(w, r, m.session(r))
	// Here, not in every handler: a chain renews the cookie at most once.
	sess = m.maybeRenew(w, r, sess)
	// A pointer in an interface costs no allocation: the chain's sharing is free.
	vars.set(m.sessionVar, (*sharedSession)(sess))
	vars.set(m.readVar, true)
	// Upstreams see the user through placeholders, never through our cookies.
	m.jar.StripCookies(r)
	return sess, true
}

// refuseMismatchedChain answers a request that two oidc_auth handlers of one
// site, configured with different cookie_secret or providers, both handle:
// the first read the cookie with its settings and stripped it, and this one
// cannot accept that session. Sending the user to sign in would loop, so
// the site's administrator gets a clear line in the log and the user a page.
func (m *OIDCAuth) refuseMismatchedChain(w http.ResponseWriter, r *http.Request) error {
	m.logger.Error("two oidc_auth handlers of this site handle one request with different cookie_secret, providers or idle_timeout; give them the same ones")
	w.Header().Set("Cache-Control", "no-store")
	return m.renderError(w, r, http.StatusInternalServerError, "Sign-in is misconfigured",
		"This site checks sign-ins twice with different settings, so it cannot tell who you are. The site's administrator can find the details in Caddy's log.", homePage())
}
