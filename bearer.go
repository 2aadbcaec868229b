package oidcauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/flow"
)

// BearerConfig lets API clients and scripts in with "Authorization: Bearer
// <JWT>": an ID token or an RFC 9068 access token issued by one of the
// configured providers, checked against that provider's published keys.
type BearerConfig struct {
	// The audiences a token's aud must hold one of. Default: the client_id
	// of the provider that issued it.
	Audiences []string `json:"audiences,omitempty"`
}

// bearerVar is the request variable under which the first oidc_auth handler
// of a chain leaves the bearer token it took (having removed the header),
// for the later handlers to check with their own settings.
const bearerVar = "oidc_auth.bearer"

// bearerEntry's String prints nothing, so {http.vars.*} never shows a token.
func (*bearerEntry) String() string { return "" }

// provisionBearer sets up what bearer tokens need: the cache, and the realm
// every 401's challenge names (the site's host).
func (m *OIDCAuth) provisionBearer() error {
	redirect, _ := url.Parse(m.RedirectURI)
	m.realm = redirect.Host
	if m.Bearer == nil {
		return nil
	}
	for _, a := range m.Bearer.Audiences {
		if strings.TrimSpace(a) == "" {
			return errors.New("bearer: an audience is empty (list the aud values to accept, or none for the client_id)")
		}
	}
	m.bearers = newBearerCache(bearerCacheEntries, bearerCacheBytes)
	return nil
}

// bearerCredential is the bearer token r carries for this handler: from an
// earlier handler of the chain (which took it), or, when this handler
// accepts bearer tokens, from the Authorization header. malformed reports
// an Authorization header that names Bearer but cannot be used (no token,
// or several Authorization headers).
func (m *OIDCAuth) bearerCredential(r *http.Request, vars requestVars) (raw string, found, malformed bool) {
	if e, ok := vars[bearerVar].(*bearerEntry); ok {
		return e.sess.AccessToken, true, false
	}
	if m.Bearer == nil {
		return "", false, false
	}
	values := r.Header["Authorization"]
	for i, v := range values {
		scheme, token, _ := strings.Cut(v, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			continue
		}
		token = strings.TrimSpace(token)
		return token, true, token == "" || len(values) > 1 || i > 0
	}
	return "", false, false
}

// serveBearer answers a request that carries a bearer token. The token wins
// over any cookie: the identity cookies are ignored and stripped, no
// session is read or refreshed, and nothing here sets a cookie or
// redirects. The Authorization header goes on to the next handlers only
// with expose_tokens access (an upstream holding a user's token could call
// every API that token opens).
func (m *OIDCAuth) serveBearer(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler, vars requestVars, raw string, malformed bool) error {
	m.jar.StripCookies(r)
	if !m.exposeAccess {
		r.Header.Del("Authorization")
	}
	repl, _ := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer)
	if m.Bearer == nil {
		// An earlier handler of the chain took the token; this one accepts none.
		m.mapUser(repl, nil)
		m.metrics.checkAnonymous.Inc()
		return m.unauthorized(w, "bearer tokens are not accepted here")
	}
	if malformed {
		m.mapUser(repl, nil)
		m.metrics.checkAnonymous.Inc()
		return m.bearerChallenge(w, http.StatusBadRequest, "invalid_request", "send one Authorization header with one bearer token")
	}
	e, err := m.bearerEntryFor(r.Context(), raw)
	if err != nil {
		m.mapUser(repl, nil)
		m.metrics.checkAnonymous.Inc()
		return m.refuseToken(w, err)
	}
	vars.set(bearerVar, e) // a pointer: no allocation
	m.mapUser(repl, e.sess)
	if !m.Allow.Admits(e.sess.Provider, e.sess.Claim) {
		m.metrics.checkRefused.Inc()
		m.logger.Info("bearer token's user not admitted", zap.String("provider", e.sess.Provider), zap.String("sub", e.sess.Subject))
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+m.realm+`", error="insufficient_scope"`)
		return plainText(w, http.StatusForbidden, "403 Forbidden: this account may not access this resource\n")
	}
	m.metrics.checkSignedIn.Inc()
	return next.ServeHTTP(w, r)
}

func (m *OIDCAuth) mapUser(repl *caddy.Replacer, sess *cookie.Session) {
	if repl != nil {
		repl.Map(m.placeholders(sess))
	}
}

// bearerEntryFor is the verified token raw: remembered, or checked now by
// the provider whose issuer it names, and remembered until its exp. A
// remembered token is still refused once expired, or when the provider
// signed its user or session out (back-channel logout).
func (m *OIDCAuth) bearerEntryFor(ctx context.Context, raw string) (*bearerEntry, error) {
	now := time.Now()
	e := m.bearers.get(raw, now)
	if e == nil {
		var err error
		if e, err = m.verifyBearer(ctx, raw); err != nil {
			return nil, err
		}
		m.bearers.put(e.sess.AccessToken, e, now)
	}
	if m.revoked != nil && m.revoked.IsRevoked(m.issuerKeys[e.provider], e.sess.SID, e.sess.Subject, e.sess.Created) {
		return nil, &flow.BearerRefusal{Reason: "the provider signed this user out"}
	}
	return e, nil
}

// verifyBearer checks raw with the providers whose issuer it names (the
// name alone is not trusted: each checks the signature and the exact iss).
func (m *OIDCAuth) verifyBearer(ctx context.Context, raw string) (*bearerEntry, error) {
	iss, ok := flow.PeekIssuer(raw)
	if !ok {
		return nil, &flow.BearerRefusal{Reason: "the token is not a JWT"}
	}
	var err error = &flow.BearerRefusal{Reason: "the token was issued by an issuer this site does not accept"}
	for _, name := range m.names {
		p := m.providers[name]
		if strings.TrimSuffix(p.Issuer(), "/") != strings.TrimSuffix(iss, "/") {
			continue
		}
		var bt *flow.BearerToken
		if bt, err = p.VerifyBearer(ctx, raw, m.Bearer.Audiences); err == nil {
			claims, cerr := cookie.ClaimsFromJSON(bt.Claims)
			if cerr != nil {
				return nil, &flow.BearerRefusal{Reason: "the token's claims are not a JSON object"}
			}
			raw = strings.Clone(raw) // kept: not the request's header memory
			return &bearerEntry{provider: name, expires: bt.Expiry, sess: &cookie.Session{
				Provider: name, Subject: bt.Subject, Claims: claims, SID: bt.SID,
				Created: bt.IssuedAt, Expires: bt.Expiry, AccessToken: raw,
			}}, nil
		}
		if !errors.Is(err, flow.ErrInvalidToken) {
			return nil, err // the provider could not be asked: not the token's fault
		}
	}
	return nil, err
}

// refuseToken answers a token that was not accepted: 401 invalid_token
// (RFC 6750 section 3.1) with a description that never quotes the token,
// or 503 when the provider's keys could not be had.
func (m *OIDCAuth) refuseToken(w http.ResponseWriter, err error) error {
	var refusal *flow.BearerRefusal
	if !errors.As(err, &refusal) {
		m.logger.Warn("cannot check a bearer token", zap.Error(err))
		w.Header().Set("Retry-After", "5")
		return plainText(w, http.StatusServiceUnavailable, "503 Service Unavailable: the identity provider cannot be reached to check the token\n")
	}
	m.logger.Debug("bearer token refused", zap.String("reason", refusal.Reason))
	return m.bearerChallenge(w, http.StatusUnauthorized, "invalid_token", refusal.Reason)
}

// bearerChallenge answers status with RFC 6750's challenge for errCode.
// desc is one of our fixed phrases, free of quotes and backslashes.
func (m *OIDCAuth) bearerChallenge(w http.ResponseWriter, status int, errCode, desc string) error {
	w.Header().Set("WWW-Authenticate", `Bearer realm="`+m.realm+`", error="`+errCode+`", error_description="`+desc+`"`)
	return plainText(w, status, http.StatusText(status)+": "+desc+"\n")
}

// unauthorized answers 401 with a challenge for every credential this
// handler accepts: a bearer token (when bearer is on), and the identity
// cookie that signing in at the login route sets, as the Cookie scheme of
// draft-broyer-http-cookie-auth writes it (no registered scheme says "sign
// in with a browser").
func (m *OIDCAuth) unauthorized(w http.ResponseWriter, why string) error {
	if m.Bearer != nil {
		w.Header().Add("WWW-Authenticate", `Bearer realm="`+m.realm+`"`)
	}
	w.Header().Add("WWW-Authenticate", `Cookie realm="`+m.realm+`", form-action="`+loginPath+`"`)
	return plainText(w, http.StatusUnauthorized, "401 Unauthorized: "+why+"\n")
}

func plainText(w http.ResponseWriter, status int, body string) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
	return nil
}
