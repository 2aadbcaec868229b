package cookie

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// sessionCache remembers recently opened sessions by their raw cookie value,
// so a returning cookie costs a map lookup instead of a decryption.
//
// A cookie is looked up by one seeded 64-bit hash of its first piece's end
// (cacheKey, keyOf), taken once per request: the doorkeeper is asked first, and a
// cookie it has not seen lately is not looked for in the maps at all. With
// many users beyond the cache's size that is most cookies, and each map
// probe would be a miss in memory the processor no longer holds. The entry
// keeps the whole value, which the caller compares with the cookie
// (cacheEntry.matches): two values that share a hash are told apart, and
// the second opens anew.
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
	young, old map[cacheKey]*cacheEntry
	youngBytes int

	// The doorkeeper admits a session on its second sighting: one-off
	// cookies (a crawler, many users cycling) then cost no copy, no entry
	// and no eviction of sessions that do come back. Each slot holds the
	// hash of the last cookie that landed there. The slots are read and
	// written without mu: a never-seen cookie, most of them with many
	// users, takes no lock at all. Two requests racing on one slot at worst
	// admit a cookie one sighting early or late.
	seed maphash.Seed
	seen []atomic.Uint64
}

// cacheKey is a cookie value's seeded hash (sessionCache.keyOf).
type cacheKey uint64

// doorSlots is the doorkeeper's size: 256 KiB of hashes.
const doorSlots = 1 << 15

// cacheMaxBytes bounds the memory the cached sessions hold, about.
const cacheMaxBytes = 64 << 20

// cacheEntry is one opened session. value is the whole sealed value: the
// first piece followed by the others; the map key is the first piece's hash.
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
		young:      make(map[cacheKey]*cacheEntry),
		seed:       maphash.MakeSeed(),
		seen:       make([]atomic.Uint64, doorSlots),
	}
}

// keyTail is how much of a first piece its key is hashed from, at its end:
// for a cookie of one piece that ends in its GCM tag, for the first of
// several in ciphertext, and either differs with every seal (a fresh nonce).
// Hashing 32 characters instead of ~400 costs next to nothing; a value
// made to share a key opens anew, as any other collision does.
const keyTail = 32

// keyOf is the key of the cookie whose first piece is first.
func (c *sessionCache) keyOf(first string) cacheKey {
	return cacheKey(maphash.String(c.seed, first[max(len(first)-keyTail, 0):]))
}

// door is key's slot in the doorkeeper, which holds the last key seen there.
func (c *sessionCache) door(key cacheKey) *atomic.Uint64 { return &c.seen[key%doorSlots] }

// admit reports whether key was seen before (so it is worth caching), and
// remembers it for next time.
func (c *sessionCache) admit(key cacheKey) bool {
	slot := c.door(key)
	if cacheKey(slot.Load()) == key {
		return true
	}
	slot.Store(uint64(key))
	return false
}

// lookup returns the entry filed under key when the doorkeeper has seen
// its cookie lately, and nil at once for any other cookie, without taking
// the lock. An entry whose slot another cookie took since is missed until
// its cookie is admitted again: it then opens once more.
func (c *sessionCache) lookup(key cacheKey) *cacheEntry {
	if cacheKey(c.door(key).Load()) != key {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(key)
}

// getLocked returns the entry filed under key, or nil; mu must be held.
func (c *sessionCache) getLocked(key cacheKey) *cacheEntry {
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

func (c *sessionCache) put(key cacheKey, e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.insert(key, e)
}

func (c *sessionCache) remove(key cacheKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.young[key]; e != nil {
		c.youngBytes -= e.size()
		delete(c.young, key)
	}
	delete(c.old, key)
}

// insert must be called with mu held.
func (c *sessionCache) insert(key cacheKey, e *cacheEntry) {
	if prev := c.young[key]; prev != nil {
		c.youngBytes -= prev.size()
	} else if len(c.young) >= c.generation || c.youngBytes+e.size() > c.maxBytes {
		c.old, c.young = c.young, make(map[cacheKey]*cacheEntry, c.generation)
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
