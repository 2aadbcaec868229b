package oidcauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/flow"
	"github.com/caddy-oidc-auth/oidcauth/internal/revocation"
)

// backchannelLogoutPath is where providers post logout tokens (OpenID
// Connect Back-Channel Logout 1.0); register
// https://<site>/auth/backchannel-logout as the client's
// backchannel_logout_uri.
const backchannelLogoutPath = "/auth/backchannel-logout"

// maxLogoutRequestBytes bounds the form a provider posts: a logout token is
// a few kilobytes at most.
const maxLogoutRequestBytes = 64 << 10

// serveBackchannelLogout answers a provider's back-channel logout: 200 once
// the sessions the token names are signed out on every Caddy that shares
// this storage, 400 for anything but a valid, fresh logout token.
func (m *OIDCAuth) serveBackchannelLogout(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		return writeLogoutError(w, http.StatusMethodNotAllowed, "send the logout_token in a POST form")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLogoutRequestBytes)
	if err := r.ParseForm(); err != nil {
		return writeLogoutError(w, http.StatusBadRequest, "the request body is not a readable form")
	}
	raw := r.PostForm.Get("logout_token")
	exp, err := logoutTokenShape(raw)
	if err != nil {
		m.logger.Info("back-channel logout refused", zap.String("reason", err.Error()))
		return writeLogoutError(w, http.StatusBadRequest, err.Error())
	}
	ctx, cancel := providerContext(r)
	defer cancel()
	name, lt, err := m.verifyLogoutToken(ctx, raw)
	if err != nil {
		if errors.Is(err, flow.ErrUnavailable) {
			m.logger.Warn("back-channel logout could not be verified now", zap.Error(err))
			w.Header().Set("Retry-After", "5")
			return writeLogoutError(w, http.StatusServiceUnavailable, "the provider's keys cannot be fetched right now")
		}
		m.logger.Info("back-channel logout refused", zap.Error(err))
		return writeLogoutError(w, http.StatusBadRequest, "the logout_token is not valid for any provider of this site")
	}
	log := m.logger.With(zap.String("provider", name), zap.String("sub", lt.Subject), zap.String("sid", lt.SID))
	// Keyed by issuer: a sign-out at that issuer ends its sessions on every
	// site of this storage, whatever name each site gives the provider.
	issuer := m.issuerKeys[name]

	now := time.Now()
	fresh, err := m.logoutJTIs.Claim(ctx, issuer, lt.JTI, jtiKeepUntil(exp, now, m.maxAge), now)
	if err != nil {
		log.Error("back-channel logout failed: storage", zap.Error(err))
		return writeLogoutError(w, http.StatusServiceUnavailable, "the sign-out could not be recorded")
	}
	if !fresh {
		log.Warn("back-channel logout refused: token replayed")
		return writeLogoutError(w, http.StatusBadRequest, "this logout_token was already used")
	}
	kind, id, at := revocation.BySID, lt.SID, now
	if lt.SID == "" {
		// Every session started before the token, and never one started
		// after it arrived, even if the provider's clock runs ahead.
		kind, id, at = revocation.BySub, lt.Subject, lt.IssuedAt
		if at.After(now) {
			at = now
		}
	}
	if err := m.revoked.Revoke(ctx, issuer, kind, id, at); err != nil {
		// Let the provider's retry through: it carries the same jti.
		m.logoutJTIs.Release(ctx, issuer, lt.JTI)
		log.Error("back-channel logout failed: storage", zap.Error(err))
		return writeLogoutError(w, http.StatusServiceUnavailable, "the sign-out could not be recorded")
	}
	log.Info("signed out by the provider (back-channel)", zap.String("by", kind))
	m.metrics.signOuts.WithLabelValues(name, "backchannel").Inc()
	w.WriteHeader(http.StatusOK)
	return nil
}

// verifyLogoutToken finds the configured provider that accepts raw. An
// unreachable provider makes the answer "try later" only when no other
// provider accepted the token.
func (m *OIDCAuth) verifyLogoutToken(ctx context.Context, raw string) (string, *flow.LogoutToken, error) {
	var unavailable, last error
	for _, name := range m.names {
		lt, err := m.providers[name].VerifyLogoutToken(ctx, raw)
		if err == nil {
			return name, lt, nil
		}
		if errors.Is(err, flow.ErrUnavailable) {
			unavailable = err
		}
		last = err
	}
	if unavailable != nil {
		return "", nil, unavailable
	}
	return "", nil, last
}

// logoutTokenShape refuses, without asking any provider, what cannot be a
// signed logout token (so bad input never waits on a provider or gets a
// 5xx), and reads its exp, which bounds how long its jti is remembered.
func logoutTokenShape(raw string) (exp time.Time, err error) {
	if raw == "" {
		return exp, errors.New("no logout_token in the form")
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || parts[2] == "" {
		return exp, errors.New("the logout_token is not a signed JWT")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if decodeSegment(parts[0], &header) != nil || header.Alg == "" || strings.EqualFold(header.Alg, "none") {
		return exp, errors.New("the logout_token is not a signed JWT")
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if decodeSegment(parts[1], &claims) != nil {
		return exp, errors.New("the logout_token's claims are not a JSON object")
	}
	if secs, err := claims.Exp.Float64(); err == nil {
		exp = time.Unix(int64(secs), 0)
	}
	return exp, nil
}

func decodeSegment(seg string, v any) error {
	data, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// jtiKeepUntil is how long a logout token's jti is remembered: until the
// token expires (a replay after that fails verification anyway), with
// room for clock skew, and never longer than a session lasts (replaying a
// sign-out after every session it could end has expired changes nothing).
func jtiKeepUntil(exp, now time.Time, maxAge time.Duration) time.Time {
	until := exp
	if until.Before(now) {
		until = now
	}
	until = until.Add(5 * time.Minute)
	if limit := now.Add(maxAge); until.After(limit) {
		until = limit
	}
	return until
}

// writeLogoutError answers as the spec allows: a JSON error object. The
// description never repeats the token.
func writeLogoutError(w http.ResponseWriter, status int, description string) error {
	code := "invalid_request"
	if status >= 500 {
		code = "temporarily_unavailable"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
	return nil
}
