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
		c.put(strconv.Itoa(i), e)
		if i%100_000 == 0 && c.len() > 1000 {
			t.Fatalf("after %d puts the cache holds %d entries, want ≤ 1000", i+1, c.len())
		}
	}
	if n := c.len(); n > 1000 || n < 500 {
		t.Fatalf("cache holds %d entries after 1e6 puts, want between 500 and 1000", n)
	}
	if c.get("999999") == nil {
		t.Fatal("the newest entry is gone")
	}
	if c.get("0") != nil {
		t.Fatal("the oldest entry is still there")
	}
}

func TestCacheKeepsRecentlyUsed(t *testing.T) {
	c := newSessionCache(4) // two generations of two
	a := &cacheEntry{value: "a"}
	c.put("a", a)
	c.put("b", &cacheEntry{})
	c.put("c", &cacheEntry{}) // a and b become old
	if c.get("a") != a {      // a moves back to the young generation
		t.Fatal("a lost too early")
	}
	c.put("d", &cacheEntry{}) // young full (c, a): it turns old, b is dropped
	c.put("e", &cacheEntry{})
	if c.get("a") != a {
		t.Fatal("a recently used entry was dropped before an unused one")
	}
	if c.get("b") != nil {
		t.Fatal("the least recently used entry survived")
	}
	if n := c.len(); n > 4 {
		t.Fatalf("%d entries, want ≤ 4", n)
	}
}

func TestCacheRemove(t *testing.T) {
	c := newSessionCache(4)
	c.put("a", &cacheEntry{})
	c.put("b", &cacheEntry{})
	c.put("c", &cacheEntry{}) // a is old now
	c.remove("a")
	c.remove("c")
	if c.get("a") != nil || c.get("c") != nil || c.len() != 1 {
		t.Fatalf("after removing a and c: len %d", c.len())
	}
}

func TestCacheBoundsMemory(t *testing.T) {
	c := newSessionCache(10000)
	value := strings.Repeat("v", 16<<10) // a large split session
	for i := range 10000 {
		c.put(strconv.Itoa(i), &cacheEntry{value: value})
	}
	held := 0
	for _, m := range []map[string]*cacheEntry{c.young, c.old} {
		for _, e := range m {
			held += e.size()
		}
	}
	if held > cacheMaxBytes {
		t.Fatalf("10000 large sessions hold %d MiB, want ≤ %d MiB", held>>20, cacheMaxBytes>>20)
	}
	if c.get("9999") == nil {
		t.Fatal("the newest entry is gone")
	}
}

func TestDoorkeeperAdmitsOnTheSecondSighting(t *testing.T) {
	c := newSessionCache(16)
	if c.admit("cookie-a") {
		t.Fatal("admitted on the first sighting")
	}
	if !c.admit("cookie-a") {
		t.Fatal("not admitted on the second sighting")
	}
	admitted := 0
	for i := range 100000 {
		if c.admit("one-off-" + strconv.Itoa(i)) {
			admitted++
		}
	}
	if admitted > 10 {
		t.Errorf("%d of 100000 one-off cookies admitted", admitted)
	}
}

func TestOneOffCookiesAreNotCached(t *testing.T) {
	j := NewJar(JarConfig{Codec: testCodec(t, "a secret of the doorkeeper test"), Clients: testClients})
	rec := httptest.NewRecorder()
	if err := j.WriteSession(rec, httptest.NewRequest("GET", "/", nil), testSession("alice", []byte(`{"sub":"alice"}`))); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	for _, sc := range rec.Header().Values("Set-Cookie") {
		c, _ := http.ParseSetCookie(sc)
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
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
