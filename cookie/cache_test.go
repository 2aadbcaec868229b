package cookie

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCacheStaysBounded(t *testing.T) {
	c := newSessionCache(1000)
	e := &cacheEntry{}
	for i := range 1_000_000 {
		c.put(c.keyOf(strconv.Itoa(i)), e)
		if i%100_000 == 0 && c.len() > 1000 {
			t.Fatalf("after %d puts the cache holds %d entries, want ≤ 1000", i+1, c.len())
		}
	}
	if n := c.len(); n > 1000 || n < 500 {
		t.Fatalf("cache holds %d entries after 1e6 puts, want between 500 and 1000", n)
	}
	if c.get(c.keyOf("999999")) == nil {
		t.Fatal("the newest entry is gone")
	}
	if c.get(c.keyOf("0")) != nil {
		t.Fatal("the oldest entry is still there")
	}
}

func TestCacheKeepsRecentlyUsed(t *testing.T) {
	c := newSessionCache(4) // two generations of two
	a := &cacheEntry{value: "a"}
	c.put(c.keyOf("a"), a)
	c.put(c.keyOf("b"), &cacheEntry{})
	c.put(c.keyOf("c"), &cacheEntry{}) // a and b become old
	if c.get(c.keyOf("a")) != a {      // a moves back to the young generation
		t.Fatal("a lost too early")
	}
	c.put(c.keyOf("d"), &cacheEntry{}) // young full (c, a): it turns old, b is dropped
	c.put(c.keyOf("e"), &cacheEntry{})
	if c.get(c.keyOf("a")) != a {
		t.Fatal("a recently used entry was dropped before an unused one")
	}
	if c.get(c.keyOf("b")) != nil {
		t.Fatal("the least recently used entry survived")
	}
	if n := c.len(); n > 4 {
		t.Fatalf("%d entries, want ≤ 4", n)
	}
}

func TestCacheRemove(t *testing.T) {
	c := newSessionCache(4)
	c.put(c.keyOf("a"), &cacheEntry{})
	c.put(c.keyOf("b"), &cacheEntry{})
	c.put(c.keyOf("c"), &cacheEntry{}) // a is old now
	c.remove(c.keyOf("a"))
	c.remove(c.keyOf("c"))
	if c.get(c.keyOf("a")) != nil || c.get(c.keyOf("c")) != nil || c.len() != 1 {
		t.Fatalf("after removing a and c: len %d", c.len())
	}
}

func TestCacheBoundsMemory(t *testing.T) {
	c := newSessionCache(10000)
	value := strings.Repeat("v", 16<<10) // a large split session
	for i := range 10000 {
		c.put(c.keyOf(strconv.Itoa(i)), &cacheEntry{value: value})
	}
	held := 0
	for _, m := range []map[cacheKey]*cacheEntry{c.young, c.old} {
		for _, e := range m {
			held += e.size()
		}
	}
	if held > cacheMaxBytes {
		t.Fatalf("10000 large sessions hold %d MiB, want ≤ %d MiB", held>>20, cacheMaxBytes>>20)
	}
	if c.get(c.keyOf("9999")) == nil {
		t.Fatal("the newest entry is gone")
	}
}

func TestDoorkeeperAdmitsOnTheSecondSighting(t *testing.T) {
	c := newSessionCache(16)
	if c.admit(c.keyOf("cookie-a")) {
		t.Fatal("admitted on the first sighting")
	}
	if !c.admit(c.keyOf("cookie-a")) {
		t.Fatal("not admitted on the second sighting")
	}
	admitted := 0
	for i := range 100000 {
		if c.admit(c.keyOf("one-off-" + strconv.Itoa(i))) {
			admitted++
		}
	}
	if admitted > 10 {
		t.Errorf("%d of 100000 one-off cookies admitted", admitted)
	}
}

func TestOneOffCookiesAreNotCached(t *testing.T) {
	j := NewJar(JarConfig{Codec: testCodec(t, "a secret of the doorkeeper test"), Clients: testClients})
	r := cookieRequest(t, j, "alice")
	for i, want := range []int{0, 1, 1} {
		if _, err := j.ReadSession(r, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got := j.cache.len(); got != want {
			t.Errorf("after read %d: %d cached, want %d", i+1, got, want)
		}
	}
	// Read three times: decrypted twice (the doorkeeper's two sightings),
	// then answered from the cache.
	if got := j.Opened(); got != 2 {
		t.Errorf("Opened = %d after three reads, want 2", got)
	}
}

// get returns the entry filed under key, doorkeeper or not.
func (c *sessionCache) get(key cacheKey) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(key)
}

// cookieRequest is a page request of a browser given the session of sub,
// as written by j.
func cookieRequest(t *testing.T, j *Jar, sub string) *http.Request {
	t.Helper()
	b := newBrowser(t)
	rec := httptest.NewRecorder()
	if err := j.WriteSession(rec, requestWith(""), testSession(sub, []byte(`{"sub":"`+sub+`"}`))); err != nil {
		t.Fatal(err)
	}
	b.take(rec)
	return b.request()
}

func mustRead(t *testing.T, j *Jar, r *http.Request, wantSub string) {
	t.Helper()
	if s, err := j.ReadSession(r, time.Now()); err != nil || s.Subject != wantSub {
		t.Fatalf("read %v (%v), want %s's session", s, err, wantSub)
	}
}

// firstPiece is the first piece of the session cookie r carries.
func firstPiece(j *Jar, r *http.Request) string {
	var rest [maxPieces - 1]string
	first, _, _, _ := readPieces(r, j.name, &rest)
	return first
}

// firstKey is the cache key of the session cookie r carries.
func firstKey(j *Jar, r *http.Request) cacheKey { return j.cache.keyOf(firstPiece(j, r)) }

// Entries are filed by a 64-bit hash of the cookie. Should two cookies
// share one, the cache must still answer each with its own session: the
// entry is taken only when its whole value is the cookie's.
func TestCacheTellsApartCookiesThatShareAKey(t *testing.T) {
	j := NewJar(JarConfig{Codec: testCodec(t, "a secret of the collision test"), Clients: testClients})
	alice, bob := cookieRequest(t, j, "alice"), cookieRequest(t, j, "bob")
	mustRead(t, j, bob, "bob")
	mustRead(t, j, bob, "bob") // cached now
	mustRead(t, j, alice, "alice")
	bobEntry := j.cache.get(firstKey(j, bob))
	if bobEntry == nil {
		t.Fatal("bob's session is not cached: the case is not exercised")
	}
	j.cache.put(firstKey(j, alice), bobEntry) // as if alice's cookie hashed to bob's key
	for range 3 {
		mustRead(t, j, alice, "alice")
	}
}

// The doorkeeper is asked before the maps. A cached cookie whose slot
// another cookie has taken since is opened once more, which takes the slot
// back, and is then answered from the cache again.
func TestCachedCookieWhoseDoorSlotWasTakenOpensOnceMore(t *testing.T) {
	j := NewJar(JarConfig{Codec: testCodec(t, "a secret of the door test"), Clients: testClients})
	alice := cookieRequest(t, j, "alice")
	for range 3 {
		mustRead(t, j, alice, "alice")
	}
	if got := j.Opened(); got != 2 {
		t.Fatalf("opened %d times in three reads, want 2 (the third from the cache)", got)
	}
	j.cache.door(firstKey(j, alice)).Store(12345) // another cookie landed in the slot
	mustRead(t, j, alice, "alice")
	if got := j.Opened(); got != 3 {
		t.Fatalf("opened %d times, want 3: a cookie the doorkeeper does not know is opened", got)
	}
	for range 2 {
		mustRead(t, j, alice, "alice")
	}
	if got := j.Opened(); got != 3 {
		t.Errorf("opened %d times, want still 3: back in the doorkeeper, the cached entry answers", got)
	}
}

// A key is hashed from the end of a cookie. A forged cookie that ends as a
// cached one does (its tag copied, its body changed) must not be answered
// with the cached session: it is compared in full, then fails to open.
func TestForgedCookieEndingAsACachedOneIsRefused(t *testing.T) {
	j := NewJar(JarConfig{Codec: testCodec(t, "a secret of the forged-tail test"), Clients: testClients})
	bob := cookieRequest(t, j, "bob")
	mustRead(t, j, bob, "bob")
	mustRead(t, j, bob, "bob") // cached now
	header := bob.Header.Get("Cookie")
	first := firstPiece(j, bob)
	if len(first) < 2*keyTail {
		t.Fatalf("a session of %d characters: too short for this test", len(first))
	}
	for _, at := range []int{0, len(first) / 2, len(first) - keyTail - 1} {
		forged := []byte(first)
		forged[at] = 'A' // still base64url
		if first[at] == 'A' {
			forged[at] = 'B'
		}
		r := requestWith(strings.Replace(header, first, string(forged), 1))
		if j.cache.keyOf(string(forged)) != j.cache.keyOf(first) {
			t.Fatal("the forged cookie does not share the cached one's key: the case is not exercised")
		}
		if s, err := j.ReadSession(r, time.Now()); err == nil {
			t.Errorf("a cookie changed at %d but ending as bob's cached one reads as %s's session", at, s.Subject)
		}
	}
}
