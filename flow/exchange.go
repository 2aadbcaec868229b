package flow

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"
)

// Identity is the signed-in user: the verified ID token's claims (merged with
// userinfo where fetched) and the tokens the provider issued.
type Identity struct {
	Subject       string
	Claims        map[string]any // every ID-token claim, plus merged userinfo claims; numbers are json.Number
	IDToken       string
	AccessToken   string
	RefreshToken  string
	TokenExpiry   time.Time // access token; zero when the provider did not say
	IDTokenExpiry time.Time
	SID           string // the provider's session id ("sid"), for back-channel logout
}

// Exchange swaps the authorization code for tokens, sending the PKCE verifier
// and authenticating the client as configured or as the provider's
// token_endpoint_auth_methods_supported allows (see tokenAuthMethod),
// verifies the ID token against req's nonce and returns the user.
func (p *Provider) Exchange(ctx context.Context, code string, req AuthRequest) (*Identity, error) {
	if code == "" {
		return nil, p.newError(ErrCodeRefused, nil, "the callback carries no code")
	}
	if err := req.check(); err != nil {
		return nil, p.newError(ErrCodeRefused, err, "bad sign-in state")
	}
	d, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := p.requestTokens(ctx, d, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {p.cfg.RedirectURL},
		"code_verifier": {req.Verifier},
	})
	if err != nil {
		return nil, p.tokenError(err, false)
	}
	return p.identity(ctx, d, tok, req.Nonce)
}

// identity verifies the token response's ID token and builds the Identity.
// wantNonce is empty for a refresh, where a response may carry no ID token:
// then Claims is nil and the caller keeps the claims it has.
func (p *Provider) identity(ctx context.Context, d *discovered, tok *tokenResponse, wantNonce string) (*Identity, error) {
	id := &Identity{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenExpiry: tok.Expiry}
	raw := tok.IDToken
	if raw == "" {
		if wantNonce == "" {
			return id, nil
		}
		return nil, p.newError(ErrInvalidToken, nil, "token response has no id_token (is \"openid\" in the scope?)")
	}
	vt, err := p.verifyIDToken(ctx, d, raw, wantNonce)
	if err != nil {
		return nil, err
	}
	if vt.atHash != "" {
		if err := vt.verifyAccessToken(tok.AccessToken); err != nil {
			return nil, p.newError(ErrInvalidToken, nil, "ID token at_hash does not match the access token")
		}
	}
	if d.md.UserinfoEndpoint != "" && tok.AccessToken != "" && p.needUserinfo(vt.claims) {
		if err := p.mergeUserinfo(ctx, d, tok.AccessToken, vt.claims); err != nil {
			return nil, err
		}
	}
	id.Subject = vt.subject
	id.Claims = vt.claims
	id.IDToken = raw
	id.IDTokenExpiry = vt.expiry
	id.SID, _ = vt.claims["sid"].(string)
	return id, nil
}

// tokenError classifies a token endpoint failure. Its message carries the
// status and the provider's error code and description, never the response
// body (which might echo what we sent).
func (p *Provider) tokenError(err error, refresh bool) error {
	var re *tokenEndpointError
	if errors.As(err, &re) {
		status := re.status
		cause := fmt.Errorf("HTTP %d, error %q: %q", status, clip(re.code, 64), clip(re.description, 200))
		switch {
		case status >= 500 || status == 429:
			return p.newError(ErrUnavailable, cause, "token endpoint failed")
		case re.code == "invalid_client" || (re.code == "unauthorized_client" && !refresh):
			return p.newError(ErrMisconfigured, cause, "token endpoint refused the client (check client_id and client_secret)")
		case refresh:
			return p.newError(ErrRefreshRefused, cause, "token endpoint refused the refresh token")
		default:
			return p.newError(ErrCodeRefused, cause, "token endpoint refused the code")
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return p.newError(ErrUnavailable, ue.Err, "cannot reach the token endpoint")
	}
	return p.newError(ErrUnavailable, err, "unusable token endpoint response")
}

// clip shortens provider-supplied text for messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
