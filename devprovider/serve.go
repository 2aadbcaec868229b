package devprovider

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// Routes, relative to the issuer's path.
const (
	routeDiscovery  = "/.well-known/openid-configuration"
	routeAuthorize  = "/authorize"
	routeToken      = "/token"
	routeUserinfo   = "/userinfo"
	routeJWKS       = "/jwks"
	routeEndSession = "/end_session"
)

// ServeHTTP serves the provider's endpoints under the issuer's path. It works behind
// Start's server, httptest, or any mux.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	issuer := p.issuerFor(r)
	route, ok := p.route(issuer, r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	var handle func(http.ResponseWriter, *http.Request, string)
	var count *atomic.Int64
	switch route {
	case routeDiscovery:
		handle, count = p.serveDiscovery, &p.counts.discovery
	case routeAuthorize:
		handle, count = p.serveAuthorize, &p.counts.authorize
	case routeToken:
		handle, count = p.serveToken, &p.counts.token
	case routeUserinfo:
		handle, count = p.serveUserinfo, &p.counts.userinfo
	case routeJWKS:
		handle, count = p.serveJWKS, &p.counts.jwks
	case routeEndSession:
		handle, count = p.serveEndSession, &p.counts.endSession
	default:
		http.NotFound(w, r)
		return
	}
	count.Add(1)
	if !p.behaviorNow().gate(w, r) {
		return
	}
	handle(w, r, issuer)
}

// route strips the issuer's path (e.g. "/realms/dev") from path.
func (p *Provider) route(issuer, path string) (string, bool) {
	u, err := url.Parse(issuer)
	if err != nil {
		return "", false
	}
	base := strings.TrimSuffix(u.Path, "/")
	if !strings.HasPrefix(path, base+"/") {
		return "", false
	}
	return path[len(base):], true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthError answers an OAuth 2.0 error response (RFC 6749 5.2).
func oauthError(w http.ResponseWriter, status int, code, description string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="devprovider"`)
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}
