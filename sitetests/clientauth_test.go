package sitetests_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// A client secret long enough for client_secret_jwt (HS256).
const jwtSecret = "a-client-secret-for-client-secret-jwt-0123"

// keyFile writes key as the PEM file an administrator would (PKCS#8) and
// returns its path.
func keyFile(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "client-key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func newECKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// keyedSite runs a provider that knows the test client as client (its ID
// set here), and a site on port whose default provider has options (and no
// client_secret unless options set one).
func keyedSite(t *testing.T, port int, client devprovider.Client, ttl time.Duration, options, handlers string) *devprovider.Provider {
	t.Helper()
	client.ID = testsupport.ClientID
	p := testsupport.StartProviderWith(t, devprovider.Config{
		Users:          devprovider.DemoUsers(),
		Clients:        []devprovider.Client{client},
		TrustLoginHint: true,
		TokenTTL:       ttl,
	})
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri http://127.0.0.1:%d/oauth2callback
		cookie_secret %s
		client_id %s
		server_metadata_url %s
		%s
	}
	%s
}
`, port, port, testsupport.CookieSecret, testsupport.ClientID, p.MetadataURL(), options, handlers))
	return p
}

// failedSignIn walks a sign-in that the token endpoint refuses: an error
// page (not a 500), and no identity cookie.
func failedSignIn(t *testing.T, siteURL string) {
	t.Helper()
	resp := testsupport.CallbackResponse(t, siteURL, "alice")
	if resp.StatusCode < 400 || resp.StatusCode == 500 {
		t.Errorf("callback with a refused client: %d, want an error page", resp.StatusCode)
	}
	if c := testsupport.IdentityCookies(resp); len(c) != 0 {
		t.Errorf("a refused client still got a session: %v", c)
	}
}

// An RSA key registered as the site's /auth/jwks (the provider fetches it,
// as Okta and Keycloak do): sign-in works with private_key_jwt, and so does
// the refresh, each with a fresh assertion (the provider refuses a jti used
// before).
func TestPrivateKeyJWTSignInAndRefreshThroughCaddy(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	port := testsupport.FreePort(t)
	site := testsupport.SiteURL(port)
	p := keyedSite(t, port, devprovider.Client{JWKSURI: site + "/auth/jwks"}, 12*time.Second,
		"client_private_key "+keyFile(t, rk)+"\n\t\texpire_with_token", `respond "{http.auth.user.email}"`)
	b := testsupport.NewBrowser(t, "alice")
	if status, body := b.Get(site + "/"); status != 200 || body != "alice@example.com" {
		t.Fatalf("sign-in with private_key_jwt: %d %q", status, body)
	}
	if got := p.LastClientAuthMethod(); got != "private_key_jwt" {
		t.Errorf("the provider saw %q, want private_key_jwt (chosen by default: a key and the provider lists it)", got)
	}
	tokens := p.Counts().Token
	time.Sleep(2500 * time.Millisecond) // within 10 s of the tokens' expiry
	if status, body := b.Get(site + "/"); status != 200 || body != "alice@example.com" {
		t.Fatalf("after the refresh: %d %q", status, body)
	}
	if p.Counts().Token != tokens+1 || p.LastClientAuthMethod() != "private_key_jwt" {
		t.Errorf("refresh: %d token requests, last method %q", p.Counts().Token-tokens, p.LastClientAuthMethod())
	}
}

// An EC key registered as a public key: sign-in works; a site holding
// another key is refused at the token endpoint and gets no session.
func TestPrivateKeyJWTWithRegisteredPublicKeyThroughCaddy(t *testing.T) {
	registered, other := newECKey(t), newECKey(t)
	for _, c := range []struct {
		name string
		key  *ecdsa.PrivateKey
		ok   bool
	}{{"registered key", registered, true}, {"another key", other, false}} {
		t.Run(c.name, func(t *testing.T) {
			port := testsupport.FreePort(t)
			site := testsupport.SiteURL(port)
			keyedSite(t, port, devprovider.Client{PublicKey: &registered.PublicKey}, 0,
				"client_private_key "+keyFile(t, c.key)+"\n\t\ttoken_endpoint_auth_method private_key_jwt", `respond "{http.auth.user.email}"`)
			if !c.ok {
				failedSignIn(t, site)
				return
			}
			if status, body := testsupport.NewBrowser(t, "bob").Get(site + "/"); status != 200 || body != "bob@example.org" {
				t.Fatalf("sign-in: %d %q", status, body)
			}
		})
	}
}

// client_secret_jwt: an HS256 assertion made with the secret, which itself
// never leaves the site (the provider refuses a secret sent alongside an
// assertion); a wrong secret is refused.
func TestClientSecretJWTThroughCaddy(t *testing.T) {
	for _, c := range []struct {
		name, secret string
		ok           bool
	}{{"right secret", jwtSecret, true}, {"wrong secret", jwtSecret + "-wrong", false}} {
		t.Run(c.name, func(t *testing.T) {
			port := testsupport.FreePort(t)
			site := testsupport.SiteURL(port)
			p := keyedSite(t, port, devprovider.Client{Secret: jwtSecret}, 0,
				"client_secret "+c.secret+"\n\t\ttoken_endpoint_auth_method client_secret_jwt", `respond "{http.auth.user.email}"`)
			if !c.ok {
				failedSignIn(t, site)
				return
			}
			if status, body := testsupport.NewBrowser(t, "alice").Get(site + "/"); status != 200 || body != "alice@example.com" {
				t.Fatalf("sign-in: %d %q", status, body)
			}
			if got := p.LastClientAuthMethod(); got != "client_secret_jwt" {
				t.Errorf("the provider saw %q", got)
			}
		})
	}
}

// With a key and a secret and no method set, the metadata decides: a
// provider listing private_key_jwt gets an assertion; one listing only the
// secret methods gets client_secret_basic, as before.
func TestClientAuthDefaultFollowsTheMetadataThroughCaddy(t *testing.T) {
	key := newECKey(t)
	for _, c := range []struct {
		methods []string
		want    string
	}{{nil, "private_key_jwt"}, {[]string{"client_secret_basic", "client_secret_post"}, "client_secret_basic"}} {
		t.Run(c.want, func(t *testing.T) {
			port := testsupport.FreePort(t)
			p := keyedSite(t, port, devprovider.Client{Secret: testsupport.ClientSecret, PublicKey: &key.PublicKey}, 0,
				"client_secret "+testsupport.ClientSecret+"\n\t\tclient_private_key "+keyFile(t, key), `respond ok`)
			p.SetBehavior(devprovider.Behavior{AuthMethods: c.methods})
			if status, _ := testsupport.NewBrowser(t, "alice").Get(testsupport.SiteURL(port) + "/"); status != 200 {
				t.Fatalf("sign-in: %d", status)
			}
			if got := p.LastClientAuthMethod(); got != c.want {
				t.Errorf("provider listing %v saw %q, want %q", c.methods, got, c.want)
			}
		})
	}
}

// /auth/jwks serves the public key the provider verifies with, to anyone
// (no sign-in), cacheable briefly, with no private parameter; a site with no
// key answers 404.
func TestJWKSRouteThroughCaddy(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	port := testsupport.FreePort(t)
	site := testsupport.SiteURL(port)
	keyedSite(t, port, devprovider.Client{JWKSURI: site + "/auth/jwks"}, 0, "client_private_key "+keyFile(t, rk), `respond "secret page"`)
	resp, err := testsupport.NoRedirect(nil).Get(site + "/auth/jwks")
	if err != nil {
		t.Fatal(err)
	}
	body := testsupport.ReadBody(t, resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/jwk-set+json" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=") {
		t.Fatalf("GET /auth/jwks: %d %v", resp.StatusCode, resp.Header)
	}
	var raw struct{ Keys []map[string]any }
	if err := json.Unmarshal([]byte(body), &raw); err != nil || len(raw.Keys) != 1 {
		t.Fatalf("not a JWK Set of one key: %s", body)
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
		if _, ok := raw.Keys[0][private]; ok {
			t.Errorf("/auth/jwks shows the private parameter %q", private)
		}
	}
	var set jose.JSONWebKeySet
	_ = json.Unmarshal([]byte(body), &set)
	thumb, _ := (&jose.JSONWebKey{Key: &rk.PublicKey}).Thumbprint(crypto.SHA256)
	got := set.Keys[0]
	if !got.IsPublic() || got.KeyID != base64.RawURLEncoding.EncodeToString(thumb) || got.Algorithm != "RS256" || got.Use != "sig" {
		t.Errorf("served key: kid %q alg %q use %q public %v", got.KeyID, got.Algorithm, got.Use, got.IsPublic())
	}
	if pub, ok := got.Key.(*rsa.PublicKey); !ok || !pub.Equal(&rk.PublicKey) {
		t.Errorf("served key is not the site's public key")
	}
	// The route is not a way around the sign-in, and takes no writes.
	anon, err := testsupport.NoRedirect(nil).Get(site + "/")
	if err != nil {
		t.Fatal(err)
	}
	if anon.Body.Close(); anon.StatusCode != http.StatusUnauthorized {
		t.Errorf("the site itself answered %d without a sign-in", anon.StatusCode)
	}
	post, err := http.Post(site+"/auth/jwks", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /auth/jwks: %d", post.StatusCode)
	}
}

func TestJWKSRouteWithoutKeyIs404ThroughCaddy(t *testing.T) {
	port := testsupport.FreePort(t)
	keyedSite(t, port, devprovider.Client{Secret: testsupport.ClientSecret}, 0, "client_secret "+testsupport.ClientSecret, `respond ok`)
	resp, err := testsupport.NoRedirect(nil).Get(testsupport.SiteURL(port) + "/auth/jwks")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("/auth/jwks without a key: %d, want 404", resp.StatusCode)
	}
}
