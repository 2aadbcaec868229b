package oidcauth

import (
	"net/http"
	"strings"

	"go.uber.org/zap"
)

// frontchannelLogoutPath is where a provider's sign-out page sends the
// browser, in an iframe (OpenID Connect Front-Channel Logout 1.0); register
// https://<site>/auth/frontchannel-logout as the client's
// frontchannel_logout_uri, with frontchannel_logout_session_required.
const frontchannelLogoutPath = "/auth/frontchannel-logout"

// serveFrontchannelLogout expires the browser's cookies when the iss and sid
// it is given are those of the browser's session: the provider signed that
// session out. Anything else changes nothing, so a page that frames this
// route without knowing the session's sid signs nobody out. It always
// answers 200 with no-store, and may be framed by the provider's page.
func (m *OIDCAuth) serveFrontchannelLogout(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return nil
	}
	q := r.URL.Query()
	if sess := m.session(r); sess != nil && sess.SID != "" && q.Get("sid") == sess.SID &&
		sameIssuer(q.Get("iss"), m.providers[sess.Provider].Issuer()) {
		m.jar.ClearSession(w, r)
		m.logger.Info("signed out by the provider (front-channel)", zap.String("provider", sess.Provider), zap.String("sub", sess.Subject))
		m.metrics.signOuts.WithLabelValues(sess.Provider, "frontchannel").Inc()
	}
	// A page of its own, without the frame-ancestors 'none' of the others:
	// the provider's sign-out page frames it.
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write([]byte("<!doctype html><title>Signed out</title>\n"))
	}
	return nil
}

// sameIssuer: the iss a provider sends equals its issuer as configured here,
// give or take the one trailing slash (Auth0's issuer ends in one).
func sameIssuer(got, issuer string) bool {
	return got != "" && strings.TrimSuffix(got, "/") == issuer
}
