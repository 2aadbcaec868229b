package oidcauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/flow"
)

// Several Caddy instances of one site, on one storage, refresh a session
// once between them: a provider that rotates refresh tokens refuses the
// second use of one, which would sign the user out at random. The instance
// that takes the storage lock for a refresh token refreshes and keeps the
// outcome, sealed, for the grace window; the others wait for the lock and
// read it.
//
// Storage layout: oidc_auth/refresh/<minute>/<hash>, where <minute> is
// when the outcome was stored (Unix time / refreshGrace), so whole minutes
// are deleted at once, and <hash> is a hash of the refresh token, never the
// token. The lock is oidc_auth_refresh_<hash>.
const sharedRefreshPrefix = "oidc_auth/refresh"

const (
	// storageTimeout bounds one Load, Store or Delete on a user's request.
	storageTimeout = 3 * time.Second
	// refreshLockWait bounds the wait for another instance's refresh: the
	// longest a refresh at the provider takes, and some.
	refreshLockWait = providerTimeout + 5*time.Second
	// storageBackoff: after the storage failed, refreshes stay local this
	// long, so users do not wait for a storage that is down on every one.
	storageBackoff = 10 * time.Second
	// maxSweepDeletes bounds the clean-up work of one sweep.
	maxSweepDeletes = 16
)

// errRefreshAbandoned: the request went away while waiting for another
// instance's refresh. The session is kept while its tokens are valid and
// the next request tries again; this outcome is not remembered.
var errRefreshAbandoned = errors.New("session refresh abandoned: the request ended while another instance refreshed")

// sharedRefreshes shares refresh outcomes through Caddy's storage. A nil
// *sharedRefreshes (no storage) refreshes in this process only.
type sharedRefreshes struct {
	storage   certmagic.Storage
	jar       *cookie.Jar
	logger    *zap.Logger
	life      context.Context // the handler's: bounds writes that outlive a request
	timeout   time.Duration   // storageTimeout, shorter in tests
	downUntil atomic.Int64    // Unix nanoseconds; storage skipped before
	nextSweep atomic.Int64    // Unix nanoseconds
}

func newSharedRefreshes(storage certmagic.Storage, jar *cookie.Jar, logger *zap.Logger, life context.Context) *sharedRefreshes {
	if storage == nil {
		return nil
	}
	return &sharedRefreshes{storage: storage, jar: jar, logger: logger, life: life, timeout: storageTimeout}
}

// refreshID names a refresh token in storage: a hash, so that storage
// readers cannot use the token, and a lookup needs the token itself.
func refreshID(refreshToken string) string {
	h := sha256.Sum256([]byte("oidc_auth refresh outcome\x00" + refreshToken))
	return hex.EncodeToString(h[:])
}

func refreshBucket(t time.Time) int64 { return t.Unix() / int64(refreshGrace/time.Second) }

func refreshKey(bucket int64, id string) string {
	return path.Join(sharedRefreshPrefix, strconv.FormatInt(bucket, 10), id)
}

// do returns the outcome of refreshing sess across every instance on the
// storage: one kept by another instance within the grace window, or that
// of refresh, run while holding the storage lock for this refresh token.
// When the storage fails, refresh runs anyway (this process only).
func (s *sharedRefreshes) do(ctx context.Context, sess *cookie.Session, refresh func() (*cookie.Session, error)) (*cookie.Session, error) {
	if s == nil || time.Now().UnixNano() < s.downUntil.Load() {
		return refresh()
	}
	id := refreshID(sess.RefreshToken)
	if o, found, serr := s.load(ctx, id, sess); serr != nil {
		return s.fallback(ctx, serr, refresh)
	} else if found {
		return o.sess, o.err
	}

	lock := "oidc_auth_refresh_" + id
	lctx, cancel := context.WithTimeout(ctx, refreshLockWait)
	err := s.storage.Lock(lctx, lock)
	cancel()
	if err != nil {
		return s.fallback(ctx, err, refresh)
	}
	defer func() {
		uctx, cancel := s.detached()
		defer cancel()
		if err := s.storage.Unlock(uctx, lock); err != nil {
			s.logger.Warn("could not release the shared refresh lock", zap.Error(err))
		}
	}()
	// The instance that held the lock may have kept its outcome meanwhile.
	if o, found, serr := s.load(ctx, id, sess); serr != nil {
		return s.fallback(ctx, serr, refresh)
	} else if found {
		return o.sess, o.err
	}
	fresh, err := refresh()
	if err == nil || refused(err) {
		s.keep(id, fresh)
	}
	return fresh, err
}

func refused(err error) bool {
	return errors.Is(err, flow.ErrRefreshRefused) || errors.Is(err, flow.ErrInvalidToken)
}

// load reads the outcome another instance kept for id, in this minute's or
// the last one's folder. found says there was one: a session, or a refusal.
// serr is a storage failure.
func (s *sharedRefreshes) load(ctx context.Context, id string, sess *cookie.Session) (o refreshOutcome, found bool, serr error) {
	now := time.Now()
	for _, bucket := range []int64{refreshBucket(now), refreshBucket(now) - 1} {
		lctx, cancel := context.WithTimeout(ctx, s.timeout)
		data, lerr := s.storage.Load(lctx, refreshKey(bucket, id))
		cancel()
		if errors.Is(lerr, fs.ErrNotExist) {
			continue
		}
		if lerr != nil {
			return o, false, lerr
		}
		fresh, oerr := s.jar.OpenStored(id, string(data), now)
		if oerr != nil || (fresh != nil && (fresh.Provider != sess.Provider || fresh.Subject != sess.Subject)) {
			// Expired, sealed with another secret, or tampered with: as
			// if there were none.
			continue
		}
		if fresh == nil {
			return refreshOutcome{err: fmt.Errorf("%w (by the provider, to another instance of this site)", flow.ErrRefreshRefused)}, true, nil
		}
		return refreshOutcome{sess: fresh}, true, nil
	}
	return o, false, nil
}

// keep stores the outcome of a refresh (nil: refused) for the grace window.
// The refresh token is spent by now: the write goes on if this request's
// client leaves (bounded by storageTimeout and the handler's life), or the
// other instances would try the spent token.
func (s *sharedRefreshes) keep(id string, fresh *cookie.Session) {
	now := time.Now()
	value, err := s.jar.SealStored(id, fresh, now.Add(refreshGrace))
	if err != nil {
		return
	}
	sctx, cancel := s.detached()
	defer cancel()
	if err := s.storage.Store(sctx, refreshKey(refreshBucket(now), id), []byte(value)); err != nil {
		s.markDown(err)
		return
	}
	s.sweep(sctx, now)
}

// sweep deletes the folders of minutes past the grace window, at most once
// a grace window per process and a few folders at a time.
func (s *sharedRefreshes) sweep(ctx context.Context, now time.Time) {
	next := s.nextSweep.Load()
	if now.UnixNano() < next || !s.nextSweep.CompareAndSwap(next, now.Add(refreshGrace).UnixNano()) {
		return
	}
	keys, err := s.storage.List(ctx, sharedRefreshPrefix, false)
	if err != nil {
		return
	}
	deleted := 0
	for _, k := range keys {
		bucket, err := strconv.ParseInt(path.Base(k), 10, 64)
		if err != nil || bucket >= refreshBucket(now)-1 {
			continue
		}
		if deleted == maxSweepDeletes {
			s.nextSweep.Store(0) // more to do: again on the next refresh
			return
		}
		_ = s.storage.Delete(ctx, path.Join(sharedRefreshPrefix, strconv.FormatInt(bucket, 10)))
		deleted++
	}
}

// detached is a context with a deadline of storageTimeout, not ended by the
// request's end but by the handler's (Cleanup), and holding none of the
// request's values (see providerContext).
func (s *sharedRefreshes) detached() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.life, s.timeout)
}

// fallback refreshes in this process after the storage failed, and skips
// the storage for a while. A request that ended meanwhile refreshes nothing.
func (s *sharedRefreshes) fallback(ctx context.Context, err error, refresh func() (*cookie.Session, error)) (*cookie.Session, error) {
	if ctx.Err() != nil {
		return nil, errors.Join(errRefreshAbandoned, ctx.Err())
	}
	s.markDown(err)
	return refresh()
}

func (s *sharedRefreshes) markDown(err error) {
	until := time.Now().Add(storageBackoff).UnixNano()
	if old := s.downUntil.Swap(until); old < time.Now().UnixNano() {
		// Without the storage, two instances may refresh one session, and
		// a provider that rotates refresh tokens refuses the second.
		s.logger.Warn("Caddy's storage failed: refreshing sessions in this process only for a while",
			zap.String("storage", storageName(s.storage)), zap.Duration("for", storageBackoff), zap.Error(err))
	}
}
