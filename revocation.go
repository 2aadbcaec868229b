package oidcauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
)

// Revoked sessions live in Caddy's storage, so every Caddy that shares the
// storage signs the user out. The layout, one key per revocation:
//
//	oidc_auth/revoked/<issuer key>/sid/<sha256 of sid>.<unix time>
//	oidc_auth/revoked/<issuer key>/sub/<sha256 of sub>.<unix time>
//
// A sid entry ends that one session; a sub entry ends every session of the
// user started at or before its time. The time is in the key's name (and,
// for people reading the storage, in its value) so a refresh reads names
// only. revokedChangedKey is rewritten after every new entry, so an idle
// refresh reads one small value instead of listing every entry.
const (
	revokedPrefix     = "oidc_auth/revoked"
	revokedChangedKey = "oidc_auth/revoked-changed"
)

// Revocation kinds, as named in the storage keys.
const (
	revokeBySID = "sid"
	revokeBySub = "sub"
)

// revocationRefreshEvery bounds how stale this process's view of the
// shared storage may be: a sign-out posted to another Caddy reaches this
// one within about this long.
const revocationRefreshEvery = 2 * time.Second

// revocationFullListEvery bounds how long entries past their lifetime are
// kept when nothing changes (they are dropped at each full listing).
const revocationFullListEvery = 10 * time.Minute

// revocationKeep is how long past cookie_max_age an entry is kept, for
// clock differences between the Caddys that share the storage.
const revocationKeep = time.Minute

// maxDeletesPerRefresh bounds the storage work one request can be given.
const maxDeletesPerRefresh = 100

// revocations answers "was this session signed out?" on every request from
// an in-memory snapshot of the shared storage. The snapshot is refreshed by
// whichever request first finds it older than revocationRefreshEvery, one
// request at a time and without goroutines, so a config reload leaves
// nothing running.
type revocations struct {
	storage certmagic.Storage // nil: revocations stay in this process
	maxAge  time.Duration     // how long an entry matters: cookie_max_age
	logger  *zap.Logger

	snap      atomic.Pointer[revokedSnapshot]
	nextCheck atomic.Int64 // unix nanoseconds of the next storage check

	mu       sync.Mutex // one refresh or local change at a time
	changed  []byte     // the revokedChangedKey value of the last listing
	listedAt time.Time  // zero: never listed
}

// revokedSnapshot is immutable once published; changes publish a new one.
type revokedSnapshot struct {
	providers map[string]*providerRevocations
}

type providerRevocations struct {
	sids map[[32]byte]time.Time // revoked session ids -> when
	subs map[[32]byte]time.Time // subjects -> sessions started at or before this are out
}

func newRevocations(storage certmagic.Storage, maxAge time.Duration, logger *zap.Logger) *revocations {
	rv := &revocations{storage: storage, maxAge: maxAge, logger: logger}
	rv.snap.Store(&revokedSnapshot{})
	return rv
}

// isRevoked reports whether sess, issued by the issuer with that key
// (issuerKey), was signed out by a back-channel logout.
// It is a map lookup; every ~2 s one request also checks the storage.
func (rv *revocations) isRevoked(issuer string, sess *cookie.Session, now time.Time) bool {
	if rv.storage != nil && now.UnixNano() >= rv.nextCheck.Load() {
		rv.tryRefresh(now)
	}
	pr := rv.snap.Load().providers[issuer]
	if pr == nil {
		return false
	}
	if sess.SID != "" && len(pr.sids) > 0 {
		if _, ok := pr.sids[hashID(sess.SID)]; ok {
			return true
		}
	}
	if len(pr.subs) > 0 {
		if cut, ok := pr.subs[hashID(sess.Subject)]; ok && sess.Created.Unix() <= cut.Unix() {
			return true
		}
	}
	return false
}

// hashID is the SHA-256 of a sid or sub, as the storage keys name them (so
// any byte in an identifier is safe in a key). It does not allocate for
// identifiers up to 256 bytes.
func hashID(s string) [32]byte {
	var buf [256]byte
	return sha256.Sum256(append(buf[:0], s...))
}

// revoke records a sign-out: kind revokeBySID or revokeBySub, for the
// identifier id at provider, effective at (for a sub: every session started
// at or before it). It is in storage for every Caddy, and in this
// process's snapshot at once.
func (rv *revocations) revoke(ctx context.Context, provider, kind, id string, at time.Time) error {
	h := hashID(id)
	at = at.Truncate(time.Second)
	if rv.storage != nil {
		key := revokedKey(provider, kind, h, at)
		if err := rv.storage.Store(ctx, key, []byte(at.UTC().Format(time.RFC3339)+"\n")); err != nil {
			return err
		}
		if err := rv.storage.Store(ctx, revokedChangedKey, []byte(rand.Text())); err != nil {
			return err
		}
	}
	rv.mu.Lock()
	defer rv.mu.Unlock()
	rv.snap.Store(rv.snap.Load().with(provider, kind, h, at))
	return nil
}

func revokedKey(provider, kind string, h [32]byte, at time.Time) string {
	return revokedPrefix + "/" + provider + "/" + kind + "/" + hex.EncodeToString(h[:]) + "." + strconv.FormatInt(at.Unix(), 10)
}

// parseRevokedKey reads a key written by revokedKey; ok is false for
// anything else found under the prefix (directories, temporary files).
func parseRevokedKey(key string) (provider, kind string, h [32]byte, at time.Time, ok bool) {
	rest, found := strings.CutPrefix(key, revokedPrefix+"/")
	if !found {
		return
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || (parts[1] != revokeBySID && parts[1] != revokeBySub) {
		return
	}
	hexPart, unixPart, found := strings.Cut(parts[2], ".")
	if !found || len(hexPart) != 64 {
		return
	}
	if _, err := hex.Decode(h[:], []byte(hexPart)); err != nil {
		return
	}
	secs, err := strconv.ParseInt(unixPart, 10, 64)
	if err != nil {
		return
	}
	return parts[0], parts[1], h, time.Unix(secs, 0), true
}

// with returns a copy of s with one more entry; a later sub cut-off
// replaces an earlier one.
func (s *revokedSnapshot) with(provider, kind string, h [32]byte, at time.Time) *revokedSnapshot {
	out := &revokedSnapshot{providers: make(map[string]*providerRevocations, len(s.providers)+1)}
	for name, pr := range s.providers {
		out.providers[name] = pr
	}
	old := out.providers[provider]
	pr := &providerRevocations{sids: map[[32]byte]time.Time{}, subs: map[[32]byte]time.Time{}}
	if old != nil {
		for k, v := range old.sids {
			pr.sids[k] = v
		}
		for k, v := range old.subs {
			pr.subs[k] = v
		}
	}
	pr.add(kind, h, at)
	out.providers[provider] = pr
	return out
}

func (pr *providerRevocations) add(kind string, h [32]byte, at time.Time) {
	m := pr.sids
	if kind == revokeBySub {
		m = pr.subs
	}
	if prev, ok := m[h]; !ok || at.After(prev) {
		m[h] = at
	}
}

// tryRefresh brings the snapshot up to date with the storage, unless
// another request is doing it already (that one's result will do).
func (rv *revocations) tryRefresh(now time.Time) {
	if !rv.mu.TryLock() {
		return
	}
	defer rv.mu.Unlock()
	if now.UnixNano() < rv.nextCheck.Load() {
		return // refreshed while this request waited for the lock
	}
	// Storage work is bounded so a slow storage delays one request at most
	// this long; on failure the old snapshot stays and the next check
	// comes after the usual interval.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rv.refresh(ctx, now); err != nil {
		rv.logger.Warn("could not read revoked sessions from storage; using the last known list", zap.Error(err))
	}
	rv.nextCheck.Store(now.Add(revocationRefreshEvery).UnixNano())
}

// refresh lists the storage when something changed (or the last listing is
// old) and publishes a new snapshot, deleting a few entries past their
// lifetime on the way. The caller holds rv.mu.
func (rv *revocations) refresh(ctx context.Context, now time.Time) error {
	changed, err := rv.storage.Load(ctx, revokedChangedKey)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if !rv.listedAt.IsZero() && string(changed) == string(rv.changed) && now.Sub(rv.listedAt) < revocationFullListEvery {
		return nil
	}
	keys, err := rv.storage.List(ctx, revokedPrefix, true)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	oldest := now.Add(-rv.maxAge - revocationKeep)
	snap := &revokedSnapshot{providers: map[string]*providerRevocations{}}
	var expired []string
	for _, key := range keys {
		provider, kind, h, at, ok := parseRevokedKey(key)
		if !ok {
			continue
		}
		if at.Before(oldest) {
			expired = append(expired, key)
			continue
		}
		pr := snap.providers[provider]
		if pr == nil {
			pr = &providerRevocations{sids: map[[32]byte]time.Time{}, subs: map[[32]byte]time.Time{}}
			snap.providers[provider] = pr
		}
		pr.add(kind, h, at)
	}
	// Entries this process recorded while the listing ran are in the
	// storage too (revoke stores before it takes rv.mu), so the new
	// snapshot replaces the old one whole.
	rv.snap.Store(snap)
	rv.changed, rv.listedAt = changed, now
	for i, key := range expired {
		if i == maxDeletesPerRefresh {
			break
		}
		if err := rv.storage.Delete(ctx, key); err != nil && !errors.Is(err, fs.ErrNotExist) {
			rv.logger.Debug("could not delete an expired revocation", zap.String("key", key), zap.Error(err))
		}
	}
	return nil
}
