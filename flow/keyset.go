package flow

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/sync/singleflight"
)

// keyRefetchInterval: however many tokens with unknown key ids arrive, the
// provider's JWKS is fetched at most once per interval.
const keyRefetchInterval = 5 * time.Second

// keySet is the provider's signing keys (an oidc.KeySet). Unlike go-oidc's
// RemoteKeySet it rate-limits refetches, so a flood of forged tokens with
// made-up key ids cannot turn into a flood of requests to the provider, and it
// skips keys it cannot use instead of failing the whole set.
type keySet struct {
	p     *Provider
	url   string
	algs  []jose.SignatureAlgorithm
	calls singleflight.Group

	mu      sync.Mutex
	keys    []jose.JSONWebKey // usable public signing keys
	lastTry time.Time         // last fetch attempt; zero: never
	lastErr error             // outcome of the last fetch
}

// keysCallKey names the shared key fetch (and its errors).
const keysCallKey = "the signing keys"

func newKeySet(p *Provider, url string, algs []string) *keySet {
	k := &keySet{p: p, url: url}
	for _, a := range algs {
		k.algs = append(k.algs, jose.SignatureAlgorithm(a))
	}
	return k
}

// keysUnavailable lets VerifySignature report "could not get the keys"
// through go-oidc, which flattens the errors of a KeySet into text.
type keysUnavailable struct{ err error }

type keysUnavailableKey struct{}

func withKeyFailureSlot(ctx context.Context) (context.Context, *keysUnavailable) {
	slot := &keysUnavailable{}
	return context.WithValue(ctx, keysUnavailableKey{}, slot), slot
}

func noteKeyFailure(ctx context.Context, err error) {
	if slot, ok := ctx.Value(keysUnavailableKey{}).(*keysUnavailable); ok {
		slot.err = err
	}
}

// VerifySignature checks jwt's signature with the provider's keys and returns
// its payload. A token with a kid is checked against that key; a token
// without one against every key that fits its algorithm. An unknown kid (or
// no fitting key) triggers one refetch, for key rotation. Refetches are
// rate-limited: when the keys were fetched less than keyRefetchInterval ago,
// the caller waits (as long as ctx allows) for the next allowed fetch, which
// every waiting caller shares. So a provider that rotates its key just after
// we fetched still signs users in, and a flood of made-up kids still costs
// one fetch per interval.
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, _, err := k.verify(ctx, jwt)
	return payload, err
}

// verify is VerifySignature that also says which algorithm signed jwt.
func (k *keySet) verify(ctx context.Context, jwt string) ([]byte, jose.SignatureAlgorithm, error) {
	jws, err := jose.ParseSignedCompact(jwt, k.algs) // a JWT is always the compact form
	if err != nil {
		return nil, "", fmt.Errorf("malformed token: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, "", errors.New("token must carry exactly one signature")
	}
	hdr := jws.Signatures[0].Header
	alg := jose.SignatureAlgorithm(hdr.Algorithm)

	keys, err := k.cached(ctx)
	if err != nil {
		noteKeyFailure(ctx, err)
		return nil, "", err
	}
	payload, kidKnown, err := verifyWith(jws, keys, hdr.KeyID, alg)
	if err == nil || kidKnown {
		return payload, alg, err
	}
	keys, err = k.refetch(ctx)
	if err != nil {
		noteKeyFailure(ctx, err)
		return nil, "", err
	}
	payload, _, err = verifyWith(jws, keys, hdr.KeyID, alg)
	return payload, alg, err
}

// verifyWith tries the keys that fit kid and alg. kidKnown reports that the
// token names a key we have, so a failure is a bad signature, not a rotation.
func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey, kid string, alg jose.SignatureAlgorithm) (payload []byte, kidKnown bool, err error) {
	tried := false
	for i := range keys {
		key := &keys[i]
		if kid != "" && key.KeyID != kid {
			continue
		}
		kidKnown = kid != ""
		if !keyFits(key, alg) {
			continue
		}
		tried = true
		if payload, err := jws.Verify(key.Key); err == nil {
			return payload, kidKnown, nil
		}
	}
	if !tried {
		if kid == "" {
			return nil, false, fmt.Errorf("no %s key to check the token with", alg)
		}
		return nil, kidKnown, fmt.Errorf("no %s key with kid %q", alg, kid)
	}
	return nil, kidKnown, errors.New("signature does not verify")
}

// keyFits: the key's type (and curve) matches alg, and its own "alg", if any.
func keyFits(key *jose.JSONWebKey, alg jose.SignatureAlgorithm) bool {
	if key.Algorithm != "" && key.Algorithm != string(alg) {
		return false
	}
	switch pub := key.Key.(type) {
	case *rsa.PublicKey:
		switch alg {
		case jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512:
			return true
		}
	case *ecdsa.PublicKey:
		switch alg {
		case jose.ES256:
			return pub.Curve == elliptic.P256()
		case jose.ES384:
			return pub.Curve == elliptic.P384()
		case jose.ES512:
			return pub.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		return alg == jose.EdDSA
	}
	return false
}

// cached returns the keys, fetching them the first time. After a failed
// fetch the failure comes back at once until keyRefetchInterval has passed;
// then the next caller fetches again.
func (k *keySet) cached(ctx context.Context) ([]jose.JSONWebKey, error) {
	k.mu.Lock()
	keys, err := k.keys, k.lastErr
	recent := !k.lastTry.IsZero() && k.p.now().Sub(k.lastTry) < keyRefetchInterval
	k.mu.Unlock()
	if len(keys) > 0 {
		return keys, nil
	}
	if err != nil && recent {
		return nil, err
	}
	return k.refetch(ctx)
}

// refetch joins the shared fetch, starting one if none is running. The
// shared fetch first waits for its slot (keyRefetchInterval after the last
// attempt); the caller waits for it as long as ctx allows.
func (k *keySet) refetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	return shared(k.p, &k.calls, keysCallKey, ctx, k.fetchInSlot)
}

// fetchInSlot waits until a fetch is allowed, then fetches, detached from
// any one caller's context and bounded by httpTimeout and the provider's
// lifetime (Close ends the wait and the fetch, and records nothing).
func (k *keySet) fetchInSlot() ([]jose.JSONWebKey, error) {
	k.mu.Lock()
	wait := time.Duration(0)
	if !k.lastTry.IsZero() {
		wait = keyRefetchInterval - k.p.now().Sub(k.lastTry)
	}
	k.mu.Unlock()
	if wait > 0 {
		select {
		case <-k.p.afterFunc()(wait):
		case <-k.p.life.Done():
			return nil, k.p.closedErr()
		}
	}
	k.mu.Lock()
	k.lastTry = k.p.now()
	k.mu.Unlock()

	ctx, cancel := k.p.fetchContext()
	defer cancel()
	var keys []jose.JSONWebKey
	body, _, err := k.p.getJSON(ctx, k.url, "")
	if cerr := k.p.closedErr(); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		err = k.p.newError(ErrUnavailable, err, "cannot fetch signing keys from %s", k.url)
	} else if keys, err = parseKeys(body, k.algs); err != nil {
		err = k.p.newError(ErrUnavailable, err, "signing keys at %s", k.url)
	}
	k.p.observe("jwks", err)
	k.mu.Lock()
	defer k.mu.Unlock()
	if err == nil {
		k.keys = keys
	}
	k.lastErr = err
	return k.keys, err
}

// parseKeys reads a JWK set and keeps the public signing keys we can use.
// Keys of unknown types, unparsable keys, encryption keys and keys for other
// algorithms are skipped, as RFC 7517 section 5 asks.
func parseKeys(body []byte, algs []jose.SignatureAlgorithm) ([]jose.JSONWebKey, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Keys == nil {
		return nil, errors.New("not a JWK set")
	}
	var keys []jose.JSONWebKey
	for _, raw := range doc.Keys {
		var key jose.JSONWebKey
		if err := json.Unmarshal(raw, &key); err != nil || !key.Valid() {
			continue
		}
		if key.Use != "" && key.Use != "sig" {
			continue
		}
		if !key.IsPublic() {
			key = key.Public() // a provider publishing a private key: use its public half only
		}
		switch key.Key.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		default:
			continue // symmetric or unknown: never a signing key for us
		}
		if key.Algorithm != "" && !slices.Contains(algs, jose.SignatureAlgorithm(key.Algorithm)) {
			continue
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no usable signing key among %d published", len(doc.Keys))
	}
	return keys, nil
}
