package cookie

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// typicalClaims is an ID token's claims of a Google sign-in, about 600 bytes.
var typicalClaims = []byte(`{"iss":"https://accounts.google.com","azp":"1234567890-abcdefghijklmnop.apps.googleusercontent.com","aud":"1234567890-abcdefghijklmnop.apps.googleusercontent.com","sub":"110169484474386276334","hd":"example.com","email":"jane.doe@example.com","email_verified":true,"at_hash":"HK6E_P6Dh8Y93mRNtsDB1Q","nonce":"0394852-3190485-2490358","name":"Jane Doe","picture":"https://lh3.googleusercontent.com/a/ACg8ocL-abcdefghijklmnop=s96-c","given_name":"Jane","family_name":"Doe","locale":"en","iat":1700000000,"exp":1700003600}`)

// benchSessions: "google" is a Google sign-in as the default configuration
// keeps it (its ID token for sign-out, no access or refresh token); "split"
// carries 6 KB of claims (an Entra ID user in many groups), two cookies.
func benchSessions() map[string]*Session {
	google := testSession("110169484474386276334", typicalClaims)
	google.IDToken, google.AccessToken, google.RefreshToken, google.TokenExpiry = googleIDToken, "", "", time.Time{}
	google.Provider = "google-site" // whose client_id is typicalClaims' aud
	return map[string]*Session{
		"google": google,
		"split":  testSession("110169484474386276334", bigClaims(6000)),
	}
}

// benchJar is a jar as the module configures it: the ID token in the
// sign-out hint cookie.
func benchJar(b testing.TB, cfg JarConfig) *Jar {
	cfg.SignOutPath = testSignOut
	return testJar(b, cfg)
}

func benchRequest(b testing.TB, j *Jar, s *Session) *http.Request {
	rec := httptest.NewRecorder()
	if err := j.WriteSession(rec, requestWith(""), s); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	// Other cookies of the site come first, as they often do.
	h := "_ga=GA1.1.1234567890.1700000000; theme=dark; csrftoken=abcdefghijklmnopqrstuvwxyz012345"
	for _, line := range rec.Header().Values("Set-Cookie") {
		// What a browser sends to a page: not the hint, nor expired pieces.
		if c, _ := http.ParseSetCookie(line); c.Path == "/" && c.MaxAge >= 0 {
			h += "; " + c.Name + "=" + c.Value
		}
	}
	r.Header.Set("Cookie", h)
	return r
}

func BenchmarkReadSessionCached(b *testing.B) {
	for name, s := range benchSessions() {
		b.Run(name, func(b *testing.B) {
			j := benchJar(b, JarConfig{})
			r := benchRequest(b, j, s)
			now := time.Now()
			if _, err := j.ReadSession(r, now); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := j.ReadSession(r, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadSessionCachedParallel: one user's cookie read from both
// cores at once, as Caddy serves a busy user's (or a monitor's) requests:
// every read is a hit in the cache, shared between the cores.
func BenchmarkReadSessionCachedParallel(b *testing.B) {
	j := benchJar(b, JarConfig{})
	s := benchSessions()["google"]
	h := benchRequest(b, j, s).Header.Get("Cookie")
	now := time.Now()
	for range 2 { // admitted on the second sighting
		if _, err := j.ReadSession(requestWith(h), now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := requestWith(h) // a request each, as each connection has
		for pb.Next() {
			if _, err := j.ReadSession(r, now); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if j.Opened() != 2 {
		b.Fatalf("opened %d times, want 2: the reads were not hits", j.Opened())
	}
}

func BenchmarkReadSessionUncached(b *testing.B) {
	for name, s := range benchSessions() {
		b.Run(name, func(b *testing.B) {
			j := benchJar(b, JarConfig{CacheSize: -1})
			r := benchRequest(b, j, s)
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := j.ReadSession(r, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadSessionManyUsers: users beyond every cache, read from both
// cores at once, as Caddy serves them: each read is of a cookie that the
// doorkeeper has not seen lately (manyUsers is four times its slots), so it
// is opened, and the next sighting of it is long after.
func BenchmarkReadSessionManyUsers(b *testing.B) {
	j, reqs := manyUsersRequests(b)
	var next atomic.Uint64
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := reqs[next.Add(1)%manyUsers]
			if _, err := j.ReadSession(r, now); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// manyUsers is how many distinct cookies BenchmarkReadSessionManyUsers cycles through.
const manyUsers = 4 * doorSlots

// manyUsersRequests is a jar and manyUsers requests signed in by it, made
// once for every run of the benchmark (it makes 131,072 cookies).
func manyUsersRequests(b *testing.B) (*Jar, []*http.Request) {
	manyUsersSet.once.Do(func() {
		j := benchJar(b, JarConfig{})
		s := benchSessions()["google"]
		reqs := make([]*http.Request, manyUsers)
		for i := range reqs {
			reqs[i] = benchRequest(b, j, s)
		}
		manyUsersSet.jar, manyUsersSet.reqs = j, reqs
	})
	if manyUsersSet.jar == nil {
		b.Fatal("the requests of an earlier run were not made")
	}
	return manyUsersSet.jar, manyUsersSet.reqs
}

var manyUsersSet struct {
	once sync.Once
	jar  *Jar
	reqs []*http.Request
}

func BenchmarkSeal(b *testing.B) {
	c := testCodec(b, "bench secret")
	for name, s := range benchSessions() {
		payload := encodeSession(s)
		b.Run(name+"/"+strconv.Itoa(len(payload))+"B", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				_ = c.Seal("session:oidc_auth", payload, s.Expires)
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	c := testCodec(b, "bench secret")
	now := time.Now()
	for name, s := range benchSessions() {
		payload := encodeSession(s)
		v := c.Seal("session:oidc_auth", payload, s.Expires)
		b.Run(name+"/"+strconv.Itoa(len(payload))+"B", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				if _, err := c.Open("session:oidc_auth", v, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteSession(b *testing.B) {
	for name, s := range benchSessions() {
		b.Run(name, func(b *testing.B) {
			j := testJar(b, JarConfig{})
			r := requestWith("")
			b.ReportAllocs()
			for b.Loop() {
				if err := j.WriteSession(httptest.NewRecorder(), r, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkStripCookies(b *testing.B) {
	j := testJar(b, JarConfig{})
	r := benchRequest(b, j, benchSessions()["google"])
	orig := r.Header.Get("Cookie")
	lines := make([]string, 1)
	b.ReportAllocs()
	for b.Loop() {
		lines[0] = orig
		r.Header["Cookie"] = lines
		j.StripCookies(r)
	}
	if got := r.Header.Get("Cookie"); strings.Contains(got, "oidc_auth") || got == "" {
		b.Fatalf("stripped header %q", got)
	}
}
