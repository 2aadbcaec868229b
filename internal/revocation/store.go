package revocation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"
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
	BySID = "sid" // one session, by the provider's session id
	BySub = "sub" // every session of a subject started at or before a time
)

// Store answers "was this session signed out?" on every request from an
// in-memory snapshot of the shared storage; Start keeps the snapshot fresh.
type Store struct {
	storage certmagic.Storage // nil: revocations stay in this process
	maxAge  time.Duration     // how long an entry matters: cookie_max_age
	logger  *zap.Logger

	snap atomic.Pointer[snapshot]

	mu        sync.Mutex // one refresh or local change at a time
	nextCheck time.Time  // when the storage is due to be read again
	changed   []byte     // the revokedChangedKey value of the last listing
	listedAt  time.Time  // zero: never listed

	life    sync.Mutex // Start and Stop
	stopped context.CancelFunc
	done    chan struct{} // closed when the refresher has returned
}

// snapshot is immutable once published; changes publish a new one.
type snapshot struct {
	providers map[string]*providerRevocations
}

type providerRevocations struct {
	sids map[[32]byte]time.Time // revoked session ids -> when
	subs map[[32]byte]time.Time // subjects -> sessions started at or before this are out
}

// New returns a Store over storage (nil: this process only) whose entries
// matter for maxAge, the longest a session lasts. Call Start to have it
// follow what other Caddys record.
func New(storage certmagic.Storage, maxAge time.Duration, logger *zap.Logger) *Store {
	s := &Store{storage: storage, maxAge: maxAge, logger: logger}
	s.snap.Store(&snapshot{})
	return s
}

// IsRevoked reports whether the session sid of subject sub, started at
// created and issued by the issuer with storage key issuer, was signed out
// by a back-channel logout. It is a map lookup on the last snapshot: no
// lock, no storage, no allocation.
func (s *Store) IsRevoked(issuer, sid, sub string, created time.Time) bool {
	pr := s.snap.Load().providers[issuer]
	if pr == nil {
		return false
	}
	if sid != "" && len(pr.sids) > 0 {
		if _, ok := pr.sids[hashID(sid)]; ok {
			return true
		}
	}
	if len(pr.subs) > 0 {
		if cut, ok := pr.subs[hashID(sub)]; ok && created.Unix() <= cut.Unix() {
			return true
		}
	}
	return false
}

// hashID is the SHA-256 of a sid, sub or jti, as the storage keys name
// them (so any byte in an identifier is safe in a key). It does not
// allocate for identifiers up to 256 bytes.
func hashID(s string) [32]byte {
	var buf [256]byte
	return sha256.Sum256(append(buf[:0], s...))
}

// Revoke records a sign-out: kind BySID or BySub, for the identifier id at
// the issuer with storage key issuer, effective at (for a sub: every
// session started at or before it). It is in storage for every Caddy, and
// in this process's snapshot at once.
func (s *Store) Revoke(ctx context.Context, issuer, kind, id string, at time.Time) error {
	h := hashID(id)
	at = at.Truncate(time.Second)
	if s.storage != nil {
		key := revokedKey(issuer, kind, h, at)
		if err := s.storage.Store(ctx, key, []byte(at.UTC().Format(time.RFC3339)+"\n")); err != nil {
			return err
		}
		if err := s.storage.Store(ctx, revokedChangedKey, []byte(rand.Text())); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap.Store(s.snap.Load().with(issuer, kind, h, at))
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
	if len(parts) != 3 || (parts[1] != BySID && parts[1] != BySub) {
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
func (s *snapshot) with(provider, kind string, h [32]byte, at time.Time) *snapshot {
	out := &snapshot{providers: make(map[string]*providerRevocations, len(s.providers)+1)}
	for name, pr := range s.providers {
		out.providers[name] = pr
	}
	old := out.providers[provider]
	pr := newProviderRevocations()
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

func newProviderRevocations() *providerRevocations {
	return &providerRevocations{sids: map[[32]byte]time.Time{}, subs: map[[32]byte]time.Time{}}
}

func (pr *providerRevocations) add(kind string, h [32]byte, at time.Time) {
	m := pr.sids
	if kind == BySub {
		m = pr.subs
	}
	if prev, ok := m[h]; !ok || at.After(prev) {
		m[h] = at
	}
}
