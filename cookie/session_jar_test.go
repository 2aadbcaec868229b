package cookie

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeSession writes s through j into a fresh browser and returns it with
// the Set-Cookie lines.
func writeSession(t *testing.T, j *Jar, s *Session) (*browser, []string) {
	t.Helper()
	b := newBrowser(t)
	rec := httptest.NewRecorder()
	if err := j.WriteSession(rec, b.request(), s); err != nil {
		t.Fatalf("WriteSession: %v", err)
	}
	return b, b.take(rec)
}

func TestSessionRoundTrip(t *testing.T) {
	j := testJar(t, JarConfig{})
	s := testSession("user-1", []byte(`{"sub":"user-1","email":"a@example.com"}`))
	b, lines := writeSession(t, j, s)
	if len(lines) != 1 {
		t.Fatalf("a small session took %d cookies: %q", len(lines), lines)
	}
	for range 2 { // uncached, then cached
		got, err := j.ReadSession(b.request(), time.Now())
		if err != nil {
			t.Fatalf("ReadSession: %v", err)
		}
		if !sameSession(got, s) {
			t.Fatalf("read %+v, want %+v", got, s)
		}
		if got.ClaimMap()["email"] != "a@example.com" {
			t.Fatalf("ClaimMap = %v", got.ClaimMap())
		}
	}
}

func TestSessionMaxAgeIsTheRemainingLifetime(t *testing.T) {
	j := testJar(t, JarConfig{})
	s := testSession("u", nil)
	s.Expires = time.Now().Add(2 * time.Hour)
	_, lines := writeSession(t, j, s)
	c, _ := http.ParseSetCookie(lines[0])
	if c.MaxAge < 7198 || c.MaxAge > 7200 {
		t.Fatalf("Max-Age = %d, want about 7200 (two hours)", c.MaxAge)
	}

	s.Expires = time.Time{} // the jar's default lifetime
	b, lines := writeSession(t, testJar(t, JarConfig{MaxAge: 24 * time.Hour}), s)
	c, _ = http.ParseSetCookie(lines[0])
	if c.MaxAge < 86398 || c.MaxAge > 86400 {
		t.Fatalf("default lifetime: Max-Age = %d, want about 86400", c.MaxAge)
	}
	_ = b
}

func TestSessionDefaultExpiresIsSealed(t *testing.T) {
	j := testJar(t, JarConfig{MaxAge: time.Hour})
	s := testSession("u", nil)
	s.Expires = time.Time{}
	b, _ := writeSession(t, j, s)
	got, err := j.ReadSession(b.request(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(got.Expires); d < 59*time.Minute || d > time.Hour {
		t.Fatalf("Expires in %v, want about an hour", d)
	}
	if _, err := j.ReadSession(b.request(), time.Now().Add(time.Hour+time.Second)); !errors.Is(err, ErrExpired) {
		t.Fatalf("past the default lifetime: error = %v, want ErrExpired", err)
	}
	if !s.Expires.IsZero() {
		t.Fatal("WriteSession changed the caller's session")
	}
}

func TestWriteSessionRefusesExpired(t *testing.T) {
	j := testJar(t, JarConfig{})
	s := testSession("u", nil)
	s.Expires = time.Now().Add(-time.Minute)
	rec := httptest.NewRecorder()
	if err := j.WriteSession(rec, requestWith(""), s); !errors.Is(err, ErrExpired) {
		t.Fatalf("error = %v, want ErrExpired", err)
	}
	if len(rec.Header().Values("Set-Cookie")) != 0 {
		t.Fatal("an expired session was written")
	}
}

func TestSessionExpiry(t *testing.T) {
	for _, cacheSize := range []int{-1, 0} {
		j := testJar(t, JarConfig{CacheSize: cacheSize})
		s := testSession("u", nil)
		b, _ := writeSession(t, j, s)
		if _, err := j.ReadSession(b.request(), s.Expires.Add(-time.Second)); err != nil {
			t.Fatalf("cache %d: before expiry: %v", cacheSize, err)
		}
		// The second read is a cache hit when caching: expiry is still checked.
		for _, now := range []time.Time{s.Expires, s.Expires.Add(time.Hour)} {
			if _, err := j.ReadSession(b.request(), now); !errors.Is(err, ErrExpired) {
				t.Fatalf("cache %d: at %v: error = %v, want ErrExpired", cacheSize, now, err)
			}
		}
	}
}

func TestReadSessionWithoutCookie(t *testing.T) {
	j := testJar(t, JarConfig{})
	for _, h := range []string{"", "a=1; b=2", "oidc_auth=", "oidc_auth_1=x"} {
		if _, err := j.ReadSession(requestWith(h), time.Now()); !errors.Is(err, ErrNoSession) {
			t.Errorf("Cookie %q: error = %v, want ErrNoSession", h, err)
		}
	}
	for _, h := range []string{"oidc_auth=junk", "oidc_auth=1.junk", "oidc_auth=2.abc"} {
		if _, err := j.ReadSession(requestWith(h), time.Now()); err == nil || errors.Is(err, ErrNoSession) {
			t.Errorf("Cookie %q: error = %v, want another error", h, err)
		}
	}
}

func TestSessionWrongSecretAndRotation(t *testing.T) {
	s := testSession("u", nil)
	oldJar := testJar(t, JarConfig{Codec: testCodec(t, "old")})
	b, _ := writeSession(t, oldJar, s)
	if _, err := testJar(t, JarConfig{Codec: testCodec(t, "other")}).ReadSession(b.request(), time.Now()); !errors.Is(err, ErrInvalid) {
		t.Fatalf("another secret: error = %v, want ErrInvalid", err)
	}
	rotated := testJar(t, JarConfig{Codec: testCodec(t, "new", "old")})
	if got, err := rotated.ReadSession(b.request(), time.Now()); err != nil || !sameSession(got, s) {
		t.Fatalf("after rotation the old session reads %v, %v", got, err)
	}
}

// Splitting: every Set-Cookie line stays within 4096 bytes, and the pieces
// read back as the session.
func TestSessionSplitsLargeClaims(t *testing.T) {
	for _, size := range []int{6000, 10000} {
		for _, secure := range []bool{false, true} {
			j := testJar(t, JarConfig{Secure: secure})
			s := testSession("u", bigClaims(size))
			b, lines := writeSession(t, j, s)
			if len(lines) < 2 {
				t.Fatalf("%d-byte claims fit in one cookie?", size)
			}
			for _, line := range lines {
				if n := len("Set-Cookie: " + line); n > 4096 {
					t.Fatalf("%d-byte claims: a %d-byte Set-Cookie line", size, n)
				}
			}
			if got := b.names(); got[0] != "oidc_auth" || got[len(got)-1] != "oidc_auth_"+strconv.Itoa(len(lines)-1) {
				t.Fatalf("cookie names %v", got)
			}
			got, err := j.ReadSession(b.request(), time.Now())
			if err != nil || !sameSession(got, s) {
				t.Fatalf("%d-byte claims: read back %v", size, err)
			}
			if n := j.SessionSize(s); n != len(b.header()) {
				t.Fatalf("SessionSize = %d, the browser sends %d", n, len(b.header()))
			}
		}
	}
}

func TestSessionPiecesAreAllNeeded(t *testing.T) {
	j := testJar(t, JarConfig{})
	alice, _ := writeSession(t, j, testSession("alice", bigClaims(10000)))
	bob, _ := writeSession(t, j, testSession("bob", bigClaims(10000)))
	if len(alice.cookies) < 3 || len(bob.cookies) != len(alice.cookies) {
		t.Fatalf("want at least 3 pieces each, got %d and %d", len(alice.cookies), len(bob.cookies))
	}
	// Warm the cache with the genuine cookies: tampered variants must not hit it.
	for _, b := range []*browser{alice, bob} {
		if _, err := j.ReadSession(b.request(), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	n := len(alice.cookies)
	a := func(k int) string { return alice.cookies[pieceName("oidc_auth", k)] }
	// header builds a Cookie header of pieces 0..len(values)-1.
	header := func(values ...string) string {
		parts := make([]string, len(values))
		for k, v := range values {
			parts[k] = pieceName("oidc_auth", k) + "=" + v
		}
		return strings.Join(parts, "; ")
	}
	genuine := make([]string, n)
	for k := range n {
		genuine[k] = a(k)
	}
	with := func(k int, v string) string {
		values := append([]string{}, genuine...)
		values[k] = v
		return header(values...)
	}
	if s, err := j.ReadSession(requestWith(header(genuine...)), time.Now()); err != nil || s.Subject != "alice" {
		t.Fatalf("the genuine pieces, rebuilt: %v", err)
	}
	countPrefix := strconv.Itoa(n) + "."
	variants := map[string]string{
		"piece 1 removed":      strings.Replace(alice.header(), "oidc_auth_1="+a(1)+"; ", "", 1),
		"last piece removed":   header(genuine[:n-1]...),
		"pieces 1, 2 swapped":  header(append([]string{a(0), a(2), a(1)}, genuine[3:]...)...),
		"piece 1 of bob":       with(1, bob.cookies["oidc_auth_1"]),
		"first piece of bob":   with(0, bob.cookies["oidc_auth"]),
		"last piece emptied":   with(n-1, ""),
		"last piece cut short": with(n-1, a(n - 1)[1:]),
		"piece 1 doubled":      with(1, a(1)+a(1)),
		"count one fewer":      with(0, strconv.Itoa(n-1)+"."+strings.TrimPrefix(a(0), countPrefix)),
		"count one more":       with(0, strconv.Itoa(n+1)+"."+strings.TrimPrefix(a(0), countPrefix)) + "; oidc_auth_" + strconv.Itoa(n) + "=" + a(1),
		"count with zero":      with(0, "0"+a(0)),
	}
	for name, h := range variants {
		if h == alice.header() {
			t.Fatalf("%s: variant is the genuine header", name)
		}
		if s, err := j.ReadSession(requestWith(h), time.Now()); err == nil {
			t.Errorf("%s: signed in as %s", name, s.Subject)
		}
	}
}

func TestSessionIgnoresStalePiecesAndExpiresThem(t *testing.T) {
	j := testJar(t, JarConfig{})
	b, _ := writeSession(t, j, testSession("u", bigClaims(10000)))
	pieces := len(b.cookies)

	// A later, smaller session: the stale pieces are expired in the same response.
	rec := httptest.NewRecorder()
	small := testSession("u", []byte(`{"sub":"u"}`))
	if err := j.WriteSession(rec, b.request(), small); err != nil {
		t.Fatal(err)
	}
	lines := b.take(rec)
	if len(lines) != pieces {
		t.Fatalf("%d Set-Cookie lines, want the new piece and %d expirations", len(lines), pieces-1)
	}
	if names := b.names(); len(names) != 1 || names[0] != "oidc_auth" {
		t.Fatalf("browser keeps %v, want only oidc_auth", names)
	}
	// Even if a browser kept a stale piece, the count in the first piece ignores it.
	h := b.header() + "; oidc_auth_1=stale; oidc_auth_2=stale"
	if got, err := j.ReadSession(requestWith(h), time.Now()); err != nil || !sameSession(got, small) {
		t.Fatalf("with stale pieces around: %v", err)
	}
}

func TestClearSession(t *testing.T) {
	j := testJar(t, JarConfig{})
	b, _ := writeSession(t, j, testSession("u", bigClaims(10000)))
	b.cookies["other"], b.order = "keep", append(b.order, "other")
	rec := httptest.NewRecorder()
	j.ClearSession(rec, b.request())
	b.take(rec)
	if names := b.names(); len(names) != 1 || names[0] != "other" {
		t.Fatalf("after ClearSession the browser keeps %v", names)
	}
	// Without any cookie in the request, the base name is still expired.
	rec = httptest.NewRecorder()
	j.ClearSession(rec, requestWith(""))
	if lines := rec.Header().Values("Set-Cookie"); len(lines) != 1 || !strings.HasPrefix(lines[0], "oidc_auth=;") || !strings.Contains(lines[0], "Max-Age=0") {
		t.Fatalf("ClearSession without cookies wrote %q", lines)
	}
}

func TestSessionTooLarge(t *testing.T) {
	j := testJar(t, JarConfig{})
	s := testSession("u", bigClaims(20000))
	if n := j.SessionSize(s); n <= j.MaxSessionBytes() {
		t.Fatalf("SessionSize = %d, within the %d budget", n, j.MaxSessionBytes())
	}
	rec := httptest.NewRecorder()
	if err := j.WriteSession(rec, requestWith(""), s); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error = %v, want ErrTooLarge", err)
	}
	if len(rec.Header().Values("Set-Cookie")) != 0 {
		t.Fatal("a too large session was partly written")
	}
	// A larger budget takes it.
	big := testJar(t, JarConfig{MaxSessionBytes: 32 << 10})
	b, _ := writeSession(t, big, s)
	if got, err := big.ReadSession(b.request(), time.Now()); err != nil || !sameSession(got, s) {
		t.Fatalf("with a 32 KiB budget: %v", err)
	}
	// Far past maxPieces, SessionSize still answers "too large".
	huge := testSession("u", bigClaims(400000))
	if n := j.SessionSize(huge); n < 400000 {
		t.Fatalf("SessionSize of a 400 kB session = %d", n)
	}
}

func TestSessionSizeGuidesDroppingTheIDToken(t *testing.T) {
	j := testJar(t, JarConfig{})
	s := testSession("u", bigClaims(4000))
	with := j.SessionSize(s)
	s.IDToken = strings.Repeat("x", 9000)
	if j.SessionSize(s) <= with+9000 {
		t.Fatal("SessionSize does not grow with the ID token")
	}
	s.IDToken = ""
	if j.SessionSize(s) >= with {
		t.Fatal("SessionSize does not shrink without the ID token")
	}
}

func TestReadSessionReturnsACopy(t *testing.T) {
	j := testJar(t, JarConfig{})
	s := testSession("u", nil)
	b, _ := writeSession(t, j, s)
	first, err := j.ReadSession(b.request(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	first.Subject = "changed by a caller"
	second, err := j.ReadSession(b.request(), time.Now())
	if err != nil || second.Subject != "u" {
		t.Fatalf("a caller's change leaked into the next read: %q, %v", second.Subject, err)
	}
}

func TestSessionCacheIsBounded(t *testing.T) {
	j := testJar(t, JarConfig{CacheSize: 4})
	for i := range 50 {
		b, _ := writeSession(t, j, testSession("user-"+strconv.Itoa(i), nil))
		if _, err := j.ReadSession(b.request(), time.Now()); err != nil {
			t.Fatal(err)
		}
		if n := j.cache.len(); n > 4 {
			t.Fatalf("after %d sessions the cache holds %d, want ≤ 4", i+1, n)
		}
	}
}

func TestSessionCacheSkipsDecryption(t *testing.T) {
	j := testJar(t, JarConfig{})
	b, _ := writeSession(t, j, testSession("u", nil))
	r := b.request()
	if _, err := j.ReadSession(r, time.Now()); err != nil {
		t.Fatal(err)
	}
	// A cached read allocates only the returned copy; opening would allocate more.
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := j.ReadSession(r, time.Now()); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 3 {
		t.Fatalf("a cached ReadSession made %v allocations, want ≤ 3", allocs)
	}
}

func TestSessionOfAnotherJarNameDoesNotOpen(t *testing.T) {
	codec := testCodec(t, "shared")
	a := testJar(t, JarConfig{Codec: codec, Name: "site_a"})
	bJar := testJar(t, JarConfig{Codec: codec, Name: "site_b"})
	br, _ := writeSession(t, a, testSession("u", nil))
	h := strings.ReplaceAll(br.header(), "site_a", "site_b")
	if _, err := bJar.ReadSession(requestWith(h), time.Now()); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a site_a session renamed to site_b: error = %v, want ErrInvalid", err)
	}
}

func TestReadSessionConcurrent(t *testing.T) {
	j := testJar(t, JarConfig{CacheSize: 2})
	var headers []string
	for _, sub := range []string{"a", "b", "c"} {
		b, _ := writeSession(t, j, testSession(sub, []byte(`{"sub":"`+sub+`"}`)))
		headers = append(headers, b.header())
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				k := (g + i) % len(headers)
				s, err := j.ReadSession(requestWith(headers[k]), time.Now())
				if err != nil {
					t.Error(err)
					return
				}
				if want := string(rune('a' + k)); s.Subject != want || s.ClaimMap()["sub"] != want {
					t.Errorf("read %q (claims %v), want %q", s.Subject, s.ClaimMap(), want)
					return
				}
			}
		})
	}
	wg.Wait()
}
