package oidcauth

import (
	"context"
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/flow"
)

// Mix-up defence (RFC 9207, RFC 9700 section 4.4): with several providers,
// a configured provider that turned hostile can send the browser on to an
// honest provider's authorization endpoint, so that the honest provider's
// code comes back under the hostile sign-in and would be sent to the hostile
// token endpoint. Before a code goes anywhere, the answer must come from the
// provider its sign-in started with: at that provider's callback path, and
// with that provider's issuer when it says one (RFC 9207 iss).

// checkAnswerSource refuses, with an error that is flow.ErrMixUp, an answer
// that arrived at another provider's callback path or names another
// issuer; other errors mean the provider could not be asked.
func (m *OIDCAuth) checkAnswerSource(ctx context.Context, r *http.Request, ls *cookie.LoginState, p *flow.Provider) error {
	if want := m.callbackOf[ls.Provider]; want != r.URL.Path {
		return fmt.Errorf("%w: the answer arrived at %s, the callback of another provider than %s (whose callback is %s)", flow.ErrMixUp, r.URL.Path, ls.Provider, want)
	}
	return p.CheckAuthorizationResponse(ctx, r.URL.Query())
}

// warnSharedCallbackWithoutIss says once per provider, when its metadata is
// known, that it shares a callback with another provider and does not send
// RFC 9207's iss: then only state and PKCE stand between a hostile provider
// and a mix-up, and a redirect_uri of its own is the defence.
func (m *OIDCAuth) warnSharedCallbackWithoutIss(name string, p *flow.Provider) {
	supported, known := p.IssParameterSupported()
	if !known || supported || !m.sharesCallback(name) {
		return
	}
	if _, warned := m.issWarned.LoadOrStore(name, true); warned {
		return
	}
	m.logger.Warn("provider shares its callback with another provider and does not send iss (RFC 9207); give it a redirect_uri of its own to rule out mix-up attacks",
		zap.String("provider", name), zap.String("callback", m.callbackOf[name]))
}
