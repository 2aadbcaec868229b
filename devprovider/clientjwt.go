package devprovider

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// RFC 7523 client authentication: client_assertion_type and client_assertion at the
// token endpoint, as real providers (Entra ID, Okta, Keycloak) accept them.
const (
	jwtBearerAssertion = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// maxAssertionLife refuses assertions valid for longer than this: they are made for
	// one request.
	maxAssertionLife = 10 * time.Minute
	assertionLeeway  = 5 * time.Second
	jwksFetchTimeout = 5 * time.Second
)

// assertionAlgs are the algorithms a client assertion may be signed with.
var assertionAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.ES384, jose.ES512, jose.HS256}

// clientAuthState remembers the assertion jtis already used (until they expire) and
// the method of the last client authentication, for tests.
type clientAuthState struct {
	mu   sync.Mutex
	jtis map[string]time.Time
	last string
}

func (s *clientAuthState) note(method string) {
	s.mu.Lock()
	s.last = method
	s.mu.Unlock()
}

// useJTI records jti until exp; false when it was used already.
func (s *clientAuthState) useJTI(jti string, exp, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jtis == nil {
		s.jtis = map[string]time.Time{}
	}
	for k, e := range s.jtis {
		if now.After(e.Add(assertionLeeway)) {
			delete(s.jtis, k)
		}
	}
	if _, seen := s.jtis[jti]; seen {
		return false
	}
	s.jtis[jti] = exp
	return true
}

// LastClientAuthMethod is how the last client that authenticated at the token
// endpoint did it: client_secret_basic, client_secret_post, client_secret_jwt,
// private_key_jwt or none ("" before any).
func (p *Provider) LastClientAuthMethod() string {
	p.clientAuth.mu.Lock()
	defer p.clientAuth.mu.Unlock()
	return p.clientAuth.last
}

// usesKeys: a client registered with a public key or a JWKS URI authenticates with a
// signed assertion, never with its client_id alone.
func (c Client) usesKeys() bool { return c.PublicKey != nil || c.JWKSURI != "" }

// authenticateAssertion checks a client_assertion (client_secret_jwt, HS256 with the
// client's secret; private_key_jwt, signed with the client's PublicKey or a key at its
// JWKSURI): iss and sub the client, aud the token endpoint, an exp in the future and
// not too far, and a jti not used before.
func (p *Provider) authenticateAssertion(r *http.Request, issuer string) (Client, int, string) {
	fail := func(desc string) (Client, int, string) { return Client{}, http.StatusUnauthorized, desc }
	if _, _, basic := r.BasicAuth(); basic || r.PostForm.Has("client_secret") {
		return Client{}, http.StatusBadRequest, "a client_assertion must come alone, without client_secret or Basic credentials"
	}
	if r.PostForm.Get("client_assertion_type") != jwtBearerAssertion {
		return fail("client_assertion_type must be " + jwtBearerAssertion)
	}
	tok, err := jwt.ParseSigned(r.PostForm.Get("client_assertion"), assertionAlgs)
	if err != nil || len(tok.Headers) != 1 {
		return fail("client_assertion is not a signed JWT")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return fail("client_assertion claims do not parse")
	}
	id := unverified.Issuer
	if formID := r.PostForm.Get("client_id"); formID != "" && formID != id {
		return fail("client_id differs from the assertion's iss")
	}
	c, ok := p.clients[id]
	if !ok {
		return fail("unknown client")
	}
	method, keys := "private_key_jwt", []any(nil)
	if h := tok.Headers[0]; h.Algorithm == string(jose.HS256) {
		method = "client_secret_jwt"
		if c.Secret != "" {
			keys = []any{[]byte(c.Secret)}
		}
	} else if keys, err = p.clientKeys(r.Context(), c, h.KeyID); err != nil {
		return fail(err.Error())
	}
	if !p.behaviorNow().allowsAuthMethod(method) {
		return fail(method + " is not an allowed client authentication method")
	}
	var claims jwt.Claims
	verified := false
	for _, k := range keys {
		if tok.Claims(k, &claims) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return fail("client_assertion signature does not verify with the client's registered key")
	}
	now := time.Now()
	switch {
	case claims.Issuer != c.ID || claims.Subject != c.ID:
		return fail("client_assertion iss and sub must both be the client_id")
	case !slices.Contains([]string(claims.Audience), endpoint(issuer, routeToken)):
		return fail("client_assertion aud must be the token endpoint")
	case claims.Expiry == nil || now.After(claims.Expiry.Time().Add(assertionLeeway)):
		return fail("client_assertion has expired (or has no exp)")
	case claims.Expiry.Time().Sub(now) > maxAssertionLife:
		return fail("client_assertion is valid for too long")
	case claims.ID == "":
		return fail("client_assertion has no jti")
	case !p.clientAuth.useJTI(c.ID+" "+claims.ID, claims.Expiry.Time(), now):
		return fail("client_assertion jti was used already")
	}
	p.clientAuth.note(method)
	return c, 0, ""
}

// clientKeys are the public keys that may verify c's private_key_jwt assertions: its
// PublicKey, or the keys at its JWKSURI (fetched each time, so a test sees what the
// relying party serves now) matching kid when the assertion names one.
func (p *Provider) clientKeys(ctx context.Context, c Client, kid string) ([]any, error) {
	if c.PublicKey != nil {
		switch c.PublicKey.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey:
			return []any{c.PublicKey}, nil
		}
		return nil, fmt.Errorf("the client's PublicKey is a %T, not an RSA or EC public key", c.PublicKey)
	}
	if c.JWKSURI == "" {
		return nil, fmt.Errorf("the client has no registered key for private_key_jwt")
	}
	ctx, cancel := context.WithTimeout(ctx, jwksFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.JWKSURI, nil)
	if err != nil {
		return nil, fmt.Errorf("the client's JWKS URI is unusable")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot fetch the client's JWKS: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the client's JWKS answered %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("the client's JWKS is not a JWK Set")
	}
	var keys []any
	for _, k := range set.Keys {
		if k.IsPublic() && (kid == "" || k.KeyID == kid) {
			keys = append(keys, k.Key)
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no key in the client's JWKS matches kid %q", kid)
	}
	return keys, nil
}
