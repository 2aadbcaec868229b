package oidcauth

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/caddy-oidc-auth/oidcauth/flow"
)

// jwksPath serves the public halves of the configured client_private_keys,
// for providers that fetch a client's keys (private_key_jwt).
const jwksPath = "/auth/jwks"

// jwksMaxAge lets providers cache the set briefly: a new key is seen within
// minutes, and a flood of fetches is answered from their cache.
const jwksMaxAge = "public, max-age=300"

// authMethodOf is the provider's token_endpoint_auth_method: its own key,
// else client_kwargs' (Authlib's place for it), else "" (from the metadata).
func authMethodOf(p *ProviderConfig) (method, key string) {
	if p.TokenEndpointAuthMethod != "" {
		return p.TokenEndpointAuthMethod, "token_endpoint_auth_method"
	}
	return p.ClientKwargs["token_endpoint_auth_method"], "client_kwargs token_endpoint_auth_method"
}

// checkClientAuth refuses client authentication that cannot work: an
// unknown method, a client_private_key that is missing, does not parse or is
// of a type we cannot sign with, private_key_jwt without a key,
// client_secret_jwt without a secret long enough for HS256.
func checkClientAuth(label, at string, p *ProviderConfig) error {
	method, key := authMethodOf(p)
	if method != "" && !slices.Contains(flow.AuthMethods, method) {
		return fmt.Errorf("%s%s: %s %q is not supported (use %s)", label, at, key, method, strings.Join(flow.AuthMethods, ", "))
	}
	if p.ClientPrivateKey != "" {
		if _, err := readClientKey(p.ClientPrivateKey); err != nil {
			return fmt.Errorf("%s%s: client_private_key %q: %v", label, at, p.ClientPrivateKey, err)
		}
	}
	switch {
	case method == flow.AuthPrivateKeyJWT && p.ClientPrivateKey == "":
		return fmt.Errorf("%s%s: %s private_key_jwt needs client_private_key, the PEM private key file whose public key is registered at the provider", label, at, key)
	case method == flow.AuthClientSecretJWT && len(p.ClientSecret) < flow.MinHMACSecret:
		return fmt.Errorf("%s%s: %s client_secret_jwt needs a client_secret of %d characters at least (it signs HS256)", label, at, key, flow.MinHMACSecret)
	}
	return nil
}

func readClientKey(path string) (*flow.ClientKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %v", err)
	}
	return flow.ParseClientKey(data)
}

// loadClientKey reads provider name's client_private_key, if any, and adds
// its public half to the site's JWK Set.
func (m *OIDCAuth) loadClientKey(name string, pc *ProviderConfig) (*flow.ClientKey, error) {
	if pc.ClientPrivateKey == "" {
		return nil, nil
	}
	k, err := readClientKey(pc.ClientPrivateKey)
	if err != nil {
		return nil, fmt.Errorf("provider %s: client_private_key %q: %v", name, pc.ClientPrivateKey, err)
	}
	m.clientKeys = append(m.clientKeys, k)
	m.jwks = flow.JWKSet(m.clientKeys)
	return k, nil
}

func clientKeyID(k *flow.ClientKey) string {
	if k == nil {
		return ""
	}
	return k.KeyID()
}

// serveJWKS answers GET /auth/jwks: the public keys of this handler's
// providers as a JWK Set, to anyone (they are public); 404 when no provider
// has a client_private_key.
func (m *OIDCAuth) serveJWKS(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return nil
	}
	if len(m.jwks) == 0 {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "404 Not Found: no client_private_key is configured", http.StatusNotFound)
		return nil
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", jwksMaxAge)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(m.jwks)
	return nil
}
