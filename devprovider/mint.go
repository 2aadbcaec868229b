package devprovider

import (
	"errors"
	"fmt"
	"time"
)

// Token types MintToken makes.
const (
	// AccessTokenType is an RFC 9068 JWT access token ("typ": "at+jwt").
	AccessTokenType = "at+jwt"
	// IDTokenType is an ID token ("typ": "JWT").
	IDTokenType = "JWT"
)

// Mint describes a token MintToken makes for a user, as an API client would
// hold it after signing in elsewhere (a CLI, a mobile app, another service).
type Mint struct {
	// User is a configured username, or with Config.AnyUser any name.
	User string
	// Type is AccessTokenType (the default) or IDTokenType.
	Type string
	// Audience is the "aud" claim: a string or a []string. Default: the first
	// client's ID.
	Audience any
	// TTL is how long the token is valid; negative makes an expired token.
	// Default: Config.TokenTTL.
	TTL time.Duration
	// Scope is the access token's "scope"; default "openid profile email".
	Scope string
	// Tweak, if not nil, edits the claims just before signing (iss, exp...).
	Tweak func(claims map[string]any)
}

// MintToken signs a token for m.User with the provider's current keys, under
// the current Behavior (Alg "none" or "HS256", BreakSignature and OmitKid
// apply), without a sign-in. An access token carries, as RFC 9068 section 2.2
// asks, iss, exp, aud, sub, client_id, iat and jti, plus scope and the
// user's claims; an ID token the user's claims with iss, aud, iat and exp.
func (p *Provider) MintToken(m Mint) (string, error) {
	iss := p.Issuer()
	if iss == "" {
		return "", errors.New("devprovider: the issuer is not known yet (set Config.Issuer or call Start)")
	}
	if len(p.cfg.Clients) == 0 {
		return "", errors.New("devprovider: a token needs a client to address")
	}
	u, ok := p.userByHint(m.User)
	if !ok {
		return "", fmt.Errorf("devprovider: no user %q", m.User)
	}
	client := p.cfg.Clients[0]
	typ := m.Type
	if typ == "" {
		typ = AccessTokenType
	}
	if typ != AccessTokenType && typ != IDTokenType {
		return "", fmt.Errorf("devprovider: unknown token type %q", typ)
	}
	ttl := m.TTL
	if ttl == 0 {
		ttl = p.cfg.TokenTTL
	}
	var aud any = client.ID
	if m.Audience != nil {
		aud = m.Audience
	}
	scope := m.Scope
	if scope == "" {
		scope = "openid profile email"
	}
	c := identity(u)
	now := time.Now()
	c["iss"] = iss
	c["aud"] = aud
	c["iat"] = now.Unix()
	c["exp"] = now.Add(ttl).Unix()
	if typ == AccessTokenType {
		c["client_id"] = client.ID
		c["jti"] = randomToken()
		c["scope"] = scope
	}
	if m.Tweak != nil {
		m.Tweak(c)
	}
	return p.sign(p.behaviorNow(), c, client.Secret, typ)
}
