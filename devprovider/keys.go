package devprovider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// keySet is the provider's current signing keys: one RSA (RS256) and one P-256 (ES256).
type keySet struct {
	rsa, ec jose.JSONWebKey // private keys, with kid and alg
}

func newKeySet() (*keySet, error) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devprovider: RSA key: %w", err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("devprovider: EC key: %w", err)
	}
	return &keySet{
		rsa: jose.JSONWebKey{Key: rk, KeyID: "rsa-" + randomHex(6), Algorithm: string(jose.RS256), Use: "sig"},
		ec:  jose.JSONWebKey{Key: ek, KeyID: "ec-" + randomHex(6), Algorithm: string(jose.ES256), Use: "sig"},
	}, nil
}

// RotateKeys replaces the signing keys with new ones under new kids; the old keys leave
// the JWKS at once, so tokens signed with them no longer verify.
func (p *Provider) RotateKeys() {
	ks, err := newKeySet()
	if err != nil {
		// crypto/rand does not fail on supported platforms; keep the old keys if it does.
		return
	}
	p.keys.Store(ks)
}

// serveJWKS publishes the public keys, then Behavior.ExtraJWKS.
func (p *Provider) serveJWKS(w http.ResponseWriter, r *http.Request, _ string) {
	ks := p.keys.Load()
	keys := make([]any, 0, 2+len(p.behaviorNow().ExtraJWKS))
	for _, k := range []jose.JSONWebKey{ks.rsa.Public(), ks.ec.Public()} {
		keys = append(keys, k)
	}
	for _, extra := range p.behaviorNow().ExtraJWKS {
		keys = append(keys, extra)
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
}

// sign makes a compact JWS of claims as b says. hmacSecret keys HS256; typ is the
// "typ" header ("JWT", or "logout+jwt" for logout tokens).
func (p *Provider) sign(b *Behavior, claims map[string]any, hmacSecret, typ string) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("devprovider: claims: %w", err)
	}
	switch b.alg() {
	case "none":
		// go-jose refuses to make unsigned tokens, so assemble one by hand.
		return compactJWS("none", typ, payload, nil), nil
	case "HS256":
		// By hand too: go-jose refuses HMAC keys under 32 bytes, and client secrets are
		// often shorter; a relying party must refuse the token whatever the key length.
		if hmacSecret == "" {
			return "", fmt.Errorf("devprovider: HS256 needs a client secret")
		}
		token := compactJWS("HS256", typ, payload, []byte(hmacSecret))
		if b.BreakSignature {
			token = breakSignature(token)
		}
		return token, nil
	}
	var key jose.SigningKey
	ks := p.keys.Load()
	switch b.alg() {
	case "RS256":
		key = jose.SigningKey{Algorithm: jose.RS256, Key: withKid(ks.rsa, b.OmitKid)}
	case "ES256":
		key = jose.SigningKey{Algorithm: jose.ES256, Key: withKid(ks.ec, b.OmitKid)}
	default:
		return "", fmt.Errorf("devprovider: unsupported Behavior.Alg %q", b.Alg)
	}
	signer, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		return "", fmt.Errorf("devprovider: signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("devprovider: sign: %w", err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		return "", err
	}
	if b.BreakSignature {
		token = breakSignature(token)
	}
	return token, nil
}

// compactJWS assembles header.payload.signature, HMAC-SHA256 signed with hmacKey, or
// unsigned when hmacKey is nil.
func compactJWS(alg, typ string, payload, hmacKey []byte) string {
	header, _ := json.Marshal(map[string]string{"alg": alg, "typ": typ})
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	if hmacKey == nil {
		return signingInput + "."
	}
	mac := hmac.New(sha256.New, hmacKey)
	mac.Write([]byte(signingInput))
	return signingInput + "." + enc.EncodeToString(mac.Sum(nil))
}

// withKid passes the key as a JWK (go-jose then writes its kid) or bare (no kid).
func withKid(k jose.JSONWebKey, omit bool) any {
	if omit {
		return k.Key
	}
	return k
}

// breakSignature flips the bits of the signature's first byte: the token still parses,
// but no key verifies it.
func breakSignature(token string) string {
	i := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil || len(sig) == 0 {
		return token + "x"
	}
	sig[0] ^= 0xff
	return token[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// randomToken is an unguessable, URL-safe value for codes, tokens and session ids.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
