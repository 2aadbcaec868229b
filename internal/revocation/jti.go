package revocation

import (
	"context"
	"encoding/hex"
	"errors"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/internal/recent"
)

// The ids (jti) of the logout tokens already used live in Caddy's storage,
// so a token replayed to any Caddy of that storage is refused:
//
//	oidc_auth/jti/<issuer key>/<sha256 of jti>   holding the unix time it may be forgotten
const jtiPrefix = "oidc_auth/jti"

// jtiSweepEvery bounds how often a back-channel logout also deletes the
// ids whose time has passed.
const jtiSweepEvery = 10 * time.Minute

// maxJTISweep bounds the storage work one sweep gives a request.
const maxJTISweep = 500

// UsedJTIs remembers the ids of the logout tokens already used.
// Back-channel logouts are rare, so it works on the storage directly, under
// a storage lock, with no cache and no goroutine.
type UsedJTIs struct {
	storage certmagic.Storage // nil: remembered in this process only
	local   *recent.Set
	logger  *zap.Logger

	mu      sync.Mutex
	sweptAt time.Time
}

// NewUsedJTIs returns the used-id store over storage (nil: this process
// only, remembering ids for maxAge).
func NewUsedJTIs(storage certmagic.Storage, maxAge time.Duration, logger *zap.Logger) *UsedJTIs {
	return &UsedJTIs{storage: storage, local: recent.New(4096, maxAge), logger: logger}
}

func jtiKey(provider, jti string) (key, lock string) {
	h := hashID(jti)
	name := hex.EncodeToString(h[:])
	return jtiPrefix + "/" + provider + "/" + name, "oidc_auth_jti_" + name
}

// Claim records jti, from the issuer with storage key issuer, as used
// until `until` and reports whether it was new. Two Caddys claiming the
// same jti at once: the storage lock lets one win.
func (s *UsedJTIs) Claim(ctx context.Context, issuer, jti string, until, now time.Time) (bool, error) {
	key, lock := jtiKey(issuer, jti)
	if s.storage == nil {
		return s.local.Add(key, now), nil
	}
	s.sweep(ctx, now)
	if err := s.storage.Lock(ctx, lock); err != nil {
		return false, err
	}
	defer func() { _ = s.storage.Unlock(context.WithoutCancel(ctx), lock) }()
	data, err := s.storage.Load(ctx, key)
	switch {
	case err == nil:
		if t, ok := parseUnixTime(data); !ok || now.Before(t) {
			return false, nil
		}
		// Past its time: the token it named has expired, so this is a new
		// token reusing the id (verification refuses expired ones).
	case !errors.Is(err, fs.ErrNotExist):
		return false, err
	}
	if err := s.storage.Store(ctx, key, []byte(strconv.FormatInt(until.Unix(), 10))); err != nil {
		return false, err
	}
	return true, nil
}

// Release forgets a jti claimed by a sign-out that could not be recorded,
// so the provider's retry of the same token is accepted.
func (s *UsedJTIs) Release(ctx context.Context, issuer, jti string) {
	key, _ := jtiKey(issuer, jti)
	if s.storage == nil {
		return // a recent.Set cannot forget; without storage, recording cannot fail
	}
	if err := s.storage.Delete(context.WithoutCancel(ctx), key); err != nil {
		s.logger.Warn("could not forget a logout token id", zap.Error(err))
	}
}

// sweep deletes ids past their time, at most every jtiSweepEvery.
func (s *UsedJTIs) sweep(ctx context.Context, now time.Time) {
	s.mu.Lock()
	if now.Sub(s.sweptAt) < jtiSweepEvery {
		s.mu.Unlock()
		return
	}
	s.sweptAt = now
	s.mu.Unlock()
	keys, err := s.storage.List(ctx, jtiPrefix, true)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.logger.Debug("could not list logout token ids", zap.Error(err))
		}
		return
	}
	for i, key := range keys {
		if i == maxJTISweep {
			return
		}
		if len(path.Base(key)) != 64 || strings.Count(key, "/") != 3 {
			continue // a provider's directory
		}
		data, err := s.storage.Load(ctx, key)
		if err != nil {
			continue
		}
		if t, ok := parseUnixTime(data); ok && now.After(t) {
			_ = s.storage.Delete(ctx, key)
		}
	}
}

func parseUnixTime(data []byte) (time.Time, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}
