package oidcauth

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/http"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/internal/recent"
)

// idle_timeout: a sign-in also ends after this long without a request
// (sliding expiration). The session records when its cookie was last
// written (cookie.Session.Renewed, sealed); the jar ends it idle_timeout
// after that, in the seal, in Max-Age and when read. A request renews the
// cookie only once a quarter of the window has passed since, so a user is
// signed out between 3/4 and 1 idle_timeout after their last request, and
// a busy page costs one Set-Cookie per quarter window, not one per request.

// minIdleTimeout is the shortest idle_timeout accepted: below it, a page
// that loads for a few seconds could outlive its own sign-in.
const minIdleTimeout = 5 * time.Second

// renewShare: a request renews the cookie once 1/renewShare of the idle
// window has passed since its last renewal.
const renewShare = 4

// maxRenewalMemory bounds how long a renewal is remembered for the cookie it
// replaced: long enough for a burst of requests that left the browser
// before the new cookie arrived, which then renew nothing.
const maxRenewalMemory = 10 * time.Second

// idleOptions checks idle_timeout and prepares what renewals share.
func (m *OIDCAuth) idleOptions() error {
	m.idle = time.Duration(m.IdleTimeout)
	switch {
	case m.idle == 0:
		return nil
	case m.idle < minIdleTimeout:
		return fmt.Errorf("idle_timeout %v is too short: at least %v (a page still loading would lose its sign-in)", m.idle, minIdleTimeout)
	case m.idle > m.maxAge:
		return fmt.Errorf("idle_timeout %v is longer than cookie_max_age %v, so it would never end a sign-in: make it shorter, or leave it out", m.idle, m.maxAge)
	}
	m.renewals = recent.New(4096, min(m.idle/renewShare, maxRenewalMemory))
	return nil
}

// maybeRenew renews sess's cookie when a quarter of the idle window has
// passed since its last renewal: a new Set-Cookie with a later idle
// deadline and the same Expires. Of the requests that carry one cookie at
// once, only the first renews it. It returns the session to use.
func (m *OIDCAuth) maybeRenew(w http.ResponseWriter, r *http.Request, sess *cookie.Session) *cookie.Session {
	if m.idle == 0 || sess == nil {
		return sess
	}
	now := time.Now()
	if now.Sub(sess.Renewed) < m.idle/renewShare {
		return sess
	}
	if !m.renewals.Add(renewalKey(sess), now) {
		return sess // another request renewed this very cookie a moment ago
	}
	renewed := renewedAt(sess, now)
	if err := m.jar.WriteSession(w, r, renewed); err != nil {
		// Its Expires is less than a second away (or the cookie no longer
		// fits): the session ends as it would have anyway.
		return sess
	}
	return renewed
}

// renewedAt is a copy of s renewed at now: a refresh or a renewal. A copy,
// because s may be shared with other requests (refresh.go).
func renewedAt(s *cookie.Session, now time.Time) *cookie.Session {
	cp := *s
	cp.Renewed = now
	return &cp
}

// renewalKey names one cookie of one session: its sign-in and its last
// renewal. Hashed, so the set holds no user identifier.
func renewalKey(s *cookie.Session) string {
	h := sha256.New()
	for _, v := range []string{s.Provider, s.Subject, s.SID} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	var t [16]byte
	binary.BigEndian.PutUint64(t[:8], uint64(s.Created.Unix()))
	binary.BigEndian.PutUint64(t[8:], uint64(s.Renewed.UnixMilli()))
	h.Write(t[:])
	return string(h.Sum(nil)[:16])
}

// durationArg reads the one duration argument of a Caddyfile key into *dst.
func durationArg(d *caddyfile.Dispenser, key string, dst *caddy.Duration) error {
	var v string
	if err := oneArg(d, &v); err != nil {
		return err
	}
	dur, err := caddy.ParseDuration(v)
	if err != nil {
		return d.Errf("%s %q: %v (use a duration such as 15m or 8h)", key, v, err)
	}
	*dst = caddy.Duration(dur)
	return nil
}
