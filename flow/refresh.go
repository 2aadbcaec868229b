package flow

import (
	"context"
	"net/url"
)

// Refresh runs the refresh_token grant. The returned Identity carries the new
// access token, the new refresh token (or the old one when the provider did
// not rotate it) and, when the response holds a new ID token, its verified
// claims. When it holds none, IDToken is "" and Claims nil: keep the claims
// from sign-in. A refreshed ID token has no nonce to check; compare its
// Subject with the one you have. A refused refresh token (invalid_grant…) is
// ErrRefreshRefused: the user must sign in again.
func (p *Provider) Refresh(ctx context.Context, refreshToken string) (*Identity, error) {
	if refreshToken == "" {
		return nil, p.newError(ErrRefreshRefused, nil, "no refresh token")
	}
	d, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := p.requestTokens(ctx, d, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
	if err != nil {
		return nil, p.tokenError(err, true)
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = refreshToken // not rotated: the old one stays good
	}
	return p.identity(ctx, d, tok, "")
}
