package flow

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// minRSABits: smaller RSA keys are refused (NIST SP 800-57; most providers
// refuse them too).
const minRSABits = 2048

// ClientKey is the site's own private key (client_private_key), with which it
// signs private_key_jwt client assertions. Only its public half ever leaves
// it, through PublicJWK and JWKSet.
type ClientKey struct {
	signer crypto.Signer
	alg    jose.SignatureAlgorithm
	kid    string
}

// ParseClientKey reads a PEM private key: RSA (PKCS#1 "RSA PRIVATE KEY" or
// PKCS#8 "PRIVATE KEY", 2048 bits at least, signing RS256) or EC (SEC1 "EC
// PRIVATE KEY" or PKCS#8; P-256, P-384 or P-521, signing ES256, ES384 or
// ES512). Other blocks in the file (openssl's "EC PARAMETERS", a
// certificate) are skipped. Its error never quotes the key.
func ParseClientKey(pemData []byte) (*ClientKey, error) {
	var seen []string
	for rest := pemData; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		seen = append(seen, b.Type)
		var key any
		var err error
		switch b.Type {
		case "RSA PRIVATE KEY":
			if _, enc := b.Headers["Proc-Type"]; enc {
				return nil, errors.New("the key is encrypted: store it unencrypted (openssl pkey -in key.pem -out plain.pem) and protect the file instead")
			}
			key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			if _, enc := b.Headers["Proc-Type"]; enc {
				return nil, errors.New("the key is encrypted: store it unencrypted (openssl pkey -in key.pem -out plain.pem) and protect the file instead")
			}
			key, err = x509.ParseECPrivateKey(b.Bytes)
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the key is encrypted: store it unencrypted (openssl pkey -in key.pem -out plain.pem) and protect the file instead")
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("the %s block does not parse: %v", b.Type, err)
		}
		return newClientKey(key)
	}
	if len(seen) == 0 {
		return nil, errors.New("no PEM block found: expected a PEM private key (-----BEGIN PRIVATE KEY-----)")
	}
	return nil, fmt.Errorf("no private key in it (found %v): expected RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY; a public key or certificate is what you register at the provider, not this key", seen)
}

func newClientKey(key any) (*ClientKey, error) {
	k := &ClientKey{}
	switch priv := key.(type) {
	case *rsa.PrivateKey:
		if n := priv.N.BitLen(); n < minRSABits {
			return nil, fmt.Errorf("the RSA key has %d bits: use %d at least (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048)", n, minRSABits)
		}
		k.signer, k.alg = priv, jose.RS256
	case *ecdsa.PrivateKey:
		switch priv.Curve {
		case elliptic.P256():
			k.alg = jose.ES256
		case elliptic.P384():
			k.alg = jose.ES384
		case elliptic.P521():
			k.alg = jose.ES512
		default:
			return nil, errors.New("the EC key is on an unsupported curve: use P-256, P-384 or P-521")
		}
		k.signer = priv
	default:
		return nil, fmt.Errorf("a %T key is not supported: use an RSA or an EC (P-256) key", key)
	}
	thumb, err := (&jose.JSONWebKey{Key: k.signer.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("the key's thumbprint: %v", err)
	}
	// The kid is the RFC 7638 thumbprint: stable for a key, new for a new
	// one, so a provider caching our JWK Set sees a rotation as a new kid.
	k.kid = base64.RawURLEncoding.EncodeToString(thumb)
	return k, nil
}

// KeyID is the key's "kid": its RFC 7638 JWK thumbprint (SHA-256, base64url).
func (k *ClientKey) KeyID() string { return k.kid }

// Algorithm is the JWS algorithm the key signs with (RS256, ES256...).
func (k *ClientKey) Algorithm() string { return string(k.alg) }

// PublicJWK is the key's public half as a JWK, with kid, alg and use "sig".
func (k *ClientKey) PublicJWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.signer.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

// JWKSet is the JWK Set of the public halves of keys (one entry per kid),
// as served at /auth/jwks for providers that fetch the site's keys.
func JWKSet(keys []*ClientKey) []byte {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	seen := map[string]bool{}
	for _, k := range keys {
		if k == nil || seen[k.kid] {
			continue
		}
		seen[k.kid] = true
		set.Keys = append(set.Keys, k.PublicJWK())
	}
	data, err := json.Marshal(set)
	if err != nil {
		panic("flow: marshalling public keys: " + err.Error()) // RSA and EC public keys always marshal
	}
	return data
}
