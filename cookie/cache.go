package cookie

import (
	"hash/maphash"
	"sync"
	"time"
)

// sessionCache remembers recently opened sessions by their raw cookie value,
// so a returning cookie costs a map lookup instead of a decryption.
//
// It is bounded by two generations of at most half the size each: new and
// recently used entries go to the young map; when it is full it becomes the
// old one, and what was old is dropped. A hit in the old map moves the entry
// back to the young one. That is close to LRU at O(1) per operation, with no
// list to maintain, and 1e6 distinct cookies never hold more than
// max(size, 2) entries. A generation also turns over at half of
// cacheMaxBytes, so many large sessions (Entra ID with its groups) cannot
// hold hundreds of megabytes.
type sessionCache struct {
	mu         sync.Mutex
	generation int // entries per map
	maxBytes   int // bytes per map, counted as cacheEntry.size
	young, old map[string]*cacheEntry
	youngBytes int

	// The doorkeeper admits a session on its second sighting: one-off
	// cookies (a crawler, many users cycling) then cost no copy, no entry
	// and no eviction of sessions that do come back. Each slot holds the
	// hash of the last cookie that landed there.
	seed maphash.Seed
	seen []uint64
}

// doorSlots is the doorkeeper's size: 256 KiB of hashes.
const doorSlots = 1 << 15

// cacheMaxBytes bounds the memory the cached sessions hold, about.
const cacheMaxBytes = 64 << 20

// cacheEntry is one opened session. value is the whole sealed value: the
// first piece followed by the others; the map key is the first piece.
type cacheEntry struct {
	value   string
	session *Session
	expires time.Time // when the session ends (Jar.End)
}

// size is about what the entry holds: the sealed value, and the decoded
// session, which is a little smaller.
func (e *cacheEntry) size() int { return 2*len(e.value) + 256 }

func newSessionCache(size int) *sessionCache {
	return &sessionCache{
		generation: max(size/2, 1),
		maxBytes:   cacheMaxBytes / 2,
		young:      make(map[string]*cacheEntry),
		seed:       maphash.MakeSeed(),
		seen:       make([]uint64, doorSlots),
	}
}

// admit reports whether key was seen before (so it is worth caching), and
// remembers it for next time.
func (c *sessionCache) admit(key string) bool {
	h := maphash.String(c.seed, key)
	slot := &c.seen[h%doorSlots]
	c.mu.Lock()
	defer c.mu.Unlock()
	if *slot == h {
		return true
	}
	*slot = h
	return false
}

// get returns the entry whose first piece is key, or nil.
func (c *sessionCache) get(key string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.young[key]; e != nil {
		return e
	}
	e := c.old[key]
	if e != nil {
		delete(c.old, key)
		c.insert(key, e)
	}
	return e
}

func (c *sessionCache) put(key string, e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.insert(key, e)
}

func (c *sessionCache) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.young[key]; e != nil {
		c.youngBytes -= e.size()
		delete(c.young, key)
	}
	delete(c.old, key)
}

// insert must be called with mu held.
func (c *sessionCache) insert(key string, e *cacheEntry) {
	if prev := c.young[key]; prev != nil {
		c.youngBytes -= prev.size()
	} else if len(c.young) >= c.generation || c.youngBytes+e.size() > c.maxBytes {
		c.old, c.young = c.young, make(map[string]*cacheEntry, c.generation)
		c.youngBytes = 0
	}
	delete(c.old, key)
	c.young[key] = e
	c.youngBytes += e.size()
}

// len is the number of entries held.
func (c *sessionCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.young) + len(c.old)
}
