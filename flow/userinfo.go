package flow

import (
	"context"
	"errors"
	"mime"
)

// idTokenOwned are claims that describe the ID token itself; userinfo never
// replaces them when merged.
var idTokenOwned = map[string]bool{
	"iss": true, "sub": true, "aud": true, "exp": true, "iat": true, "nbf": true,
	"nonce": true, "azp": true, "auth_time": true, "at_hash": true, "c_hash": true,
	"acr": true, "amr": true, "sid": true, "jti": true,
}

// needUserinfo (OpenID Connect Core 5.4): many providers put profile and
// email only in the userinfo response. Fetch it when the site asked for it, or
// when the ID token lacks the email or name that the scope asked for.
func (p *Provider) needUserinfo(claims map[string]any) bool {
	if p.cfg.Userinfo {
		return true
	}
	_, hasEmail := claims["email"]
	_, hasName := claims["name"]
	return (p.scopes["email"] && !hasEmail) || (p.scopes["profile"] && !hasName)
}

// mergeUserinfo fetches the userinfo with the access token and merges its
// claims into claims. Its sub must be the ID token's (Core 5.3.2), else the
// response may belong to someone else.
func (p *Provider) mergeUserinfo(ctx context.Context, d *discovered, accessToken string, claims map[string]any) error {
	body, ctype, err := p.getJSON(ctx, d.md.UserinfoEndpoint, accessToken)
	if err != nil {
		var st *httpStatusError
		if errors.As(err, &st) && st.code < 500 && st.code != 429 {
			return p.newError(ErrInvalidToken, err, "userinfo endpoint refused the access token")
		}
		return p.newError(ErrUnavailable, err, "cannot fetch userinfo from %s", d.md.UserinfoEndpoint)
	}
	if mt, _, _ := mime.ParseMediaType(ctype); mt == "application/jwt" {
		return p.newError(ErrMisconfigured, nil, "userinfo answers signed JWTs, which are not supported; register the client for plain JSON userinfo")
	}
	info, err := decodeObject(body)
	if err != nil {
		return p.newError(ErrUnavailable, err, "userinfo response")
	}
	if sub, _ := info["sub"].(string); sub != claims["sub"] {
		return p.newError(ErrInvalidToken, nil, "userinfo sub %q is not the ID token's sub %q", sub, claims["sub"])
	}
	for k, v := range info {
		if !idTokenOwned[k] {
			claims[k] = v
		}
	}
	return nil
}
