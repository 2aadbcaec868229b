package flow

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// jwksServer publishes keys (public halves) and counts fetches.
type jwksServer struct {
	srv     *httptest.Server
	fetches atomic.Int64
	mu      sync.Mutex
	keys    []jose.JSONWebKey
}

func newJWKSServer(t testing.TB, keys ...jose.JSONWebKey) *jwksServer {
	s := &jwksServer{keys: keys}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		set := jose.JSONWebKeySet{}
		for _, k := range s.keys {
			set.Keys = append(set.Keys, k.Public())
		}
		s.mu.Unlock()
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func rsaKey(t testing.TB, kid string) jose.JSONWebKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: "RS256", Use: "sig"}
}

func ecKey(t testing.TB, kid string) jose.JSONWebKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: "ES256", Use: "sig"}
}

// sign makes a compact JWS of payload with key; kid goes into the header
// unless empty.
func sign(t testing.TB, key jose.JSONWebKey, kid string, payload []byte) string {
	t.Helper()
	var opts jose.SignerOptions
	if kid != "" {
		opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(key.Algorithm), Key: key.Key}, &opts)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testKeySet(t testing.TB, url string, clock *testClock) *keySet {
	p := bareProvider(Config{Name: "t", HTTPClient: &http.Client{}, Now: clock.Now})
	p.after = clock.After
	return newKeySet(p, url, []string{"RS256", "ES256"})
}

// verifyAfterSlot verifies tok with a key set that must refetch first: it
// waits for the refetch to wait for its slot, moves the clock there, and
// returns the outcome.
func verifyAfterSlot(t testing.TB, ks *keySet, clock *testClock, tok string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := ks.VerifySignature(context.Background(), tok)
		done <- err
	}()
	eventually(t, "a refetch waiting for its slot", func() bool { return clock.Waiting() == 1 })
	clock.Advance(keyRefetchInterval)
	return <-done
}

func TestEdDSAKey(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := jose.JSONWebKey{Key: priv, KeyID: "ed", Algorithm: "EdDSA", Use: "sig"}
	s := newJWKSServer(t, key)
	p := bareProvider(Config{Name: "t", HTTPClient: &http.Client{}, Now: newClock().Now})
	ks := newKeySet(p, s.srv.URL, []string{"EdDSA"})
	if _, err := ks.VerifySignature(context.Background(), sign(t, key, "ed", []byte(`{}`))); err != nil {
		t.Fatalf("EdDSA token: %v", err)
	}
	// Algorithms outside the provider's list are refused before any key is tried.
	if _, err := ks.VerifySignature(context.Background(), sign(t, rsaKey(t, "r"), "r", []byte(`{}`))); err == nil {
		t.Fatal("an RS256 token passed a key set that allows only EdDSA")
	}
}

// A token without kid is checked against every key of its algorithm's type.
func TestTokenWithoutKidIsCheckedAgainstEveryKeyOfItsType(t *testing.T) {
	a, b, c := rsaKey(t, "a"), rsaKey(t, "b"), ecKey(t, "c")
	s := newJWKSServer(t, a, b, c)
	clock := newClock()
	ks := testKeySet(t, s.srv.URL, clock)
	ctx := context.Background()
	for _, key := range []jose.JSONWebKey{a, b, c} {
		payload, err := ks.VerifySignature(ctx, sign(t, key, "", []byte(`{"k":"`+key.KeyID+`"}`)))
		if err != nil || string(payload) != `{"k":"`+key.KeyID+`"}` {
			t.Errorf("token by key %s without kid: %v", key.KeyID, err)
		}
	}
	// A token that no key verifies may be from a rotated key: it waits for
	// the next allowed fetch, then fails.
	stranger := rsaKey(t, "")
	stranger.Algorithm = "RS256"
	if err := verifyAfterSlot(t, ks, clock, sign(t, stranger, "", []byte(`{}`))); err == nil {
		t.Error("a token by a key outside the set verified")
	}
}

// However many tokens with made-up kids arrive, the JWKS is fetched at most
// once per keyRefetchInterval: callers that come too soon wait for the next
// allowed fetch and share it.
func TestUnknownKidRefetchIsRateLimited(t *testing.T) {
	good := rsaKey(t, "good")
	s := newJWKSServer(t, good)
	clock := newClock()
	ks := testKeySet(t, s.srv.URL, clock)
	joins := &joinCounter{}
	ks.p.joined = joins.hook
	ctx := context.Background()
	if _, err := ks.VerifySignature(ctx, sign(t, good, "good", []byte(`{}`))); err != nil {
		t.Fatal(err)
	}
	forger := rsaKey(t, "")
	// flood sends 50 tokens with made-up kids; they all wait for one fetch,
	// which happens once the clock reaches the next slot.
	flood := func(wantFetches int64, untilSlot time.Duration) {
		t.Helper()
		before := joins.count(keysCallKey)
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() {
				tok := sign(t, forger, fmt.Sprintf("made-up-%d", i), []byte(`{}`))
				if _, err := ks.VerifySignature(ctx, tok); err == nil {
					t.Error("a forged token verified")
				}
			})
		}
		eventually(t, "50 callers waiting for one fetch", func() bool {
			return joins.count(keysCallKey) == before+50 && clock.Waiting() == 1
		})
		clock.Advance(untilSlot - time.Millisecond)
		if n := s.fetches.Load(); n != wantFetches-1 {
			t.Fatalf("JWKS fetched %d times before the slot, want %d", n, wantFetches-1)
		}
		clock.Advance(time.Millisecond)
		wg.Wait()
		if n := s.fetches.Load(); n != wantFetches {
			t.Fatalf("JWKS fetched %d times for 50 unknown kids, want %d", n, wantFetches)
		}
	}
	flood(2, keyRefetchInterval) // right after the first fetch: one more, one interval on
	flood(3, keyRefetchInterval) // and again
	// Once the interval has passed, an unknown kid fetches at once.
	clock.Advance(keyRefetchInterval)
	_, _ = ks.VerifySignature(ctx, sign(t, forger, "another", []byte(`{}`)))
	if n := s.fetches.Load(); n != 4 {
		t.Fatalf("after the interval: %d fetches, want 4", n)
	}
	// A good token still verifies from the cache.
	if _, err := ks.VerifySignature(ctx, sign(t, good, "good", []byte(`{}`))); err != nil || s.fetches.Load() != 4 {
		t.Fatalf("cached key: %v, fetches %d", err, s.fetches.Load())
	}
}

// A provider that rotates its key just after we fetched the JWKS: the token
// with the new kid waits for the next allowed fetch and verifies; a caller
// whose request ends first gets "unavailable", not a verdict on the token.
func TestRotationJustAfterAFetchWaitsForTheNextFetch(t *testing.T) {
	old := rsaKey(t, "old")
	s := newJWKSServer(t, old)
	clock := newClock()
	ks := testKeySet(t, s.srv.URL, clock)
	if _, err := ks.VerifySignature(context.Background(), sign(t, old, "old", []byte(`{}`))); err != nil {
		t.Fatal(err)
	}
	fresh := rsaKey(t, "new")
	s.mu.Lock()
	s.keys = []jose.JSONWebKey{fresh}
	s.mu.Unlock()
	clock.Advance(200 * time.Millisecond)
	tok := sign(t, fresh, "new", []byte(`{"ok":1}`))

	gone, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ks.VerifySignature(gone, tok)
	wantClass(t, err, ErrUnavailable)

	done := make(chan error, 1)
	go func() {
		payload, err := ks.VerifySignature(context.Background(), tok)
		if err == nil && string(payload) != `{"ok":1}` {
			err = fmt.Errorf("payload %s", payload)
		}
		done <- err
	}()
	eventually(t, "the fetch waiting for its slot", func() bool { return clock.Waiting() == 1 })
	clock.Advance(keyRefetchInterval - 200*time.Millisecond)
	if err := <-done; err != nil {
		t.Fatalf("token signed with the rotated key: %v", err)
	}
	if n := s.fetches.Load(); n != 2 {
		t.Errorf("JWKS fetched %d times, want 2", n)
	}
}

// After a failed fetch, the keys are fetched again once the interval has
// passed: a provider whose JWKS was down for a moment recovers.
func TestKeysRecoverAfterAFailedFetch(t *testing.T) {
	key := rsaKey(t, "k")
	s := newJWKSServer(t, key)
	clock := newClock()
	var down atomic.Bool
	down.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		s.srv.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ks := testKeySet(t, srv.URL, clock)
	tok := sign(t, key, "k", []byte(`{}`))
	_, err := ks.VerifySignature(context.Background(), tok)
	wantClass(t, err, ErrUnavailable)
	down.Store(false)
	_, err = ks.VerifySignature(context.Background(), tok)
	wantClass(t, err, ErrUnavailable) // within the interval: the failure, at once
	clock.Advance(keyRefetchInterval)
	if _, err := ks.VerifySignature(context.Background(), tok); err != nil {
		t.Fatalf("after the JWKS came back: %v", err)
	}
}

// A bad signature under a kid we know is not a rotation: no refetch.
func TestKnownKidWithBadSignatureDoesNotRefetch(t *testing.T) {
	good := rsaKey(t, "good")
	s := newJWKSServer(t, good)
	clock := newClock()
	ks := testKeySet(t, s.srv.URL, clock)
	clock.Advance(keyRefetchInterval) // a refetch would be allowed
	forged := sign(t, rsaKey(t, ""), "good", []byte(`{}`))
	if _, err := ks.VerifySignature(context.Background(), forged); err == nil {
		t.Fatal("forged token verified")
	}
	clock.Advance(keyRefetchInterval)
	_, _ = ks.VerifySignature(context.Background(), forged)
	if n := s.fetches.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", n)
	}
}

func TestRotationPicksUpNewKey(t *testing.T) {
	old := rsaKey(t, "old")
	s := newJWKSServer(t, old)
	clock := newClock()
	ks := testKeySet(t, s.srv.URL, clock)
	ctx := context.Background()
	if _, err := ks.VerifySignature(ctx, sign(t, old, "old", []byte(`{}`))); err != nil {
		t.Fatal(err)
	}
	fresh := ecKey(t, "new")
	s.mu.Lock()
	s.keys = []jose.JSONWebKey{fresh}
	s.mu.Unlock()
	clock.Advance(keyRefetchInterval)
	if _, err := ks.VerifySignature(ctx, sign(t, fresh, "new", []byte(`{}`))); err != nil {
		t.Fatalf("new key after rotation: %v", err)
	}
	if err := verifyAfterSlot(t, ks, clock, sign(t, old, "old", []byte(`{}`))); err == nil {
		t.Error("a key that left the JWKS still verifies")
	}
}

func TestKeysUnreachable(t *testing.T) {
	s := newJWKSServer(t)
	url := s.srv.URL
	s.srv.Close()
	ks := testKeySet(t, url, newClock())
	ctx, slot := withKeyFailureSlot(context.Background())
	_, err := ks.VerifySignature(ctx, sign(t, rsaKey(t, "k"), "k", []byte(`{}`)))
	wantClass(t, err, ErrUnavailable)
	if slot.err == nil {
		t.Error("the failure was not reported to the verifier")
	}
	// Within the interval the failure comes back at once, still "unavailable".
	_, err = ks.VerifySignature(context.Background(), sign(t, rsaKey(t, "k"), "k", []byte(`{}`)))
	wantClass(t, err, ErrUnavailable)
}

func TestParseKeys(t *testing.T) {
	algs := []jose.SignatureAlgorithm{jose.RS256, jose.ES256}
	rk := rsaKey(t, "r")
	rsaPub, _ := json.Marshal(rk.Public())
	ecPriv, _ := json.Marshal(ecKey(t, "e")) // a provider that publishes a private key by mistake
	rs512 := rsaKey(t, "r512")
	rs512.Algorithm = "RS512"
	rs512Pub, _ := json.Marshal(rs512.Public())
	for _, c := range []struct {
		name  string
		body  string
		kids  []string
		isErr bool
	}{
		{"garbage", `<html>`, nil, true},
		{"no keys member", `{"foo":1}`, nil, true},
		{"nothing usable", `{"keys":[{"kty":"oct","k":"c2VjcmV0"},{"kty":"weird"}]}`, nil, true},
		{"mixed", `{"keys":[` + string(rsaPub) + `,{"kty":"weird"},` + string(rs512Pub) + `,` + string(ecPriv) + `]}`, []string{"r", "e"}, false},
	} {
		keys, err := parseKeys([]byte(c.body), algs)
		if (err != nil) != c.isErr {
			t.Errorf("%s: err %v", c.name, err)
			continue
		}
		var kids []string
		for _, k := range keys {
			kids = append(kids, k.KeyID)
			if !k.IsPublic() {
				t.Errorf("%s: kept a private key", c.name)
			}
		}
		if len(kids) != len(c.kids) || (len(kids) > 0 && (kids[0] != c.kids[0] || kids[1] != c.kids[1])) {
			t.Errorf("%s: kept %v, want %v", c.name, kids, c.kids)
		}
	}
}

func TestKeyFits(t *testing.T) {
	rk, ek, xk := rsaKey(t, "r"), ecKey(t, "e"), rsaKey(t, "x")
	r, e, x := rk.Public(), ek.Public(), xk.Public()
	r.Algorithm, e.Algorithm = "", ""
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	e384 := jose.JSONWebKey{Key: &p384.PublicKey}
	for _, c := range []struct {
		key  jose.JSONWebKey
		alg  jose.SignatureAlgorithm
		fits bool
	}{
		{r, jose.RS256, true}, {r, jose.PS256, true}, {r, jose.ES256, false},
		{e, jose.ES256, true}, {e, jose.ES384, false}, {e, jose.RS256, false},
		{e384, jose.ES384, true}, {e384, jose.ES256, false},
		{x, jose.RS512, false}, // its own alg says RS256
	} {
		if keyFits(&c.key, c.alg) != c.fits {
			t.Errorf("%T for %s: fits = %v", c.key.Key, c.alg, !c.fits)
		}
	}
}
