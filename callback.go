package oidcauth

import (
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/flow"
)

// serveCallback finishes a sign-in at a callback path (the path of a
// redirect_uri). It checks the answer first: its state against the
// login-state cookie, that it was not used before, and that it comes from
// the provider its sign-in started with; only then does the code go to that
// provider, whose ID token flow verifies. newSession builds the session it
// then sets as the identity cookie.
func (m *OIDCAuth) serveCallback(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	if !q.Has("code") && !q.Has("error") && !q.Has("state") {
		// The provider sending the browser back after signing out there
		// (the default post_logout_redirect_uri is this callback).
		http.Redirect(w, r, "/", http.StatusFound)
		return nil
	}
	state := q.Get("state")
	if state == "" || len(state) > 512 {
		return m.renderError(w, r, http.StatusBadRequest, "Sign-in failed",
			"The provider's answer carries no valid state, so it cannot be matched to a sign-in started here.", homePage())
	}
	now := time.Now()
	ls, err := m.jar.ReadLoginState(r, state, now)
	if err != nil {
		m.logger.Info("sign-in refused: unknown or expired login state")
		m.metrics.signInFailures.WithLabelValues("", "login_state").Inc()
		return m.renderError(w, r, http.StatusBadRequest, "Sign-in could not be completed",
			"This sign-in was not started in this browser, took longer than 10 minutes, or was already used. Please sign in again.", tryAgain(loginPath))
	}
	m.jar.ClearLoginState(w, r, state)
	if !m.usedStates.Add(state, now) {
		m.logger.Warn("sign-in refused: callback replayed", zap.String("provider", ls.Provider))
		m.metrics.signInFailures.WithLabelValues(ls.Provider, "replayed").Inc()
		return m.renderError(w, r, http.StatusBadRequest, "Sign-in already used",
			"This sign-in answer was already used. Please sign in again.", backTo(ls.ReturnTo))
	}
	p, ok := m.providers[ls.Provider]
	if !ok {
		return m.renderError(w, r, http.StatusBadRequest, "Sign-in failed",
			"The provider this sign-in started with is no longer configured.", homePage())
	}
	ctx, cancel := providerContext(r)
	defer cancel()
	if err := m.checkAnswerSource(ctx, r, ls, p); err != nil {
		// A mix-up: the answer is not from the provider the sign-in started
		// with. Its code goes nowhere.
		m.logger.Warn("sign-in refused: the answer is not from the provider it started with", zap.String("provider", ls.Provider), zap.Error(err))
		m.metrics.signInFailures.WithLabelValues(ls.Provider, failureReason(err)).Inc()
		return m.renderProviderError(w, r, ls.Provider, err, ls.ReturnTo)
	}
	if cbErr := flow.CallbackErrorFrom(q); cbErr != nil {
		if cbErr.PromptRefused() && ls.DefaultPrompt && !ls.Retried {
			// Some providers know only login/consent/none; ask again without
			// the default select_account, once.
			m.logger.Info("provider refused the default prompt; retrying without it", zap.String("provider", ls.Provider))
			return m.startLogin(w, r, ls.Provider, ls.ReturnTo, ls.LoginHint, true)
		}
		m.logger.Info("sign-in refused by the provider", zap.String("provider", ls.Provider), zap.String("error", cbErr.Code))
		m.metrics.signInFailures.WithLabelValues(ls.Provider, "provider_error").Inc()
		return m.renderCallbackError(w, r, ls, cbErr)
	}
	code := q.Get("code")
	if code == "" {
		return m.renderError(w, r, http.StatusBadRequest, "Sign-in failed",
			"The provider's answer carries no authorization code.", backTo(ls.ReturnTo))
	}
	id, err := p.Exchange(ctx, code, flow.AuthRequest{State: ls.State, Nonce: ls.Nonce, Verifier: ls.Verifier})
	if err != nil {
		m.logger.Warn("sign-in failed", zap.String("provider", ls.Provider), zap.Error(err))
		m.metrics.signInFailures.WithLabelValues(ls.Provider, failureReason(err)).Inc()
		return m.renderProviderError(w, r, ls.Provider, err, ls.ReturnTo)
	}
	sess, err := m.newSession(ls.Provider, id, now)
	if err != nil {
		return m.renderProviderError(w, r, ls.Provider, err, ls.ReturnTo)
	}
	if err := m.jar.WriteSession(w, r, sess); err != nil {
		m.logger.Warn("sign-in failed: session too large for cookies", zap.String("provider", ls.Provider), zap.String("sub", id.Subject), zap.Error(err))
		m.metrics.signInFailures.WithLabelValues(ls.Provider, "session_too_large").Inc()
		return m.renderError(w, r, http.StatusRequestHeaderFieldsTooLarge, "Sign-in failed",
			"Your account carries more information than fits in this site's cookies. The site's administrator can keep fewer claims.", homePage())
	}
	m.logger.Info("signed in", zap.String("provider", ls.Provider), zap.String("sub", id.Subject))
	m.metrics.signIns.WithLabelValues(ls.Provider).Inc()
	http.Redirect(w, r, ls.ReturnTo, http.StatusFound)
	return nil
}

// newSession builds the session of a verified sign-in with provider: the
// claims kept, how long it lasts, and the tokens it keeps (the ID token for
// the sign-out hint, which the jar keeps in a cookie of its own and leaves
// out when too large; the access token when exposed; the refresh token when
// the session follows the tokens).
func (m *OIDCAuth) newSession(provider string, id *flow.Identity, now time.Time) (*cookie.Session, error) {
	claimsJSON, err := m.keptClaims(provider, id)
	if err != nil {
		return nil, err
	}
	sess := &cookie.Session{
		Provider:    provider,
		Subject:     id.Subject,
		Claims:      claimsJSON,
		Created:     now,
		Renewed:     now,
		Expires:     m.sessionEnd(now, id),
		IDToken:     id.IDToken,
		TokenExpiry: id.TokenExpiry,
		SID:         id.SID,
	}
	if m.exposeAccess {
		sess.AccessToken = id.AccessToken
	}
	if m.keepsRefreshToken() && id.RefreshToken != "" {
		sess.RefreshToken = id.RefreshToken
		sess.TokenExpiry = m.tokenDeadline(id)
	}
	return sess, nil
}

// keptClaims is the ID token's claims as stored in the cookie: all of them,
// or only those the `claims` option and the allow rules name.
func (m *OIDCAuth) keptClaims(provider string, id *flow.Identity) (cookie.Claims, error) {
	if m.keepClaims == nil {
		return m.jar.NewClaims(provider, id.Subject, id.Claims)
	}
	kept := make(map[string]any, len(m.keepClaims))
	for k, v := range id.Claims {
		if m.keepClaims[k] {
			kept[k] = v
		}
	}
	return m.jar.NewClaims(provider, id.Subject, kept)
}

// signOutPathUnless is the jar's SignOutPath: the sign-out route, where the
// ID token kept for the hint travels in a cookie of its own, unless the
// session must carry it (expose_tokens id) on every request.
func signOutPathUnless(idExposed bool) string {
	if idExposed {
		return ""
	}
	return logoutPath
}

// sessionEnd is when this sign-in stops counting: cookie_max_age from now,
// or the ID token's expiry when expire_with_token says so and it comes first
// (with a refresh token, the session is renewed with the token instead).
func (m *OIDCAuth) sessionEnd(now time.Time, id *flow.Identity) time.Time {
	end := now.Add(m.maxAge)
	if m.ExpireWithToken && id.RefreshToken == "" && !id.IDTokenExpiry.IsZero() && id.IDTokenExpiry.Before(end) {
		end = id.IDTokenExpiry
	}
	return end
}

// renderCallbackError shows the provider's own error (access_denied...),
// HTML-escaped by the page template.
func (m *OIDCAuth) renderCallbackError(w http.ResponseWriter, r *http.Request, ls *cookie.LoginState, e *flow.CallbackError) error {
	status := http.StatusBadRequest
	switch e.Code {
	case "access_denied", "login_required", "consent_required", "interaction_required", "account_selection_required":
		status = http.StatusForbidden
	case "server_error":
		status = http.StatusBadGateway
	case "temporarily_unavailable":
		status = http.StatusServiceUnavailable
	}
	msg := "The sign-in provider answered: " + e.Code
	if e.Description != "" {
		msg += " (" + e.Description + ")"
	}
	return m.renderError(w, r, status, "Sign-in was not completed", msg, tryAgain(loginURL(ls.Provider, ls.ReturnTo)))
}
