package flow

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

const longSecret = "a-client-secret-of-more-than-32-bytes"

// tokenRequests records what the site sends to the token endpoint.
type tokenRequests struct {
	mu    sync.Mutex
	forms []url.Values
	auth  []string // Authorization headers
}

func (c *tokenRequests) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/token") {
		clone := req.Clone(req.Context())
		body, _ := req.GetBody()
		clone.Body = body
		_ = clone.ParseForm()
		c.mu.Lock()
		c.forms = append(c.forms, clone.PostForm)
		c.auth = append(c.auth, req.Header.Get("Authorization"))
		c.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (c *tokenRequests) all() ([]url.Values, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]url.Values(nil), c.forms...), append([]string(nil), c.auth...)
}

// keyRig is a devprovider that knows the client by pub (and secret), and a
// Provider for it set up by edit, with its token requests recorded.
func keyRig(t *testing.T, pub any, secret string, edit func(*Config)) (*devprovider.Provider, *Provider, *tokenRequests) {
	t.Helper()
	dev := startDev(t, devprovider.Client{ID: testClientID, Secret: secret, PublicKey: pub}, nil)
	rec := &tokenRequests{}
	cfg := Config{
		HTTPClient:   &http.Client{Timeout: 10 * time.Second, Transport: rec},
		Name:         "dev",
		ClientID:     testClientID,
		ClientSecret: secret,
		MetadataURL:  dev.MetadataURL(),
		RedirectURL:  testRedirect,
		Params:       map[string]string{"login_hint": "alice"},
	}
	if edit != nil {
		edit(&cfg)
	}
	return dev, mustProvider(t, cfg), rec
}

func signInAndRefresh(t *testing.T, p *Provider) error {
	t.Helper()
	r := &rig{p: p}
	id, err := r.signIn(t)
	if err != nil {
		return err
	}
	_, err = p.Refresh(context.Background(), id.RefreshToken)
	return err
}

func pemOf(t *testing.T, typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// checkAssertions verifies every recorded token request: one assertion each,
// verified with key, iss = sub = client_id, aud the token endpoint, a 60 s
// life, a jti of its own, and no secret anywhere.
func checkAssertions(t *testing.T, p *Provider, rec *tokenRequests, key any, wantAlg string, wantGrants ...string) {
	t.Helper()
	forms, auths := rec.all()
	if len(forms) != len(wantGrants) {
		t.Fatalf("%d token requests, want %d", len(forms), len(wantGrants))
	}
	d, err := p.discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	jtis := map[string]bool{}
	for i, f := range forms {
		if g := f.Get("grant_type"); g != wantGrants[i] {
			t.Errorf("request %d: grant %q, want %q", i, g, wantGrants[i])
		}
		if f.Has("client_secret") || auths[i] != "" {
			t.Errorf("request %d sent a secret alongside the assertion: %v, Authorization %q", i, f, auths[i])
		}
		if f.Get("client_assertion_type") != clientAssertionType || f.Get("client_id") != testClientID {
			t.Errorf("request %d: %v", i, f)
		}
		tok, err := jwt.ParseSigned(f.Get("client_assertion"), []jose.SignatureAlgorithm{jose.SignatureAlgorithm(wantAlg)})
		if err != nil {
			t.Fatalf("request %d: assertion: %v", i, err)
		}
		var c jwt.Claims
		if err := tok.Claims(key, &c); err != nil {
			t.Fatalf("request %d: signature does not verify: %v", i, err)
		}
		if c.Issuer != testClientID || c.Subject != testClientID || len(c.Audience) != 1 || c.Audience[0] != d.md.TokenEndpoint {
			t.Errorf("request %d: claims %+v", i, c)
		}
		if c.IssuedAt == nil || c.Expiry == nil || c.Expiry.Time().Sub(c.IssuedAt.Time()) != assertionLifetime {
			t.Errorf("request %d: iat %v exp %v", i, c.IssuedAt, c.Expiry)
		}
		if c.ID == "" || jtis[c.ID] {
			t.Errorf("request %d: jti %q missing or reused", i, c.ID)
		}
		jtis[c.ID] = true
	}
}

func TestPrivateKeyJWTSignsInAndRefreshes(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(ek)
	for _, c := range []struct {
		name, alg string
		pem       []byte
		pub       any
	}{
		{"RSA PKCS#1", "RS256", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)), &rk.PublicKey},
		{"EC PKCS#8", "ES256", pemOf(t, "PRIVATE KEY", pkcs8), &ek.PublicKey},
	} {
		t.Run(c.name, func(t *testing.T) {
			key, err := ParseClientKey(c.pem)
			if err != nil {
				t.Fatal(err)
			}
			// No method set: the key is there and the provider lists
			// private_key_jwt, so it is chosen over the secret.
			dev, p, rec := keyRig(t, c.pub, "", func(cfg *Config) { cfg.ClientKey = key })
			if err := signInAndRefresh(t, p); err != nil {
				t.Fatal(err)
			}
			if got := dev.LastClientAuthMethod(); got != AuthPrivateKeyJWT {
				t.Errorf("the provider saw %q", got)
			}
			checkAssertions(t, p, rec, c.pub, c.alg, "authorization_code", "refresh_token")
			if !strings.Contains(rec.forms[0].Get("client_assertion"), ".") {
				t.Fatal("no assertion")
			}
			hdr, _ := jwt.ParseSigned(rec.forms[0].Get("client_assertion"), []jose.SignatureAlgorithm{jose.SignatureAlgorithm(c.alg)})
			if kid := hdr.Headers[0].KeyID; kid != key.KeyID() || kid == "" {
				t.Errorf("kid %q, want the thumbprint %q", kid, key.KeyID())
			}
		})
	}
}

func TestClientSecretJWTSignsInAndRefreshes(t *testing.T) {
	dev, p, rec := keyRig(t, nil, longSecret, func(cfg *Config) { cfg.AuthMethod = AuthClientSecretJWT })
	if err := signInAndRefresh(t, p); err != nil {
		t.Fatal(err)
	}
	if got := dev.LastClientAuthMethod(); got != AuthClientSecretJWT {
		t.Errorf("the provider saw %q", got)
	}
	checkAssertions(t, p, rec, []byte(longSecret), "HS256", "authorization_code", "refresh_token")
}

// A key the provider does not know is refused as a misconfiguration,
// without naming anything secret.
func TestPrivateKeyJWTWithAnotherKeyIsMisconfigured(t *testing.T) {
	registered, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ours, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalECPrivateKey(ours)
	key, err := ParseClientKey(pemOf(t, "EC PRIVATE KEY", der))
	if err != nil {
		t.Fatal(err)
	}
	_, p, _ := keyRig(t, &registered.PublicKey, "", func(cfg *Config) { cfg.ClientKey = key })
	_, err = (&rig{p: p}).signIn(t)
	wantClass(t, err, ErrMisconfigured)
}

// The default: private_key_jwt only with a key, and only when the provider
// lists it or there is no secret to use; the secret methods as before; the
// configured method (the key, else client_kwargs) wins.
func TestTokenAuthMethodDefault(t *testing.T) {
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	key, _ := newClientKey(ek)
	all := []string{"client_secret_basic", "client_secret_post", "private_key_jwt"}
	for _, c := range []struct {
		cfg    Config
		listed []string
		want   string
	}{
		{Config{ClientSecret: "s"}, all, AuthClientSecretBasic},
		{Config{ClientSecret: "s", ClientKey: key}, all, AuthPrivateKeyJWT},
		{Config{ClientSecret: "s", ClientKey: key}, nil, AuthClientSecretBasic},
		{Config{ClientSecret: "s", ClientKey: key}, []string{"client_secret_post"}, AuthClientSecretPost},
		{Config{ClientKey: key}, []string{"client_secret_basic"}, AuthPrivateKeyJWT},
		{Config{}, all, AuthNone},
		{Config{ClientSecret: "s"}, []string{"client_secret_jwt"}, AuthClientSecretBasic}, // too short for HS256
		{Config{ClientSecret: longSecret}, []string{"client_secret_jwt"}, AuthClientSecretJWT},
		{Config{ClientSecret: longSecret, AuthMethod: "client_secret_post"}, all, AuthClientSecretPost},
		{Config{ClientSecret: longSecret, AuthMethod: "client_secret_jwt",
			Params: map[string]string{"token_endpoint_auth_method": "client_secret_post"}}, all, AuthClientSecretJWT},
		{Config{ClientSecret: "s", Params: map[string]string{"token_endpoint_auth_method": "client_secret_post"}}, all, AuthClientSecretPost},
	} {
		c.cfg.ClientID, c.cfg.MetadataURL, c.cfg.RedirectURL = "c", "https://idp.example"+wellKnownSuffix, testRedirect
		p := mustProvider(t, c.cfg)
		if got := p.tokenAuthMethod(c.listed); got != c.want {
			t.Errorf("secret %q key %v method %q kwargs %v, provider lists %v: %s, want %s",
				c.cfg.ClientSecret, c.cfg.ClientKey != nil, c.cfg.AuthMethod, c.cfg.Params, c.listed, got, c.want)
		}
	}
}

func TestAuthMethodThatCannotWorkIsRefused(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{AuthMethod: "private_key_jwt", ClientSecret: "s"}, "needs client_private_key"},
		{Config{Params: map[string]string{"token_endpoint_auth_method": "private_key_jwt"}}, "needs client_private_key"},
		{Config{AuthMethod: "client_secret_jwt"}, "needs a client_secret"},
		{Config{AuthMethod: "client_secret_jwt", ClientSecret: "short"}, "32 characters"},
		{Config{AuthMethod: "tls_client_auth"}, "not supported"},
	} {
		c.cfg.ClientID, c.cfg.MetadataURL, c.cfg.RedirectURL = "c", "https://idp.example"+wellKnownSuffix, testRedirect
		if _, err := NewProvider(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "token_endpoint_auth_method") {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
}

// With none, a configured secret is never sent.
func TestNoneSendsNoSecret(t *testing.T) {
	_, p, rec := keyRig(t, nil, "", func(cfg *Config) {
		cfg.ClientSecret = "a-secret-the-provider-must-not-see"
		cfg.AuthMethod = AuthNone
	})
	_, _ = (&rig{p: p}).signIn(t)
	forms, auths := rec.all()
	if len(forms) != 1 || forms[0].Has("client_secret") || auths[0] != "" {
		t.Errorf("none sent %v, Authorization %q", forms, auths)
	}
}
