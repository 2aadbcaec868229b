package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Discovery backoff: after a failure, calls fail at once for this long, then
// the next call tries again; the wait doubles up to the maximum.
const (
	firstBackoff = time.Second
	maxBackoff   = 10 * time.Second
)

// acceptedAlgs are the ID-token signature algorithms we verify. Never "none",
// never HS*: an HMAC key would be the client secret, which the site shares.
var acceptedAlgs = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.EdDSA,
}

// metadata is the part of the provider's discovery document we use.
type metadata struct {
	Issuer                string    `json:"issuer"`
	AuthorizationEndpoint string    `json:"authorization_endpoint"`
	TokenEndpoint         string    `json:"token_endpoint"`
	UserinfoEndpoint      string    `json:"userinfo_endpoint"`
	JWKSURI               string    `json:"jwks_uri"`
	EndSessionEndpoint    string    `json:"end_session_endpoint"`
	SigningAlgs           []string  `json:"id_token_signing_alg_values_supported"`
	PromptValues          *[]string `json:"prompt_values_supported"` // nil: the provider does not say
	AuthMethods           []string  `json:"token_endpoint_auth_methods_supported"`
	// IssParameter: every authorization response carries iss (RFC 9207).
	IssParameter bool `json:"authorization_response_iss_parameter_supported"`
}

// discovered is everything built from a good metadata document.
type discovered struct {
	md       metadata
	algs     []string
	keys     *keySet
	verifier *oidc.IDTokenVerifier // for logout tokens; ID tokens are verifyIDToken's
	// authMethod is how the client authenticates at the token endpoint.
	authMethod string
}

// discover returns the cached metadata, or fetches it. Concurrent first
// callers share one fetch; after a failure, callers get the failure at once
// until the backoff has passed. A closed provider answers ErrClosed.
func (p *Provider) discover(ctx context.Context) (*discovered, error) {
	if err := p.closedErr(); err != nil {
		return nil, err
	}
	if d := p.ready.Load(); d != nil {
		return d, nil
	}
	if err := p.inBackoff(); err != nil {
		return nil, err
	}
	return shared(p, &p.calls, "discovery", ctx, p.runDiscovery)
}

// inBackoff is the recent failure, restated, while its backoff lasts.
func (p *Provider) inBackoff() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lastErr != nil && p.now().Before(p.retryAt) {
		return retryLater(p.lastErr, p.retryAt.Sub(p.now()).Round(100*time.Millisecond))
	}
	return nil
}

// retryLater restates a recent discovery failure, saying when the next
// attempt will be.
func retryLater(err error, wait time.Duration) error {
	fe, ok := err.(*flowError)
	if !ok {
		return err
	}
	again := *fe
	again.msg = fmt.Sprintf("%s (failed recently; next attempt in %s)", fe.msg, wait)
	return &again
}

// runDiscovery fetches the metadata detached from any one caller's context,
// bounded by httpTimeout and the provider's lifetime, and records the
// outcome (a fetch cut short by Close is not a failure to back off from,
// nor one to count). It checks the cache and
// the backoff again: a caller may have looked just before the last call ended.
func (p *Provider) runDiscovery() (*discovered, error) {
	if d := p.ready.Load(); d != nil {
		return d, nil
	}
	if err := p.inBackoff(); err != nil {
		return nil, err
	}
	ctx, cancel := p.fetchContext()
	defer cancel()
	res, err := p.fetchMetadata(ctx)
	if cerr := p.closedErr(); cerr != nil {
		return nil, cerr
	}
	p.observe("metadata", err)

	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.backoff = min(max(2*p.backoff, firstBackoff), maxBackoff)
		p.retryAt = p.now().Add(p.backoff)
		p.lastErr = err
		return nil, err
	}
	p.backoff, p.lastErr = 0, nil
	p.ready.Store(res)
	return res, nil
}

func (p *Provider) fetchMetadata(ctx context.Context) (*discovered, error) {
	body, _, err := p.getJSON(ctx, p.cfg.MetadataURL, "")
	if err != nil {
		return nil, p.newError(ErrUnavailable, err, "cannot fetch metadata from %s", p.cfg.MetadataURL)
	}
	var md metadata
	if err := json.Unmarshal(body, &md); err != nil {
		return nil, p.newError(ErrUnavailable, nil, "metadata at %s is not a valid JSON document", p.cfg.MetadataURL)
	}
	if md.Issuer == "" {
		return nil, p.newError(ErrUnavailable, nil, "metadata at %s has no issuer", p.cfg.MetadataURL)
	}
	if !sameIssuer(md.Issuer, p.expectedIssuer) {
		return nil, p.newError(ErrMisconfigured, nil,
			"metadata issuer %q does not match %q from server_metadata_url (refused as a possible mix-up)", md.Issuer, p.expectedIssuer)
	}
	for _, e := range []struct{ name, value string }{
		{"authorization_endpoint", md.AuthorizationEndpoint},
		{"token_endpoint", md.TokenEndpoint},
		{"jwks_uri", md.JWKSURI},
	} {
		if e.value == "" {
			return nil, p.newError(ErrMisconfigured, nil, "metadata has no %s", e.name)
		}
		if _, err := checkURL(e.value); err != nil {
			return nil, p.newError(ErrMisconfigured, err, "metadata %s", e.name)
		}
	}
	for _, e := range []struct {
		name  string
		value *string
	}{{"userinfo_endpoint", &md.UserinfoEndpoint}, {"end_session_endpoint", &md.EndSessionEndpoint}} {
		if *e.value != "" {
			if _, err := checkURL(*e.value); err != nil {
				return nil, p.newError(ErrMisconfigured, err, "metadata %s", e.name)
			}
		}
	}

	algs := []string{oidc.RS256} // the default when the provider does not say
	if len(md.SigningAlgs) > 0 {
		algs = nil
		for _, a := range md.SigningAlgs {
			if slices.Contains(acceptedAlgs, a) && !slices.Contains(algs, a) {
				algs = append(algs, a)
			}
		}
		if len(algs) == 0 {
			return nil, p.newError(ErrMisconfigured, nil,
				"provider signs ID tokens only with %s; accepted are %s",
				strings.Join(md.SigningAlgs, ", "), strings.Join(acceptedAlgs, ", "))
		}
	}

	keys := newKeySet(p, md.JWKSURI, algs)
	authMethod := p.tokenAuthMethod(md.AuthMethods)
	return &discovered{
		md:   md,
		algs: algs,
		keys: keys,
		verifier: oidc.NewVerifier(md.Issuer, keys, &oidc.Config{
			ClientID:             p.cfg.ClientID,
			SupportedSigningAlgs: algs,
			Now:                  p.cfg.Now,
		}),
		authMethod: authMethod,
	}, nil
}

// sameIssuer: the metadata issuer must be the configured one, give or take a
// single trailing slash (Auth0's issuer ends in "/", its URL users write not).
func sameIssuer(got, want string) bool {
	return got == want || got == want+"/" || got+"/" == want
}

// observe reports a fetch to cfg.OnFetch, when set.
func (p *Provider) observe(kind string, err error) {
	if p.cfg.OnFetch != nil {
		p.cfg.OnFetch(kind, err)
	}
}
