package flow

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// iatLeeway tolerates clock skew between us and the provider: an ID token
// "issued" up to this far in the future is still accepted.
const iatLeeway = 2 * time.Minute

// verifiedToken is an ID token that passed every check.
type verifiedToken struct {
	token  *oidc.IDToken
	claims map[string]any // numbers as json.Number, so ids keep every digit
}

// verifyIDToken checks raw as OpenID Connect Core 3.1.3.7 asks: signature with
// the provider's keys and an accepted algorithm, iss, aud contains client_id
// (and azp is client_id when present or when there are several audiences),
// exp, iat present and not in the future, sub present, and nonce equal to
// wantNonce, and what client_kwargs restricts (hd, max_age, acr_values). An
// empty wantNonce (refresh) skips the nonce check and max_age.
func (p *Provider) verifyIDToken(ctx context.Context, d *discovered, raw, wantNonce string) (*verifiedToken, error) {
	ctx, slot := withKeyFailureSlot(ctx)
	t, err := d.verifier.Verify(ctx, raw)
	if err != nil {
		if slot.err != nil {
			return nil, slot.err // the keys could not be fetched: the provider's fault, not the token's
		}
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) && expired.Expiry.IsZero() {
			return nil, p.newError(ErrInvalidToken, nil, "ID token has no exp")
		}
		if errors.As(err, &expired) {
			return nil, p.newError(ErrInvalidToken, nil, "ID token expired at %s", expired.Expiry.UTC().Format(time.RFC3339))
		}
		return nil, p.newError(ErrInvalidToken, err, "ID token failed verification")
	}
	claims, err := decodeClaims(t)
	if err != nil {
		return nil, p.newError(ErrInvalidToken, err, "ID token claims")
	}
	if t.Subject == "" {
		return nil, p.newError(ErrInvalidToken, nil, "ID token has no sub")
	}
	if t.IssuedAt.IsZero() {
		return nil, p.newError(ErrInvalidToken, nil, "ID token has no iat")
	}
	if t.IssuedAt.After(p.now().Add(iatLeeway)) {
		return nil, p.newError(ErrInvalidToken, nil, "ID token issued in the future (iat %s); check the clocks", t.IssuedAt.UTC().Format(time.RFC3339))
	}
	azp, _ := claims["azp"].(string)
	if _, present := claims["azp"]; present && azp != p.cfg.ClientID {
		return nil, p.newError(ErrInvalidToken, nil, "ID token azp %q is not our client_id", azp)
	}
	if len(t.Audience) > 1 && azp == "" {
		return nil, p.newError(ErrInvalidToken, nil, "ID token has several audiences and no azp")
	}
	if wantNonce != "" {
		if t.Nonce == "" {
			return nil, p.newError(ErrInvalidToken, nil, "ID token has no nonce")
		}
		if subtle.ConstantTimeCompare([]byte(t.Nonce), []byte(wantNonce)) != 1 {
			return nil, p.newError(ErrInvalidToken, nil, "ID token nonce is not the one this sign-in sent (replayed or mixed-up sign-in)")
		}
	}
	if err := p.checkRestrictions(claims, wantNonce != ""); err != nil {
		return nil, err
	}
	return &verifiedToken{token: t, claims: claims}, nil
}

// decodeClaims returns every claim of the verified token.
func decodeClaims(t *oidc.IDToken) (map[string]any, error) {
	var raw json.RawMessage
	if err := t.Claims(&raw); err != nil {
		return nil, err
	}
	return decodeObject(raw)
}

// decodeObject decodes a JSON object keeping numbers as json.Number.
func decodeObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, errors.New("not a JSON object")
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}
