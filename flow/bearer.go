package flow

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// bearerLeeway tolerates clock skew on nbf and iat: a token "not valid
// before" or "issued at" up to this far in the future is accepted. exp gets
// none, so a remembered token is never used past it.
const bearerLeeway = time.Minute

// maxBearerBytes bounds the token read: real ones are a few KB at most.
const maxBearerBytes = 16 << 10

// BearerToken is a JWT presented as "Authorization: Bearer" that passed every
// check of VerifyBearer: an ID token or an RFC 9068 access token.
type BearerToken struct {
	Subject  string
	SID      string    // the "sid" claim, when present (back-channel logout)
	Claims   []byte    // the payload, every claim exactly as signed
	Expiry   time.Time // exp: the token is worth nothing after it
	IssuedAt time.Time // iat; zero when absent
}

// BearerRefusal is why VerifyBearer refused a token. Its Reason is a fixed
// phrase chosen here, never quoting the token or anything in it, so it is
// safe for an RFC 6750 error_description and for logs. It matches
// ErrInvalidToken with errors.Is.
type BearerRefusal struct {
	Reason   string
	provider string
}

func (e *BearerRefusal) Error() string {
	return "oidc provider \"" + e.provider + "\": bearer token refused: " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidToken) true.
func (e *BearerRefusal) Is(target error) bool { return target == ErrInvalidToken }

func (p *Provider) refuseBearer(reason string) error {
	return &BearerRefusal{Reason: reason, provider: p.cfg.Name}
}

// bearerClaims are the claims VerifyBearer checks.
type bearerClaims struct {
	Iss    string          `json:"iss"`
	Sub    string          `json:"sub"`
	Aud    json.RawMessage `json:"aud"`
	Exp    *float64        `json:"exp"`
	Nbf    *float64        `json:"nbf"`
	Iat    *float64        `json:"iat"`
	SID    string          `json:"sid"`
	Events json.RawMessage `json:"events"`
}

// VerifyBearer checks a JWT a client presented as a bearer token: signed with
// one of this provider's keys and an accepted asymmetric algorithm (never
// none, never HMAC: an HMAC key would be the client secret, which the site
// holds too); "typ" absent, JWT or at+jwt (RFC 9068), so a logout token or
// another kind of JWT is not taken for a user's credential; iss exactly this
// provider's issuer; aud holding one of audiences (empty: the client_id);
// exp present and not passed; nbf and iat, when present, not in the future
// (give or take a minute); sub present.
//
// Unlike sign-ins, it never waits for the keys: a token naming a key the
// provider has not published triggers a refetch only when one is allowed at
// once (one per few seconds), and is refused otherwise, so a flood of
// made-up kids costs neither the provider nor the callers any waiting.
// Errors are a *BearerRefusal (the token's fault) or ErrUnavailable (the
// provider's: its metadata or keys could not be had).
func (p *Provider) VerifyBearer(ctx context.Context, raw string, audiences []string) (*BearerToken, error) {
	if raw == "" || len(raw) > maxBearerBytes {
		return nil, p.refuseBearer("the token is empty or too large")
	}
	d, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	jws, err := jose.ParseSignedCompact(raw, d.keys.algs)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, p.refuseBearer("the token is not a JWT signed with an accepted algorithm")
	}
	if !bearerType(jws.Signatures[0].Header) {
		return nil, p.refuseBearer("the token is not an ID token or access token (typ)")
	}
	payload, err := d.keys.verifyNoWait(ctx, jws)
	if err != nil {
		return nil, err
	}
	var c bearerClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, p.refuseBearer("the token's claims are malformed")
	}
	now := p.now()
	switch {
	case c.Iss != d.md.Issuer:
		return nil, p.refuseBearer("the token was issued by another issuer")
	case len(c.Events) > 0:
		return nil, p.refuseBearer("the token is a security event token, not a credential")
	case !audienceHolds(c.Aud, audiences, p.cfg.ClientID):
		return nil, p.refuseBearer("the token is not meant for this site (aud)")
	case c.Exp == nil:
		return nil, p.refuseBearer("the token has no expiry")
	case !now.Before(unixTime(*c.Exp)):
		return nil, p.refuseBearer("the token has expired")
	case c.Nbf != nil && unixTime(*c.Nbf).After(now.Add(bearerLeeway)):
		return nil, p.refuseBearer("the token is not valid yet")
	case c.Iat != nil && unixTime(*c.Iat).After(now.Add(bearerLeeway)):
		return nil, p.refuseBearer("the token was issued in the future")
	case c.Sub == "":
		return nil, p.refuseBearer("the token names no subject")
	}
	t := &BearerToken{Subject: c.Sub, SID: c.SID, Claims: payload, Expiry: unixTime(*c.Exp)}
	if c.Iat != nil {
		t.IssuedAt = unixTime(*c.Iat)
	}
	return t, nil
}

// bearerType accepts the JWT types an ID token (none, or JWT) or an RFC 9068
// access token (at+jwt, or application/at+jwt) carries; media types compare
// case-insensitively.
func bearerType(h jose.Header) bool {
	v, present := h.ExtraHeaders[jose.HeaderType]
	if !present {
		return true
	}
	typ, ok := v.(string)
	if !ok {
		return false
	}
	typ = strings.TrimPrefix(strings.ToLower(typ), "application/")
	return typ == "jwt" || typ == "at+jwt"
}

// audienceHolds: aud (a string or a list of strings) holds one of want, or
// the client_id when want is empty.
func audienceHolds(aud json.RawMessage, want []string, clientID string) bool {
	var list []string
	var one string
	if err := json.Unmarshal(aud, &one); err == nil {
		list = []string{one}
	} else if err := json.Unmarshal(aud, &list); err != nil {
		return false
	}
	if len(want) == 0 {
		want = []string{clientID}
	}
	for _, a := range list {
		if a != "" && slices.Contains(want, a) {
			return true
		}
	}
	return false
}

func unixTime(f float64) time.Time {
	return time.Unix(0, 0).Add(time.Duration(f * float64(time.Second)))
}

// PeekIssuer reads the iss claim of a JWT without verifying anything, to pick
// the provider that is to verify it. Never trust what it returns.
func PeekIssuer(raw string) (string, bool) {
	first := strings.IndexByte(raw, '.')
	if first < 0 || len(raw) > maxBearerBytes {
		return "", false
	}
	rest := raw[first+1:]
	second := strings.IndexByte(rest, '.')
	if second < 0 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(rest[:second])
	if err != nil {
		return "", false
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil || c.Iss == "" {
		return "", false
	}
	return c.Iss, true
}

// verifyNoWait is VerifySignature for bearer tokens, which must not wait: an
// unknown kid (or no fitting key) refetches the keys only when a fetch is
// allowed at once; otherwise the token is refused straight away.
func (k *keySet) verifyNoWait(ctx context.Context, jws *jose.JSONWebSignature) ([]byte, error) {
	hdr := jws.Signatures[0].Header
	alg := jose.SignatureAlgorithm(hdr.Algorithm)
	keys, err := k.cached(ctx)
	if err != nil {
		return nil, err
	}
	payload, kidKnown, err := verifyWith(jws, keys, hdr.KeyID, alg)
	if err == nil {
		return payload, nil
	}
	if kidKnown || !k.fetchAllowedNow() {
		return nil, k.p.refuseBearer("the token's signature does not verify with the provider's keys")
	}
	if keys, err = k.refetch(ctx); err != nil {
		return nil, err
	}
	if payload, _, err = verifyWith(jws, keys, hdr.KeyID, alg); err != nil {
		return nil, k.p.refuseBearer("the token's signature does not verify with the provider's keys")
	}
	return payload, nil
}

// fetchAllowedNow: a refetch would start at once, not wait for its slot.
func (k *keySet) fetchAllowedNow() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lastTry.IsZero() || k.p.now().Sub(k.lastTry) >= keyRefetchInterval
}
