package devprovider

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// authRequest is a checked authorization request.
type authRequest struct {
	params      url.Values // as received, minus the sign-in form's own fields
	client      Client
	redirectURI string
	action      string // the path the sign-in form posts to
	iss         string // added to every response (RFC 9207) when Config.IssParameter
}

// serveAuthorize is the authorization endpoint. GET shows the sign-in form (or signs in at
// once with TrustLoginHint); POST is the form coming back.
func (p *Provider) serveAuthorize(w http.ResponseWriter, r *http.Request, issuer string) {
	var params url.Values
	switch r.Method {
	case http.MethodGet:
		params = r.URL.Query()
		p.recordAuthorize(params)
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			p.errorPage(w, http.StatusBadRequest, "The sign-in form could not be read.")
			return
		}
		params = cloneValues(r.PostForm)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	username, password := params.Get("username"), params.Get("password")
	namesUser := params.Has("username")
	params.Del("username")
	params.Del("password")

	// Without a trusted client and redirect URI there is nowhere safe to send an error.
	client, ok := p.clients[params.Get("client_id")]
	if !ok {
		p.errorPage(w, http.StatusBadRequest, "Unknown client_id "+quote(params.Get("client_id"))+".")
		return
	}
	redirectURI := params.Get("redirect_uri")
	if !redirectAllowed(client, redirectURI) {
		p.errorPage(w, http.StatusBadRequest, "redirect_uri "+quote(redirectURI)+" is not registered for client "+quote(client.ID)+".")
		return
	}
	req := authRequest{params: params, client: client, redirectURI: redirectURI, action: r.URL.Path}
	if p.cfg.IssParameter {
		req.iss = issuer
	}
	if code, desc := p.checkAuthRequest(params); code != "" {
		redirectError(w, r, req, code, desc)
		return
	}

	// A posted form names its user itself; only a request without one trusts the hint.
	if p.cfg.TrustLoginHint && !namesUser {
		if u, ok := p.userByHint(params.Get("login_hint")); ok {
			p.signIn(w, r, req, u)
			return
		}
	}
	if slices.Contains(strings.Fields(params.Get("prompt")), "none") {
		redirectError(w, r, req, "login_required", "the development provider keeps no sign-in session")
		return
	}
	if r.Method == http.MethodGet {
		p.loginPage(w, http.StatusOK, req, params.Get("login_hint"), "")
		return
	}
	u, ok := p.users[username]
	if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		p.loginPage(w, http.StatusUnauthorized, req, username, "Wrong username or password.")
		return
	}
	p.signIn(w, r, req, u)
}

// checkAuthRequest finds what makes params an invalid request, as an OAuth error code and
// description; "" when it is fine.
func (p *Provider) checkAuthRequest(params url.Values) (code, description string) {
	b := p.behaviorNow()
	if b.AuthorizeError != "" {
		return b.AuthorizeError, "the provider was told to fail (Behavior.AuthorizeError)"
	}
	if params.Get("response_type") != "code" {
		return "unsupported_response_type", "only response_type=code is supported"
	}
	if !slices.Contains(strings.Fields(params.Get("scope")), "openid") {
		return "invalid_scope", "scope must include openid"
	}
	challenge, method := params.Get("code_challenge"), params.Get("code_challenge_method")
	if method != "" && method != "S256" {
		return "invalid_request", "code_challenge_method must be S256"
	}
	if challenge == "" && method != "" {
		return "invalid_request", "code_challenge_method without code_challenge"
	}
	if challenge != "" && method == "" {
		return "invalid_request", "plain PKCE is not supported; use code_challenge_method=S256"
	}
	if b.RejectPrompt != "" && slices.Contains(strings.Fields(params.Get("prompt")), b.RejectPrompt) {
		return "invalid_request", "unsupported prompt value"
	}
	return "", ""
}

// signIn finishes a sign-in of u: a fresh session and code, and the redirect back.
func (p *Provider) signIn(w http.ResponseWriter, r *http.Request, req authRequest, u User) {
	sess := &session{
		clientID: req.client.ID,
		claims:   identity(u),
		scope:    req.params.Get("scope"),
		authTime: time.Now().Add(-p.behaviorNow().AuthTimeAge),
		maxAge:   req.params.Has("max_age"),
		sid:      randomToken(),
	}
	code := p.store.putCode(&codeGrant{
		session:     sess,
		redirectURI: req.redirectURI,
		nonce:       req.params.Get("nonce"),
		challenge:   req.params.Get("code_challenge"),
		expires:     time.Now().Add(codeTTL),
	})
	redirectBack(w, r, req, url.Values{"code": {code}})
}

func redirectError(w http.ResponseWriter, r *http.Request, req authRequest, code, description string) {
	redirectBack(w, r, req, url.Values{"error": {code}, "error_description": {description}})
}

// redirectBack sends the browser to the client's redirect URI with values and state (and
// iss, with Config.IssParameter), keeping the URI's own query.
func redirectBack(w http.ResponseWriter, r *http.Request, req authRequest, values url.Values) {
	u, err := url.Parse(req.redirectURI)
	if err != nil { // redirectAllowed parsed it already
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	q := u.Query()
	for k, vs := range values {
		q[k] = vs
	}
	if state := req.params.Get("state"); state != "" {
		q.Set("state", state)
	}
	if req.iss != "" {
		q.Set("iss", req.iss)
	}
	u.RawQuery = q.Encode()
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther // the browser follows with a GET
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), status)
}

// redirectAllowed: an exact registered URI, or with none registered any loopback URI.
func redirectAllowed(c Client, uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || uri == "" || u.Fragment != "" {
		return false
	}
	if len(c.RedirectURIs) > 0 {
		return slices.Contains(c.RedirectURIs, uri)
	}
	return (u.Scheme == "http" || u.Scheme == "https") && isLoopback(u.Hostname())
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func quote(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return `"` + s + `"`
}
