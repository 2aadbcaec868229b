package flow

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// backchannelEvent is the event a logout token must carry.
const backchannelEvent = "http://schemas.openid.net/event/backchannel-logout"

// LogoutToken is a verified back-channel logout request: sign out the session
// SID, or, when SID is empty, every session of Subject started before
// IssuedAt. JTI identifies the token, so a replay can be refused.
type LogoutToken struct {
	Subject, SID, JTI string
	IssuedAt          time.Time
}

// VerifyLogoutToken checks a back-channel logout token (OpenID Connect
// Back-Channel Logout 1.0, section 2.6): signature with the provider's keys,
// iss, aud contains client_id, exp, iat present and not in the future, the
// back-channel logout event as a JSON object, no nonce, sub or sid present,
// jti present. Remembering seen jti values is the caller's job.
func (p *Provider) VerifyLogoutToken(ctx context.Context, raw string) (*LogoutToken, error) {
	if raw == "" {
		return nil, p.newError(ErrInvalidToken, nil, "no logout_token")
	}
	d, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	ctx, slot := withKeyFailureSlot(ctx)
	lt, err := d.verifier.VerifyLogout(ctx, raw)
	if err != nil {
		if slot.err != nil {
			return nil, slot.err
		}
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return nil, p.newError(ErrInvalidToken, nil, "logout token expired at %s", expired.Expiry.UTC().Format(time.RFC3339))
		}
		return nil, p.newError(ErrInvalidToken, err, "logout token failed verification")
	}
	if lt.IssuedAt.IsZero() {
		return nil, p.newError(ErrInvalidToken, nil, "logout token has no iat")
	}
	if lt.IssuedAt.After(p.now().Add(iatLeeway)) {
		return nil, p.newError(ErrInvalidToken, nil, "logout token issued in the future")
	}
	var extra struct {
		Events map[string]json.RawMessage `json:"events"`
	}
	if err := lt.Claims(&extra); err != nil {
		return nil, p.newError(ErrInvalidToken, nil, "logout token events are malformed")
	}
	if ev := extra.Events[backchannelEvent]; len(ev) == 0 || ev[0] != '{' {
		return nil, p.newError(ErrInvalidToken, nil, "logout token event %s must be a JSON object", backchannelEvent)
	}
	return &LogoutToken{Subject: lt.Subject, SID: lt.SessionID, JTI: lt.TokenID, IssuedAt: lt.IssuedAt}, nil
}
