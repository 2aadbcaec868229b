package devprovider

import (
	"net/http"
	"strings"
)

// serveUserinfo answers the signed-in user's claims that the scope allows, for a Bearer
// access token (header, or access_token in a POST form as RFC 6750 allows).
func (p *Provider) serveUserinfo(w http.ResponseWriter, r *http.Request, _ string) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	}
	tok := bearerToken(r)
	g, ok := p.store.lookupAccess(tok)
	if tok == "" || !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "missing, unknown or expired access token"})
		return
	}
	claims := releasedClaims(g.claims, g.scope)
	if sub := p.behaviorNow().UserinfoSub; sub != "" {
		claims["sub"] = sub
	}
	writeJSON(w, http.StatusOK, claims)
}

func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(tok)
	}
	if r.Method == http.MethodPost {
		return r.PostFormValue("access_token")
	}
	return ""
}
