package flow

import (
	"context"
	"net/url"
)

// EndSessionURL returns where to send the browser to sign out at the provider
// (OpenID Connect RP-Initiated Logout 1.0): its end_session_endpoint, keeping
// the endpoint's own query, with client_id, post_logout_redirect_uri and
// id_token_hint (each only when non-empty). params adds or overrides
// parameters; an empty value removes one. ok is false when the provider has no
// end-session endpoint.
func (p *Provider) EndSessionURL(ctx context.Context, idTokenHint, postLogoutRedirectURI string, params map[string]string) (u string, ok bool, err error) {
	d, err := p.discover(ctx)
	if err != nil {
		return "", false, err
	}
	if d.md.EndSessionEndpoint == "" {
		return "", false, nil
	}
	eu, err := url.Parse(d.md.EndSessionEndpoint)
	if err != nil {
		return "", false, p.newError(ErrMisconfigured, nil, "end_session_endpoint is not a valid URL")
	}
	q := eu.Query()
	q.Set("client_id", p.cfg.ClientID)
	if postLogoutRedirectURI != "" {
		q.Set("post_logout_redirect_uri", postLogoutRedirectURI)
	}
	if idTokenHint != "" {
		q.Set("id_token_hint", idTokenHint)
	}
	for k, v := range params {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	eu.RawQuery = q.Encode()
	return eu.String(), true, nil
}
