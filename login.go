package oidcauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/flow"
)

// providerTimeout bounds every request to the provider made while a user
// waits, so a slow provider yields an error page, not a hung browser.
const providerTimeout = 15 * time.Second

// serveLogin starts a sign-in: GET /auth/login?provider=NAME&return_to=/path.
// With several providers and none named, it shows one sign-in link each.
func (m *OIDCAuth) serveLogin(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	returnTo := flow.CleanReturnTo(q.Get("return_to"))
	name := q.Get("provider")
	if name == "" && len(m.names) == 1 {
		name = m.names[0]
	}
	if name == "" {
		return m.renderChooser(w, r, returnTo)
	}
	if _, ok := m.providers[name]; !ok {
		return m.renderError(w, r, http.StatusBadRequest, "Unknown sign-in provider",
			"This site has no provider named \""+name+"\".", backTo(returnTo))
	}
	return m.startLogin(w, r, name, returnTo, false)
}

// startLogin sends the browser to the provider with a fresh state, nonce
// and PKCE verifier, kept in a sealed login-state cookie of its own.
func (m *OIDCAuth) startLogin(w http.ResponseWriter, r *http.Request, name, returnTo string, omitDefaultPrompt bool) error {
	p := m.providers[name]
	req := flow.NewAuthRequest()
	req.OmitDefaultPrompt = omitDefaultPrompt
	ctx, cancel := context.WithTimeout(r.Context(), providerTimeout)
	defer cancel()
	authURL, sentDefault, err := p.AuthCodeURL(ctx, req)
	if err != nil {
		m.logger.Warn("sign-in could not start", zap.String("provider", name), zap.Error(err))
		m.metrics.signInFailures.WithLabelValues(name, failureReason(err)).Inc()
		return m.renderProviderError(w, r, name, err, returnTo)
	}
	m.warnSharedCallbackWithoutIss(name, p)
	m.jar.WriteLoginState(w, r, &cookie.LoginState{
		State:         req.State,
		Provider:      name,
		Nonce:         req.Nonce,
		Verifier:      req.Verifier,
		ReturnTo:      returnTo,
		DefaultPrompt: sentDefault,
		Retried:       omitDefaultPrompt,
	}, loginStateTTL)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusFound)
	return nil
}

// serveCallback finishes a sign-in at the path of redirect_uri: it checks
// the state against the login-state cookie before it exchanges the code,
// verifies the ID token and sets the identity cookie.
func (m *OIDCAuth) serveCallback(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
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
	ctx, cancel := context.WithTimeout(r.Context(), providerTimeout)
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
			return m.startLogin(w, r, ls.Provider, ls.ReturnTo, true)
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
	claimsJSON, err := m.keptClaims(id)
	if err != nil {
		return m.renderProviderError(w, r, ls.Provider, err, ls.ReturnTo)
	}
	sess := &cookie.Session{
		Provider:    ls.Provider,
		Subject:     id.Subject,
		Claims:      claimsJSON,
		Created:     now,
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
	if !m.exposeID && m.jar.SessionSize(sess) > idTokenHintBudget {
		// The ID token is kept only as the sign-out hint: drop it rather
		// than push the cookies past what servers accept.
		sess.IDToken = ""
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

// keptClaims is the ID token's claims as stored in the cookie: all of them,
// or only those the `claims` option and the allow rules name.
func (m *OIDCAuth) keptClaims(id *flow.Identity) ([]byte, error) {
	if m.keepClaims == nil {
		return id.ClaimsJSON, nil
	}
	kept := make(map[string]any, len(m.keepClaims))
	for k, v := range id.Claims {
		if m.keepClaims[k] {
			kept[k] = v
		}
	}
	return json.Marshal(kept)
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

// idTokenHintBudget is the cookie size past which the ID token kept only for
// the sign-out hint is dropped (two 4 KB pieces).
const idTokenHintBudget = 8000

// renderProviderError shows why the provider could not be used: 503 while it
// cannot be reached, 502 when it answered wrongly, 400 when it refused the
// code (a replayed or forged callback).
func (m *OIDCAuth) renderProviderError(w http.ResponseWriter, r *http.Request, name string, err error, returnTo string) error {
	retry := loginURL(name, returnTo)
	switch {
	case errors.Is(err, flow.ErrMixUp):
		return m.renderError(w, r, http.StatusBadRequest, "Sign-in refused",
			"The answer to this sign-in does not come from the provider it was started with, so it was not used. Please sign in again.", tryAgain(retry))
	case errors.Is(err, flow.ErrRestricted):
		return m.renderError(w, r, http.StatusForbidden, "This account cannot sign in here",
			"The sign-in provider \""+name+"\" vouched for an account that does not meet this site's requirements (its domain, how recently or how strongly it signed in). Sign in with another account, or sign in again.", tryAgain(retry))
	case errors.Is(err, flow.ErrUnavailable):
		w.Header().Set("Retry-After", "5")
		return m.renderError(w, r, http.StatusServiceUnavailable, "Sign-in is unavailable",
			"The sign-in provider \""+name+"\" cannot be reached right now. Please try again in a moment.", tryAgain(retry))
	case errors.Is(err, flow.ErrCodeRefused):
		return m.renderError(w, r, http.StatusBadRequest, "Sign-in failed",
			"The provider did not accept this sign-in answer (it may have been used already). Please sign in again.", tryAgain(retry))
	case errors.Is(err, flow.ErrMisconfigured):
		return m.renderError(w, r, http.StatusBadGateway, "Sign-in provider misconfigured",
			"The sign-in provider \""+name+"\" does not match this site's configuration. The site's administrator can find the details in Caddy's log.", nil)
	default:
		return m.renderError(w, r, http.StatusBadGateway, "Sign-in failed",
			"The sign-in provider \""+name+"\" sent an answer that could not be verified, so you were not signed in.", tryAgain(retry))
	}
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

// loginURL is the address that starts a sign-in with provider, landing on returnTo.
func loginURL(provider, returnTo string) string {
	v := url.Values{}
	if provider != "" {
		v.Set("provider", provider)
	}
	if returnTo != "" && returnTo != "/" {
		v.Set("return_to", returnTo)
	}
	if len(v) == 0 {
		return loginPath
	}
	return loginPath + "?" + v.Encode()
}
