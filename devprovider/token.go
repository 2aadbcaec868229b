package devprovider

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"
)

// serveToken is the token endpoint: the authorization_code grant (PKCE S256 enforced when
// a challenge was sent) and the refresh_token grant (with rotation).
func (p *Provider) serveToken(w http.ResponseWriter, r *http.Request, issuer string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "the token endpoint takes POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the request body is not a form")
		return
	}
	client, status, desc := p.authenticateClient(r, issuer)
	if desc != "" {
		oauthError(w, status, "invalid_client", desc)
		return
	}
	var sess *session
	var nonce string
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		g, code, desc := redeemCode(p.store, r.PostForm, client)
		if code != "" {
			oauthError(w, http.StatusBadRequest, code, desc)
			return
		}
		sess, nonce = g.session, g.nonce
	case "refresh_token":
		s, ok := p.store.takeRefresh(r.PostForm.Get("refresh_token"))
		if !ok || s.clientID != client.ID {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or foreign refresh token")
			return
		}
		sess = s
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
		return
	}
	p.issueTokens(w, issuer, client, sess, nonce)
}

// authenticateClient checks client_secret_basic or client_secret_post credentials, or a
// client assertion (clientjwt.go); a client without a secret or keys needs only its
// client_id. On failure desc says why.
func (p *Provider) authenticateClient(r *http.Request, issuer string) (c Client, status int, desc string) {
	if r.PostForm.Has("client_assertion") || r.PostForm.Has("client_assertion_type") {
		return p.authenticateAssertion(r, issuer)
	}
	id, secret, method := "", "", ""
	if u, pw, ok := r.BasicAuth(); ok {
		// RFC 6749 2.3.1: both parts are form-encoded before Basic encoding.
		id, secret, method = formUnescape(u), formUnescape(pw), "client_secret_basic"
	} else if r.PostForm.Has("client_secret") {
		id, secret, method = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), "client_secret_post"
	} else {
		id, method = r.PostForm.Get("client_id"), "none"
	}
	c, ok := p.clients[id]
	if !ok {
		return Client{}, http.StatusUnauthorized, "unknown client"
	}
	if method == "none" && c.Secret == "" && !c.usesKeys() {
		p.clientAuth.note(method)
		return c, 0, ""
	}
	if method == "none" || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return Client{}, http.StatusUnauthorized, "wrong or missing client credentials"
	}
	if !p.behaviorNow().allowsAuthMethod(method) {
		return Client{}, http.StatusUnauthorized, method + " is not an allowed client authentication method"
	}
	p.clientAuth.note(method)
	return c, 0, ""
}

func formUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// redeemCode checks an authorization_code grant. The code is spent whatever the outcome.
func redeemCode(store *grantStore, form url.Values, client Client) (g *codeGrant, errCode, desc string) {
	g, ok := store.takeCode(form.Get("code"))
	if !ok {
		return nil, "invalid_grant", "unknown, used or expired code"
	}
	if g.clientID != client.ID {
		return nil, "invalid_grant", "the code was issued to another client"
	}
	if form.Get("redirect_uri") != g.redirectURI {
		return nil, "invalid_grant", "redirect_uri differs from the authorization request"
	}
	verifier := form.Get("code_verifier")
	switch {
	case g.challenge == "" && verifier != "":
		return nil, "invalid_grant", "code_verifier sent but the authorization request had no code_challenge"
	case g.challenge != "" && verifier == "":
		return nil, "invalid_grant", "code_verifier is required (PKCE)"
	case g.challenge != "" && !pkceMatches(verifier, g.challenge):
		return nil, "invalid_grant", "code_verifier does not match code_challenge"
	}
	return g, "", ""
}

func pkceMatches(verifier, challenge string) bool {
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// issueTokens answers a fresh ID token, access token and (rotated) refresh token.
func (p *Provider) issueTokens(w http.ResponseWriter, issuer string, client Client, sess *session, nonce string) {
	b := p.behaviorNow()
	now := time.Now()
	idToken, err := p.sign(b, p.idTokenClaims(b, issuer, sess, nonce, now), client.Secret, "JWT")
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	access := p.store.putAccess(&accessGrant{session: sess, expires: now.Add(p.cfg.TokenTTL)})
	refresh := p.store.putRefresh(sess)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":  access,
		"token_type":    "Bearer",
		"expires_in":    int64(p.cfg.TokenTTL / time.Second),
		"id_token":      idToken,
		"refresh_token": refresh,
		"scope":         sess.scope,
	})
}

// idTokenClaims: the protocol claims, plus the user's claims the scope allows.
func (p *Provider) idTokenClaims(b *Behavior, issuer string, sess *session, nonce string, now time.Time) map[string]any {
	var c map[string]any
	if b.MinimalIDToken {
		c = map[string]any{"sub": sess.claims["sub"]}
	} else {
		c = releasedClaims(sess.claims, sess.scope)
		c["sid"] = sess.sid
	}
	// OpenID Connect Core 3.1.2.1: auth_time is required when max_age was asked for.
	if (!b.MinimalIDToken || sess.maxAge) && !b.OmitAuthTime {
		c["auth_time"] = sess.authTime.Unix()
	}
	c["iss"] = issuer
	c["aud"] = sess.clientID
	c["iat"] = now.Unix()
	c["exp"] = now.Add(p.cfg.TokenTTL).Unix()
	if nonce != "" {
		c["nonce"] = nonce
	}
	if b.TamperClaims != nil {
		b.TamperClaims(c)
	}
	return c
}
