package oidcauth

import (
	"context"
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

// providerContext bounds the calls to the provider made for r: by
// providerTimeout, and by r's end. It carries none of r's values: Caddy's
// hold the request's replacer and through it the response writer and the
// connection's buffers, and the HTTP client may keep a finished request's
// context for a while (a wait for a connection, done but still queued),
// which would keep those alive after the request.
func providerContext(r *http.Request) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), providerTimeout)
	stop := context.AfterFunc(r.Context(), cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}

// serveLogin starts a sign-in: GET /auth/login?provider=NAME&return_to=/path.
// With several providers and none named, it shows one sign-in link each.
func (m *OIDCAuth) serveLogin(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	returnTo := m.cleanReturnTo(q.Get("return_to"))
	name := q.Get("provider")
	hint := loginHintOf(q) // personal data: never logged
	if name == "" && len(m.names) == 1 {
		name = m.names[0]
	}
	if name == "" {
		return m.renderChooser(w, r, returnTo, hint)
	}
	if _, ok := m.providers[name]; !ok {
		return m.renderError(w, r, http.StatusBadRequest, "Unknown sign-in provider",
			"This site has no provider named \""+name+"\".", backTo(returnTo))
	}
	return m.startLogin(w, r, name, returnTo, hint, false)
}

// startLogin sends the browser to the provider with a fresh state, nonce
// and PKCE verifier, kept in a sealed login-state cookie of its own.
func (m *OIDCAuth) startLogin(w http.ResponseWriter, r *http.Request, name, returnTo, loginHint string, omitDefaultPrompt bool) error {
	p := m.providers[name]
	req := flow.NewAuthRequest()
	req.OmitDefaultPrompt = omitDefaultPrompt
	req.LoginHint = loginHint
	ctx, cancel := providerContext(r)
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
		LoginHint:     loginHint,
		DefaultPrompt: sentDefault,
		Retried:       omitDefaultPrompt,
	}, loginStateTTL)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusFound)
	return nil
}

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
