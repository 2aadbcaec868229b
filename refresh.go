package oidcauth

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/flow"
)

// refreshSkew is how long before the tokens expire a session is refreshed,
// so a request never carries a token that expires on its way.
const refreshSkew = 10 * time.Second

// refreshGrace is how long the outcome of a refresh is remembered for the
// refresh token it used. Requests that left the browser before the new
// cookie arrived carry the old token; with single-use (rotated) refresh
// tokens a second refresh would be refused and sign the user out.
const refreshGrace = time.Minute

// refresher runs at most one refresh per refresh token at a time, and hands
// its outcome to every request that carries that token for a while.
type refresher struct {
	calls singleflight.Group

	mu       sync.Mutex
	outcomes map[string]refreshOutcome // by refresh token, within their grace
}

type refreshOutcome struct {
	sess *cookie.Session // the refreshed session, nil when refused
	err  error
	at   time.Time
}

// errRefreshPanicked stands for a refresh that panicked: the session is kept
// while its tokens are valid, and the next request tries again.
var errRefreshPanicked = errors.New("session refresh failed: internal error")

func newRefresher() *refresher { return &refresher{outcomes: map[string]refreshOutcome{}} }

// do runs fn once for key, or joins the call already running or recently
// finished for it. A caller waits no longer than ctx allows; the refresh
// goes on for the others. A panic in fn is an error, and is not remembered.
func (rf *refresher) do(ctx context.Context, key string, now time.Time, fn func() (*cookie.Session, error)) (*cookie.Session, error) {
	if o, ok := rf.recent(key, now); ok {
		return o.sess, o.err
	}
	ch := rf.calls.DoChan(key, func() (v any, err error) {
		defer func() {
			if recover() != nil {
				v, err = nil, errRefreshPanicked
			}
		}()
		// A call for key may have ended since this caller looked.
		if o, ok := rf.recent(key, time.Now()); ok {
			return o.sess, o.err
		}
		sess, err := fn()
		if !errors.Is(err, errRefreshAbandoned) {
			rf.mu.Lock()
			rf.outcomes[key] = refreshOutcome{sess: sess, err: err, at: time.Now()}
			rf.mu.Unlock()
		}
		return sess, err
	})
	select {
	case r := <-ch:
		sess, _ := r.Val.(*cookie.Session)
		return sess, r.Err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// recent is the outcome remembered for key, if still within its grace. It
// forgets outcomes past their grace, so the map stays small and an old
// cookie is not renewed long after its refresh token was spent.
func (rf *refresher) recent(key string, now time.Time) (refreshOutcome, bool) {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	for k, o := range rf.outcomes {
		if now.Sub(o.at) > refreshGrace {
			delete(rf.outcomes, k)
		}
	}
	o, ok := rf.outcomes[key]
	return o, ok
}

// keepsRefreshToken: the refresh token is worth keeping (and its cookie
// bytes) only when the session follows the tokens' lifetime or the access
// token is exposed and must stay fresh.
func (m *OIDCAuth) keepsRefreshToken() bool { return m.ExpireWithToken || m.exposeAccess }

// tokenDeadline is when the session's tokens need refreshing: the ID token's
// expiry when the session follows it, the access token's when it is exposed.
func (m *OIDCAuth) tokenDeadline(id *flow.Identity) time.Time {
	var t time.Time
	if m.ExpireWithToken {
		t = id.IDTokenExpiry
	}
	if m.exposeAccess && !id.TokenExpiry.IsZero() && (t.IsZero() || id.TokenExpiry.Before(t)) {
		t = id.TokenExpiry
	}
	return t
}

// maybeRefresh renews sess when its tokens are about to expire and it holds
// a refresh token. It returns the session to use: the same, a refreshed one
// (whose cookie it has set on w), or nil when the provider refused the
// refresh (the cookies are cleared: signed out).
func (m *OIDCAuth) maybeRefresh(w http.ResponseWriter, r *http.Request, sess *cookie.Session) *cookie.Session {
	if sess == nil || sess.RefreshToken == "" || sess.TokenExpiry.IsZero() {
		return sess
	}
	now := time.Now()
	if now.Before(sess.TokenExpiry.Add(-refreshSkew)) {
		return sess
	}
	fresh, err := m.refreshes.do(r.Context(), sess.RefreshToken, now, func() (*cookie.Session, error) {
		// Once per process; once per site across instances (sharedrefresh.go).
		return m.sharedRefreshes.do(r.Context(), sess, func() (*cookie.Session, error) {
			return m.refresh(sess)
		})
	})
	switch {
	case err == nil:
		fresh = renewedAt(fresh, now) // a refresh is activity: the idle window starts again
		if werr := m.jar.WriteSession(w, r, fresh); werr != nil {
			m.logger.Warn("refreshed session does not fit in cookies", zap.String("provider", sess.Provider), zap.String("sub", sess.Subject))
		}
		return fresh
	case errors.Is(err, flow.ErrRefreshRefused) || errors.Is(err, flow.ErrInvalidToken):
		m.logger.Info("signed out: the provider refused the refresh", zap.String("provider", sess.Provider), zap.String("sub", sess.Subject))
		m.metrics.signOuts.WithLabelValues(sess.Provider, "refresh_refused").Inc()
		m.jar.ClearSession(w, r)
		return nil
	default:
		// The provider cannot be reached: keep the session while its tokens
		// are still valid, end it once they are not.
		m.logger.Warn("session refresh failed", zap.String("provider", sess.Provider), zap.Error(err))
		if now.Before(sess.TokenExpiry) {
			return sess
		}
		return nil
	}
}

// refresh runs the refresh_token grant and builds the renewed session.
func (m *OIDCAuth) refresh(sess *cookie.Session) (*cookie.Session, error) {
	// Detached from the request (others may be waiting for this refresh),
	// but not from the handler: Cleanup ends its life. It carries none of
	// the request's values, as providerContext explains.
	ctx, cancel := context.WithTimeout(m.life, providerTimeout)
	defer cancel()
	id, err := m.providers[sess.Provider].Refresh(ctx, sess.RefreshToken)
	if err != nil {
		return nil, err
	}
	fresh := *sess
	if id.IDToken != "" {
		if id.Subject != sess.Subject {
			return nil, errors.Join(flow.ErrInvalidToken, errors.New("refreshed ID token names another user"))
		}
		claims, err := m.keptClaims(sess.Provider, id)
		if err != nil {
			return nil, err
		}
		fresh.Claims = claims
		fresh.IDToken = id.IDToken
	}
	if m.exposeAccess {
		fresh.AccessToken = id.AccessToken
	}
	if id.IDTokenExpiry.IsZero() && m.ExpireWithToken {
		// No new ID token: the access token's lifetime is the best guide.
		id.IDTokenExpiry = id.TokenExpiry
	}
	fresh.RefreshToken = id.RefreshToken
	fresh.TokenExpiry = m.tokenDeadline(id)
	m.logger.Info("session refreshed", zap.String("provider", sess.Provider), zap.String("sub", sess.Subject))
	return &fresh, nil
}
