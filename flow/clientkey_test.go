package flow

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"strings"
	"testing"
)

func TestParseClientKeyReadsWhatOpenSSLWrites(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	e384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsa8, _ := x509.MarshalPKCS8PrivateKey(rk)
	ec8, _ := x509.MarshalPKCS8PrivateKey(ek)
	sec1, _ := x509.MarshalECPrivateKey(ek)
	sec384, _ := x509.MarshalECPrivateKey(e384)
	// openssl ecparam -genkey writes an EC PARAMETERS block first.
	params := "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
	for _, c := range []struct {
		name, alg string
		pem       []byte
	}{
		{"RSA PKCS#1", "RS256", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk))},
		{"RSA PKCS#8", "RS256", pemOf(t, "PRIVATE KEY", rsa8)},
		{"EC PKCS#8", "ES256", pemOf(t, "PRIVATE KEY", ec8)},
		{"EC SEC1 after EC PARAMETERS", "ES256", append([]byte(params), pemOf(t, "EC PRIVATE KEY", sec1)...)},
		{"EC P-384", "ES384", pemOf(t, "EC PRIVATE KEY", sec384)},
	} {
		k, err := ParseClientKey(c.pem)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if k.Algorithm() != c.alg || len(k.KeyID()) != 43 {
			t.Errorf("%s: alg %s kid %q", c.name, k.Algorithm(), k.KeyID())
		}
	}
}

func TestParseClientKeyRefusesWhatCannotSign(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	_, edk, _ := ed25519.GenerateKey(rand.Reader)
	ed8, _ := x509.MarshalPKCS8PrivateKey(edk)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	p224der, _ := x509.MarshalECPrivateKey(p224)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := x509.MarshalPKIXPublicKey(&ek.PublicKey)
	for _, c := range []struct {
		name string
		pem  []byte
		want string
	}{
		{"empty", nil, "no PEM block"},
		{"garbage", []byte("not a key"), "no PEM block"},
		{"public key", pemOf(t, "PUBLIC KEY", pub), "no private key"},
		{"damaged", pemOf(t, "PRIVATE KEY", []byte("xx")), "does not parse"},
		{"RSA 1024", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small)), "1024 bits"},
		{"Ed25519", pemOf(t, "PRIVATE KEY", ed8), "not supported"},
		{"P-224", pemOf(t, "EC PRIVATE KEY", p224der), "unsupported curve"},
		{"encrypted", pemOf(t, "ENCRYPTED PRIVATE KEY", []byte("xx")), "encrypted"},
	} {
		_, err := ParseClientKey(c.pem)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// The JWK Set carries the public halves only: no private parameter of RSA
// (d, p, q, dp, dq, qi) or EC (d).
func TestJWKSetHoldsOnlyPublicKeys(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	r, _ := newClientKey(rk)
	e, _ := newClientKey(ek)
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(JWKSet([]*ClientKey{r, e, r, nil}), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 2 {
		t.Fatalf("%d keys, want 2 (one per kid)", len(set.Keys))
	}
	for i, k := range set.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k", "oth"} {
			if _, ok := k[private]; ok {
				t.Errorf("key %d has private parameter %q", i, private)
			}
		}
		if k["kid"] != []*ClientKey{r, e}[i].KeyID() || k["use"] != "sig" || k["alg"] == nil {
			t.Errorf("key %d: %v", i, k)
		}
	}
	if string(JWKSet(nil)) != `{"keys":[]}` {
		t.Errorf("empty set %s", JWKSet(nil))
	}
}
