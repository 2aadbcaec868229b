package oidcauth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// writePEM writes one PEM block to dir/name and returns the path.
func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const keyedSite = "http://localhost:8501 {\n\toidc_auth {\n\t\tredirect_uri http://localhost:8501/oauth2callback\n\t\tcookie_secret 0123456789abcdef0123\n\t\t%s\n\t}\n\trespond ok\n}\n"

func provider(lines string) string {
	return "provider okta {\n\t\t\tclient_id c\n\t\t\tserver_metadata_url https://idp.example/.well-known/openid-configuration\n\t\t\t" + lines + "\n\t\t}"
}

func TestCaddyValidateRefusesClientAuthThatCannotWork(t *testing.T) {
	dir := t.TempDir()
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := x509.MarshalPKIXPublicKey(&ek.PublicKey)
	pubFile := writePEM(t, dir, "public.pem", "PUBLIC KEY", pub)
	_, edk, _ := ed25519.GenerateKey(rand.Reader)
	ed8, _ := x509.MarshalPKCS8PrivateKey(edk)
	edFile := writePEM(t, dir, "ed25519.pem", "PRIVATE KEY", ed8)
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600)
	missing := filepath.Join(dir, "missing.pem")
	toml := filepath.Join(dir, "secrets.toml")
	os.WriteFile(toml, []byte("[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"0123456789abcdef-0123\"\n\n[auth.okta]\nclient_id = \"c\"\nserver_metadata_url = \"https://idp.example/.well-known/openid-configuration\"\nclient_private_key = \""+missing+"\"\n"), 0o600)

	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{"missing key file", provider("client_private_key " + missing), []string{"provider okta", "client_private_key", missing, "cannot read"}},
		{"not a key", provider("client_private_key " + garbage), []string{"provider okta", "client_private_key", garbage, "does not parse"}},
		{"a public key", provider("client_private_key " + pubFile), []string{"client_private_key", pubFile, "no private key"}},
		{"an Ed25519 key", provider("client_private_key " + edFile), []string{"client_private_key", edFile, "not supported"}},
		{"default provider, missing key", "client_id c\n\t\tserver_metadata_url https://idp.example/.well-known/openid-configuration\n\t\tclient_private_key " + missing,
			[]string{"the default provider", "client_private_key", missing}},
		{"in secrets.toml", "secrets_file " + toml, []string{"provider okta", toml + ", line 5", "client_private_key", missing}},
		{"private_key_jwt without key", provider("token_endpoint_auth_method private_key_jwt"), []string{"provider okta", "private_key_jwt needs client_private_key"}},
		{"private_key_jwt in client_kwargs without key", provider("client_kwargs {\n\t\t\t\ttoken_endpoint_auth_method private_key_jwt\n\t\t\t}"),
			[]string{"provider okta", "client_kwargs token_endpoint_auth_method private_key_jwt needs client_private_key"}},
		{"client_secret_jwt without secret", provider("token_endpoint_auth_method client_secret_jwt"), []string{"provider okta", "client_secret_jwt needs a client_secret"}},
		{"client_secret_jwt with a short secret", provider("client_secret short\n\t\t\ttoken_endpoint_auth_method client_secret_jwt"), []string{"32 characters"}},
		{"unknown method", provider("token_endpoint_auth_method tls_client_auth"), []string{"provider okta", `token_endpoint_auth_method "tls_client_auth" is not supported`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := testsupport.Validate(t, strings.Replace(keyedSite, "%s", c.body, 1))
			if err == nil {
				t.Fatal("validated")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestCaddyValidateAcceptsClientKeys(t *testing.T) {
	dir := t.TempDir()
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sec1, _ := x509.MarshalECPrivateKey(ek)
	keyFile := writePEM(t, dir, "key.pem", "EC PRIVATE KEY", sec1)
	for _, body := range []string{
		provider("client_private_key " + keyFile + "\n\t\t\ttoken_endpoint_auth_method private_key_jwt"),
		provider("client_private_key " + keyFile), // the method follows the metadata
		provider("client_secret 0123456789abcdef0123456789abcdef\n\t\t\ttoken_endpoint_auth_method client_secret_jwt"),
		// The key wins over client_kwargs, which may hold a method that
		// would not work alone.
		provider("client_private_key " + keyFile + "\n\t\t\ttoken_endpoint_auth_method private_key_jwt\n\t\t\tclient_kwargs {\n\t\t\t\ttoken_endpoint_auth_method client_secret_post\n\t\t\t}"),
	} {
		if err := testsupport.Validate(t, strings.Replace(keyedSite, "%s", body, 1)); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}
