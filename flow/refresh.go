package flow

import (
	"context"

	"golang.org/x/oauth2"
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
	tok, err := d.oauth.TokenSource(p.tokenContext(ctx, d), &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, p.tokenError(err, true)
	}
	return p.identity(ctx, d, tok, "")
}
