package oidcauth

import (
	"net/http"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/internal/claims"
	"github.com/caddy-oidc-auth/oidcauth/internal/pages"
)

// The routes this handler serves under every site it is in.
const (
	loginPath  = "/auth/login"
	logoutPath = "/auth/logout"
	userPath   = "/auth/user"
)

// ServeHTTP serves the sign-in routes and, for every other request, reads
// the identity cookie, sets the {http.auth.user.*} placeholders and either
// passes the request on or sends an anonymous one to sign in.
func (m *OIDCAuth) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if m.isCallback(r.URL.Path) {
		return m.serveCallback(w, r)
	}
	switch r.URL.Path {
	case loginPath:
		return m.serveLogin(w, r)
	case logoutPath:
		return m.serveLogout(w, r)
	case userPath:
		return m.serveUser(w, r)
	case backchannelLogoutPath:
		return m.serveBackchannelLogout(w, r)
	case frontchannelLogoutPath:
		return m.serveFrontchannelLogout(w, r)
	case jwksPath:
		return m.serveJWKS(w, r)
	}
	vars := varsOf(r)
	if raw, found, malformed := m.bearerCredential(r, vars); found {
		return m.serveBearer(w, r, next, vars, raw, malformed)
	}

	sess, ok := m.requestSession(w, r, vars)
	if !ok {
		return m.refuseMismatchedChain(w, r)
	}
	repl, _ := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer)
	if repl != nil {
		repl.Map(m.placeholders(sess))
	}

	switch {
	case sess == nil:
		m.metrics.checkAnonymous.Inc()
		if !m.Optional {
			return m.askToSignIn(w, r)
		}
	case !m.Allow.Admits(sess.Provider, sess.Claim):
		m.metrics.checkRefused.Inc()
		return m.refuse(w, r, sess)
	default:
		m.metrics.checkSignedIn.Inc()
	}
	return next.ServeHTTP(w, r)
}

// askToSignIn answers an anonymous request: a browser navigation goes to
// sign in and comes back; scripts and API clients get a plain 401 they can
// act on, not a redirect to an HTML sign-in they cannot follow.
func (m *OIDCAuth) askToSignIn(w http.ResponseWriter, r *http.Request) error {
	if isNavigation(r) {
		http.Redirect(w, r, loginURL("", m.returnToHere(r)), http.StatusFound)
		return nil
	}
	return m.unauthorized(w, "sign in at "+loginPath)
}

// refuse answers a signed-in user the allow rules do not admit: 403 at
// once (another trip to the provider would not change who they are), a page
// naming the account with a way to sign out, or plain text for scripts.
func (m *OIDCAuth) refuse(w http.ResponseWriter, r *http.Request, sess *cookie.Session) error {
	email, _ := sess.Claim("email")
	who := claims.String(email)
	if who == "" {
		who = sess.Subject
	}
	m.logger.Info("signed-in user not admitted", zap.String("provider", sess.Provider), zap.String("sub", sess.Subject))
	w.Header().Set("Cache-Control", "no-store")
	if !isNavigation(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("403 Forbidden: " + who + " may not access this page\n"))
		return nil
	}
	return m.pages.Write(w, r, pages.Forbidden, http.StatusForbidden, pages.Page{
		Title:    "Access denied",
		Message:  "You are signed in as " + who + " (" + sess.Provider + "), and this account may not access this page.",
		SignOut:  logoutPath,
		Status:   http.StatusForbidden,
		User:     who,
		Provider: sess.Provider,
		Claims:   sess.ClaimMap(),
	})
}

// session returns the signed-in user, or nil: a cookie that does not open,
// has expired or is missing a piece reads as signed out.
func (m *OIDCAuth) session(r *http.Request) *cookie.Session {
	now := time.Now()
	sess, err := m.jar.ReadSession(r, now)
	if err != nil {
		return nil
	}
	// The jar opens only sessions bound to one of this site's providers,
	// with the issuer and client_id it has here.
	if m.revoked != nil && m.revoked.IsRevoked(m.issuerKeys[sess.Provider], sess.SID, sess.Subject, sess.Created) {
		return nil // the provider signed this session out (back-channel logout)
	}
	return sess
}

// isNavigation tells a browser opening a page, which is sent to sign in,
// from a script or API client, which gets 401.
func isNavigation(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}
