package oidcauth

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"
)

// serveLogout signs the user out: GET or POST /auth/logout expires our
// cookies and, when the provider has an end-session endpoint, sends the
// browser there to end the provider's session too; otherwise to /.
func (m *OIDCAuth) serveLogout(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, POST")
		return m.renderError(w, r, http.StatusMethodNotAllowed, "Sign-out", "Sign out with GET or POST.", homePage())
	}
	if isCrossSite(r) {
		// A third-party page (an <img> or a form) must not sign users out.
		return m.renderError(w, r, http.StatusForbidden, "Sign-out refused",
			"Another site asked to sign you out here, so nothing was done. Use this site's own sign-out link.", homePage())
	}
	sess := m.session(r)
	m.jar.ClearSession(w, r)
	target := "/"
	if sess != nil {
		m.logger.Info("signed out", zap.String("provider", sess.Provider), zap.String("sub", sess.Subject))
		m.metrics.signOuts.WithLabelValues(sess.Provider, "user").Inc()
		ctx, cancel := providerContext(r)
		defer cancel()
		hint := m.jar.ReadIDTokenHint(r, sess, time.Now())
		u, ok, err := m.providers[sess.Provider].EndSessionURL(ctx, hint, m.postLogout[sess.Provider], m.logoutParams[sess.Provider])
		switch {
		case err != nil:
			m.logger.Warn("provider sign-out skipped", zap.String("provider", sess.Provider), zap.Error(err))
		case ok:
			target = u
		}
	}
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

// isCrossSite reports a request that the browser says another site made.
// A request with neither header (curl, an old browser) is let through.
func isCrossSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || u.Host != r.Host
}

// serveUser answers GET /auth/user with the st.user of this site as JSON.
func (m *OIDCAuth) serveUser(w http.ResponseWriter, r *http.Request) error {
	out := map[string]any{}
	if sess := m.session(r); sess != nil {
		for k, v := range sess.ClaimMap() {
			out[k] = v
		}
		out["provider"] = sess.Provider
		tokens := map[string]string{}
		if m.exposeID && sess.IDToken != "" {
			tokens["id"] = sess.IDToken
		}
		if m.exposeAccess && sess.AccessToken != "" {
			tokens["access"] = sess.AccessToken
		}
		if len(tokens) > 0 {
			out["tokens"] = tokens
		}
		out["is_logged_in"] = true
	} else {
		out["is_logged_in"] = false
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(out)
}
