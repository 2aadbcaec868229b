package flow

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// How the site authenticates itself at the token endpoint
// (token_endpoint_auth_method; OpenID Connect Core 1.0 section 9).
const (
	AuthClientSecretBasic = "client_secret_basic" // client_id and secret in an Authorization: Basic header
	AuthClientSecretPost  = "client_secret_post"  // client_id and secret in the form
	AuthClientSecretJWT   = "client_secret_jwt"   // a JWT signed HS256 with the secret (RFC 7523)
	AuthPrivateKeyJWT     = "private_key_jwt"     // a JWT signed with client_private_key (RFC 7523)
	AuthNone              = "none"                // client_id only: a public client
)

// AuthMethods lists the methods token_endpoint_auth_method accepts.
var AuthMethods = []string{AuthClientSecretBasic, AuthClientSecretPost, AuthClientSecretJWT, AuthPrivateKeyJWT, AuthNone}

// clientAssertionType is RFC 7523's client_assertion_type for a JWT.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLifetime: a client assertion is sent at once; a short life
// bounds what a copy of one is worth.
const assertionLifetime = 60 * time.Second

// MinHMACSecret is the shortest client_secret client_secret_jwt accepts:
// HS256 needs a key of 32 bytes at least (RFC 7518 3.2).
const MinHMACSecret = 32

// checkAuthMethod settles the configured method: Config.AuthMethod, else
// client_kwargs' token_endpoint_auth_method (Authlib's place for it), else
// "" (chosen from the metadata at discovery), and refuses one that cannot
// work with the credentials configured.
func checkAuthMethod(cfg Config) (string, error) {
	m := cfg.AuthMethod
	if m == "" {
		m = cfg.Params["token_endpoint_auth_method"]
	}
	if m != "" && !slices.Contains(AuthMethods, m) {
		return "", fmt.Errorf("token_endpoint_auth_method %q is not supported (use %s)", m, strings.Join(AuthMethods, ", "))
	}
	switch {
	case m == AuthPrivateKeyJWT && cfg.ClientKey == nil:
		return "", fmt.Errorf("token_endpoint_auth_method %s needs client_private_key (a PEM private key file)", m)
	case m == AuthClientSecretJWT && len(cfg.ClientSecret) < MinHMACSecret:
		return "", fmt.Errorf("token_endpoint_auth_method %s needs a client_secret of %d characters at least (HS256)", m, MinHMACSecret)
	}
	return m, nil
}

// tokenAuthMethod picks how to authenticate at the token endpoint, given the
// metadata's token_endpoint_auth_methods_supported:
//  1. the configured method, if any;
//  2. with client_private_key: private_key_jwt when the provider lists it,
//     or when there is no client_secret to use instead;
//  3. without a client_secret: none (client_id alone; PKCE protects the code);
//  4. client_secret_basic when listed or when nothing is listed (the spec's
//     default), else client_secret_post, else client_secret_jwt when listed
//     (and the secret is long enough), else client_secret_basic.
func (p *Provider) tokenAuthMethod(listed []string) string {
	if p.authMethod != "" {
		return p.authMethod
	}
	secret := p.cfg.ClientSecret != ""
	if p.cfg.ClientKey != nil && (slices.Contains(listed, AuthPrivateKeyJWT) || !secret) {
		return AuthPrivateKeyJWT
	}
	switch {
	case !secret:
		return AuthNone
	case len(listed) == 0 || slices.Contains(listed, AuthClientSecretBasic):
		return AuthClientSecretBasic
	case slices.Contains(listed, AuthClientSecretPost):
		return AuthClientSecretPost
	case slices.Contains(listed, AuthClientSecretJWT) && len(p.cfg.ClientSecret) >= MinHMACSecret:
		return AuthClientSecretJWT
	}
	return AuthClientSecretBasic
}

// clientCredentials is how the client's secret goes with a token request
// for method: in an Authorization: Basic header, or in the form (with the
// client_id); with a JWT or none, no secret at all, so that it is never sent.
func (p *Provider) clientCredentials(method string) (secret string, inHeader bool) {
	switch method {
	case AuthClientSecretBasic:
		return p.cfg.ClientSecret, true
	case AuthClientSecretPost:
		return p.cfg.ClientSecret, false
	}
	return "", false
}

// tokenClient is the HTTP client for calls to the token endpoint (code
// exchange and refresh). With a JWT method its requests to the token
// endpoint get a fresh client assertion each.
func (p *Provider) tokenClient(d *discovered) *http.Client {
	if d.authMethod != AuthPrivateKeyJWT && d.authMethod != AuthClientSecretJWT {
		return p.cfg.HTTPClient
	}
	c := *p.cfg.HTTPClient
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = &assertionTransport{p: p, method: d.authMethod, tokenURL: d.md.TokenEndpoint, base: base}
	return &c
}

// assertionTransport adds client_assertion_type and client_assertion to a
// POST to the token endpoint, and makes sure no secret goes with them.
type assertionTransport struct {
	p        *Provider
	method   string
	tokenURL string
	base     http.RoundTripper
}

func (t *assertionTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// Only the token endpoint itself: the assertion is made for it (aud), and
	// a redirect elsewhere gets the form without one.
	if req.Method != http.MethodPost || req.URL.String() != t.tokenURL || req.Body == nil {
		return t.base.RoundTrip(req)
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("token request form: %v", err)
	}
	assertion, err := t.p.clientAssertion(t.method, t.tokenURL)
	if err != nil {
		return nil, err
	}
	form.Del("client_secret")
	form.Set("client_id", t.p.cfg.ClientID)
	form.Set("client_assertion_type", clientAssertionType)
	form.Set("client_assertion", assertion)
	enc := form.Encode()
	out := req.Clone(req.Context())
	out.Header.Del("Authorization")
	out.Body = io.NopCloser(strings.NewReader(enc))
	out.ContentLength = int64(len(enc))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(enc)), nil }
	return t.base.RoundTrip(out)
}

// clientAssertion is a JWT that authenticates the client for one request
// (RFC 7523 section 3, OpenID Connect Core section 9): iss and sub the
// client_id, aud the token endpoint, a fresh jti, iat and a 60-second exp;
// signed with client_private_key (private_key_jwt, with its kid) or HS256
// with the client secret (client_secret_jwt).
func (p *Provider) clientAssertion(method, aud string) (string, error) {
	var key jose.SigningKey
	switch method {
	case AuthPrivateKeyJWT:
		k := p.cfg.ClientKey
		key = jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.signer, KeyID: k.kid}}
	case AuthClientSecretJWT:
		key = jose.SigningKey{Algorithm: jose.HS256, Key: []byte(p.cfg.ClientSecret)}
	default:
		return "", fmt.Errorf("no client assertion for %s", method)
	}
	signer, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("client assertion signer: %v", err)
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", err
	}
	now := p.now()
	raw, err := jwt.Signed(signer).Claims(jwt.Claims{
		Issuer:   p.cfg.ClientID,
		Subject:  p.cfg.ClientID,
		Audience: jwt.Audience{aud},
		ID:       base64.RawURLEncoding.EncodeToString(id[:]),
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(assertionLifetime)),
	}).Serialize()
	if err != nil {
		return "", fmt.Errorf("signing the client assertion: %v", err)
	}
	return raw, nil
}
