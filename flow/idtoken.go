package flow

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// iatLeeway tolerates clock skew between us and the provider: an ID token
// "issued" up to this far in the future is still accepted.
const iatLeeway = 2 * time.Minute

// verifiedToken is an ID token that passed every check.
type verifiedToken struct {
	issuer, subject, nonce, atHash string
	audience                       []string
	expiry, issuedAt, notBefore    time.Time
	alg                            jose.SignatureAlgorithm // the one it was signed with, for at_hash
	claims                         map[string]any          // numbers as json.Number, so ids keep every digit
}

// nbfLeeway tolerates clock skew on nbf, as go-oidc and most providers'
// own libraries do.
const nbfLeeway = 5 * time.Minute

// verifyIDToken checks raw as OpenID Connect Core 3.1.3.7 asks: signature with
// the provider's keys and an accepted algorithm, iss, aud contains client_id
// (and azp is client_id when present or when there are several audiences),
// exp, nbf if present, iat present and not in the future, sub present, and
// nonce equal to wantNonce, and what client_kwargs restricts (hd, max_age,
// acr_values). An empty wantNonce (refresh) skips the nonce check and max_age.
// The token is parsed once and its payload decoded once: go-oidc's verifier
// parsed it again and decoded it twice more.
func (p *Provider) verifyIDToken(ctx context.Context, d *discovered, raw, wantNonce string) (*verifiedToken, error) {
	ctx, slot := withKeyFailureSlot(ctx)
	payload, alg, err := d.keys.verify(ctx, raw)
	if err != nil {
		if slot.err != nil {
			return nil, slot.err // the keys could not be fetched: the provider's fault, not the token's
		}
		return nil, p.newError(ErrInvalidToken, err, "ID token failed verification")
	}
	claims, err := decodeObject(payload)
	if err != nil {
		return nil, p.newError(ErrInvalidToken, err, "ID token claims")
	}
	t, err := registeredClaims(claims)
	if err != nil {
		return nil, p.newError(ErrInvalidToken, err, "ID token claims")
	}
	t.alg = alg
	if !issuedBy(t.issuer, d.md.Issuer) {
		return nil, p.newError(ErrInvalidToken, nil, "ID token issued by a different provider: expected %q, got %q", d.md.Issuer, t.issuer)
	}
	if !slices.Contains(t.audience, p.cfg.ClientID) {
		return nil, p.newError(ErrInvalidToken, nil, "ID token audience %q does not hold our client_id %q", t.audience, p.cfg.ClientID)
	}
	now := p.now()
	if t.expiry.IsZero() {
		return nil, p.newError(ErrInvalidToken, nil, "ID token has no exp")
	}
	if t.expiry.Before(now) {
		return nil, p.newError(ErrInvalidToken, nil, "ID token expired at %s", t.expiry.UTC().Format(time.RFC3339))
	}
	if now.Add(nbfLeeway).Before(t.notBefore) {
		return nil, p.newError(ErrInvalidToken, nil, "ID token not valid before %s; check the clocks", t.notBefore.UTC().Format(time.RFC3339))
	}
	if t.subject == "" {
		return nil, p.newError(ErrInvalidToken, nil, "ID token has no sub")
	}
	if t.issuedAt.IsZero() {
		return nil, p.newError(ErrInvalidToken, nil, "ID token has no iat")
	}
	if t.issuedAt.After(now.Add(iatLeeway)) {
		return nil, p.newError(ErrInvalidToken, nil, "ID token issued in the future (iat %s); check the clocks", t.issuedAt.UTC().Format(time.RFC3339))
	}
	azp, _ := claims["azp"].(string)
	if _, present := claims["azp"]; present && azp != p.cfg.ClientID {
		return nil, p.newError(ErrInvalidToken, nil, "ID token azp %q is not our client_id", azp)
	}
	if len(t.audience) > 1 && azp == "" {
		return nil, p.newError(ErrInvalidToken, nil, "ID token has several audiences and no azp")
	}
	if wantNonce != "" {
		if t.nonce == "" {
			return nil, p.newError(ErrInvalidToken, nil, "ID token has no nonce")
		}
		if subtle.ConstantTimeCompare([]byte(t.nonce), []byte(wantNonce)) != 1 {
			return nil, p.newError(ErrInvalidToken, nil, "ID token nonce is not the one this sign-in sent (replayed or mixed-up sign-in)")
		}
	}
	if err := p.checkRestrictions(claims, wantNonce != ""); err != nil {
		return nil, err
	}
	t.claims = claims
	return t, nil
}

// issuedBy: the token's iss is the provider's issuer. Google's tokens may say
// "accounts.google.com" for "https://accounts.google.com" (as go-oidc allows,
// for Google only).
func issuedBy(iss, issuer string) bool {
	return iss == issuer || (issuer == "https://accounts.google.com" && iss == "accounts.google.com")
}

// registeredClaims reads the claims verifyIDToken checks, each of the JSON
// type the specification gives it (absent or null: the zero value).
func registeredClaims(claims map[string]any) (*verifiedToken, error) {
	t := &verifiedToken{}
	for _, c := range []struct {
		name string
		dst  *string
	}{{"iss", &t.issuer}, {"sub", &t.subject}, {"nonce", &t.nonce}, {"at_hash", &t.atHash}} {
		switch v := claims[c.name].(type) {
		case nil:
		case string:
			*c.dst = v
		default:
			return nil, fmt.Errorf("%s is not a string", c.name)
		}
	}
	switch aud := claims["aud"].(type) {
	case nil:
	case string:
		t.audience = []string{aud}
	case []any:
		for _, a := range aud {
			s, ok := a.(string)
			if !ok {
				return nil, errors.New("aud holds something other than strings")
			}
			t.audience = append(t.audience, s)
		}
	default:
		return nil, errors.New("aud is neither a string nor an array of strings")
	}
	var err error
	if t.expiry, err = claimTime(claims, "exp"); err != nil {
		return nil, err
	}
	if t.issuedAt, err = claimTime(claims, "iat"); err != nil {
		return nil, err
	}
	if t.notBefore, err = claimTime(claims, "nbf"); err != nil {
		return nil, err
	}
	return t, nil
}

// claimTime reads a NumericDate claim (seconds since the epoch, fractions
// dropped); absent or null is the zero time.
func claimTime(claims map[string]any, name string) (time.Time, error) {
	switch v := claims[name].(type) {
	case nil:
		return time.Time{}, nil
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return time.Unix(n, 0), nil
		}
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) || f > math.MaxInt64/2 || f < -math.MaxInt64/2 {
			return time.Time{}, fmt.Errorf("%s is not a time", name)
		}
		return time.Unix(int64(f), 0), nil
	default:
		return time.Time{}, fmt.Errorf("%s is not a number", name)
	}
}

// verifyAccessToken checks the access token against the ID token's at_hash
// (OpenID Connect Core 3.1.3.8): the left half of its hash with the ID
// token's algorithm's hash function, base64url.
func (t *verifiedToken) verifyAccessToken(accessToken string) error {
	var h hash.Hash
	switch t.alg {
	case jose.RS256, jose.ES256, jose.PS256:
		h = sha256.New()
	case jose.RS384, jose.ES384, jose.PS384:
		h = sha512.New384()
	case jose.RS512, jose.ES512, jose.PS512, jose.EdDSA:
		h = sha512.New()
	default:
		return fmt.Errorf("no at_hash for algorithm %q", t.alg)
	}
	h.Write([]byte(accessToken))
	sum := h.Sum(nil)
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])), []byte(t.atHash)) != 1 {
		return errors.New("at_hash does not match the access token")
	}
	return nil
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
