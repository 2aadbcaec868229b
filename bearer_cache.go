package oidcauth

import (
	"sync"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
)

// Bounds of the cache of verified bearer tokens: a client sends the same
// token on every call until it expires, so remembering it saves a signature
// check per request; the bounds keep a flood of distinct valid tokens from
// costing more than this much memory.
const (
	bearerCacheEntries = 10000
	bearerCacheBytes   = 16 << 20
	// bearerEntryOverhead is what an entry costs beyond the token and its
	// claims: the map slot, the session, the pointers.
	bearerEntryOverhead = 256
	// evictScan bounds the work of one insertion into a full cache.
	evictScan = 32
)

// bearerEntry is a verified token: the user it stands for, until exp.
type bearerEntry struct {
	sess     *cookie.Session // Provider, Subject, Claims, AccessToken (the token), SID, Created (iat)
	provider string
	expires  time.Time
	size     int
}

// bearerCache remembers verified bearer tokens, keyed by the token itself,
// each until its own exp and never past it. It belongs to one handler, so
// a token verified for one handler's audiences is never taken for another's.
type bearerCache struct {
	mu       sync.RWMutex
	entries  map[string]*bearerEntry
	bytes    int
	maxCount int
	maxBytes int
}

func newBearerCache(maxCount, maxBytes int) *bearerCache {
	return &bearerCache{entries: make(map[string]*bearerEntry), maxCount: maxCount, maxBytes: maxBytes}
}

// get is the entry for raw, or nil when there is none or it has expired
// (an expired token is refused even though it was once verified).
func (c *bearerCache) get(raw string, now time.Time) *bearerEntry {
	c.mu.RLock()
	e := c.entries[raw]
	c.mu.RUnlock()
	if e == nil || !now.Before(e.expires) {
		return nil
	}
	return e
}

// put remembers e under raw (a copy of the token, not the request's header
// memory), making room first: expired entries go (of at most evictScan
// looked at), then, while still full, arbitrary ones (Go's map order is
// random). An entry larger than the whole budget is not kept.
func (c *bearerCache) put(raw string, e *bearerEntry, now time.Time) {
	e.size = len(raw) + e.sess.Claims.Size() + bearerEntryOverhead
	if e.size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[raw]; ok {
		c.remove(raw, old)
	}
	scanned := 0
	for k, v := range c.entries { // expired ones first, a bounded number looked at
		if scanned >= evictScan {
			break
		}
		scanned++
		if !now.Before(v.expires) {
			c.remove(k, v)
		}
	}
	for k, v := range c.entries { // still full: arbitrary ones
		if len(c.entries) < c.maxCount && c.bytes+e.size <= c.maxBytes {
			break
		}
		c.remove(k, v)
	}
	c.entries[raw] = e
	c.bytes += e.size
}

func (c *bearerCache) remove(k string, v *bearerEntry) {
	c.bytes -= v.size
	delete(c.entries, k)
}

// len and size, for tests.
func (c *bearerCache) len() (entries, bytes int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries), c.bytes
}
