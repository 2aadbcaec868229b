package devprovider

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// backchannelLogoutEvent is the event a logout token carries (OpenID Back-Channel Logout 1.0).
const backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// serveEndSession is RP-initiated logout: redirect to post_logout_redirect_uri (with state)
// when the client may receive it, else a "signed out" page.
func (p *Provider) serveEndSession(w http.ResponseWriter, r *http.Request, _ string) {
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	}
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, http.StatusBadRequest, "The sign-out request could not be read.")
		return
	}
	target := r.Form.Get("post_logout_redirect_uri")
	if frames := p.frontchannelFrames(r.Form.Get("id_token_hint")); len(frames) > 0 {
		// Front-channel logout: the clients' pages load in iframes; the
		// browser goes on to post_logout_redirect_uri (if allowed) after.
		next := ""
		if c, ok := p.clients[audienceOf(r.Form.Get("id_token_hint"))]; ok && target != "" && postLogoutAllowed(c, target) {
			next = target
		}
		renderFramed(w, frames, next)
		return
	}
	if target == "" {
		render(w, http.StatusOK, "signedout", nil)
		return
	}
	clientID := r.Form.Get("client_id")
	if clientID == "" {
		clientID = audienceOf(r.Form.Get("id_token_hint"))
	}
	client, ok := p.clients[clientID]
	if !ok {
		p.errorPage(w, http.StatusBadRequest, "post_logout_redirect_uri needs a known client_id or id_token_hint.")
		return
	}
	if !postLogoutAllowed(client, target) {
		p.errorPage(w, http.StatusBadRequest, "post_logout_redirect_uri "+quote(target)+" is not allowed for client "+quote(client.ID)+".")
		return
	}
	u, _ := url.Parse(target) // postLogoutAllowed parsed it
	if state := r.Form.Get("state"); state != "" {
		q := u.Query()
		q.Set("state", state)
		u.RawQuery = q.Encode()
	}
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// postLogoutAllowed: a URI on the origin of one of the client's redirect URIs, or with
// none registered, any loopback URI.
func postLogoutAllowed(c Client, target string) bool {
	if len(c.PostLogoutURIs) > 0 {
		return slices.Contains(c.PostLogoutURIs, target)
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	if len(c.RedirectURIs) == 0 {
		return isLoopback(u.Hostname())
	}
	for _, ru := range c.RedirectURIs {
		if r, err := url.Parse(ru); err == nil && r.Scheme == u.Scheme && strings.EqualFold(r.Host, u.Host) {
			return true
		}
	}
	return false
}

// audienceOf reads the aud of a token this provider issued, without verifying it: it only
// picks the client whose registered URIs then bound the redirect.
func audienceOf(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return ""
	}
	var one string
	if json.Unmarshal(c.Aud, &one) == nil {
		return one
	}
	var many []string
	if json.Unmarshal(c.Aud, &many) == nil && len(many) > 0 {
		return many[0]
	}
	return ""
}

// LogoutToken makes a back-channel logout token (OpenID Back-Channel Logout 1.0) for sub
// and/or sid, addressed to the first client and signed like ID tokens under the current
// Behavior. tweak, if not nil, edits the claims before signing (to break the token).
func (p *Provider) LogoutToken(sub, sid string, tweak func(claims map[string]any)) (string, error) {
	iss := p.Issuer()
	if iss == "" {
		return "", errors.New("devprovider: the issuer is not known yet (set Config.Issuer or call Start)")
	}
	if len(p.cfg.Clients) == 0 {
		return "", errors.New("devprovider: a logout token needs a client to address")
	}
	client := p.cfg.Clients[0]
	now := time.Now()
	claims := map[string]any{
		"iss":    iss,
		"aud":    client.ID,
		"iat":    now.Unix(),
		"exp":    now.Add(2 * time.Minute).Unix(),
		"jti":    randomToken(),
		"events": map[string]any{backchannelLogoutEvent: map[string]any{}},
	}
	if sub != "" {
		claims["sub"] = sub
	}
	if sid != "" {
		claims["sid"] = sid
	}
	if tweak != nil {
		tweak(claims)
	}
	return p.sign(p.behaviorNow(), claims, client.Secret, "logout+jwt")
}
