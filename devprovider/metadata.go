package devprovider

import (
	"net/http"
)

// serveDiscovery answers the OpenID Provider Metadata (OpenID Connect Discovery 1.0).
func (p *Provider) serveDiscovery(w http.ResponseWriter, r *http.Request, issuer string) {
	b := p.behaviorNow()
	if b.GarbageMetadata {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer": "` + issuer + `", this is not JSON`))
		return
	}
	advertised := issuer
	if b.MetadataIssuer != "" {
		advertised = b.MetadataIssuer
	}
	md := map[string]any{
		"issuer":                                           advertised,
		"authorization_endpoint":                           endpoint(issuer, routeAuthorize),
		"token_endpoint":                                   endpoint(issuer, routeToken),
		"userinfo_endpoint":                                endpoint(issuer, routeUserinfo),
		"jwks_uri":                                         endpoint(issuer, routeJWKS),
		"response_types_supported":                         []string{"code"},
		"response_modes_supported":                         []string{"query"},
		"grant_types_supported":                            []string{"authorization_code", "refresh_token"},
		"subject_types_supported":                          []string{"public"},
		"id_token_signing_alg_values_supported":            []string{"RS256", "ES256"},
		"code_challenge_methods_supported":                 []string{"S256"},
		"scopes_supported":                                 []string{"openid", "profile", "email", "phone", "address", "groups", "offline_access"},
		"claims_supported":                                 claimsSupported(),
		"token_endpoint_auth_methods_supported":            b.authMethods(),
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS256", "PS256", "ES256", "ES384", "ES512", "HS256"},
		"backchannel_logout_supported":                     true,
		"backchannel_logout_session_supported":             true,
	}
	if !b.NoEndSession {
		md["end_session_endpoint"] = endpoint(issuer, routeEndSession)
	}
	if p.cfg.IssParameter {
		md["authorization_response_iss_parameter_supported"] = true
	}
	if len(b.PromptValuesSupported) > 0 {
		md["prompt_values_supported"] = b.PromptValuesSupported
	}
	writeJSON(w, http.StatusOK, md)
}

func claimsSupported() []string {
	out := []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "groups"}
	for _, scope := range []string{"profile", "email", "phone", "address"} {
		out = append(out, scopeClaims[scope]...)
	}
	return out
}
