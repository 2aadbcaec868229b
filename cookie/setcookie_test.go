package cookie

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// setCookieJars are jars of every shape a cookie line can take: plain,
// Secure with a sign-out path, and with a Domain (leading dot or not).
func setCookieJars(t testing.TB) []*Jar {
	return []*Jar{
		testJar(t, JarConfig{}),
		testJar(t, JarConfig{Name: "__Host-s", Secure: true, SignOutPath: "/.auth/logout"}),
		testJar(t, JarConfig{Name: "s", Domain: "example.com", Secure: true}),
		testJar(t, JarConfig{Name: "s", Domain: ".example.com"}),
	}
}

// sameLines tells whether setCookie and http.SetCookie add the same
// Set-Cookie lines for c.
func sameLines(j *Jar, c *http.Cookie) (ours, theirs []string, same bool) {
	a, b := httptest.NewRecorder(), httptest.NewRecorder()
	j.setCookie(a, c)
	http.SetCookie(b, c)
	ours, theirs = a.Header()["Set-Cookie"], b.Header()["Set-Cookie"]
	return ours, theirs, slices.Equal(ours, theirs)
}

// Every cookie the jar writes (sessions, pieces, hints, login states,
// expiries) gets the line net/http would write, byte for byte, and every
// one of them takes the jar's own path, not net/http's.
func TestSetCookieWritesNetHTTPsLine(t *testing.T) {
	now := time.Now()
	for _, j := range setCookieJars(t) {
		sealed := j.sessionSealer.seal([]byte("a session"), now.Add(time.Hour))
		cookies := []*http.Cookie{
			j.cookie(j.name, "1."+sealed, 2592000),
			j.cookie(pieceName(j.name, 1), sealed, 1),
			j.cookie(j.name, "", -1),
			j.cookie(j.name, "", 0),
			j.cookie(j.name+loginInfix+"k-x", j.codec.Seal("login", []byte("state"), now.Add(time.Minute)), 600),
		}
		if j.signOutPath != "" {
			cookies = append(cookies, j.hintCookie(j.hintName, "1."+sealed, 3600), j.hintCookie(pieceName(j.hintName, 1), "", -1))
		}
		for _, c := range cookies {
			if _, ok := j.cookieLine(c); !ok {
				t.Errorf("jar %q: %s goes through net/http, not the jar's own line", j.name, c)
			}
			if ours, theirs, same := sameLines(j, c); !same || len(ours) != 1 {
				t.Errorf("jar %q:\n ours   %q\n theirs %q", j.name, ours, theirs)
			}
		}
	}
}

// A cookie net/http would change (a value with a space, comma, quote or
// byte past ASCII, a path with ';', an invalid name or domain, attributes
// the jar never sets) is left to net/http, and so still gets its line.
func TestSetCookieLeavesOddCookiesToNetHTTP(t *testing.T) {
	j := testJar(t, JarConfig{Name: "s"})
	odd := []func(c *http.Cookie){
		func(c *http.Cookie) { c.Value = "a b" },
		func(c *http.Cookie) { c.Value = "a,b" },
		func(c *http.Cookie) { c.Value = `a"b` },
		func(c *http.Cookie) { c.Value = "a;b" },
		func(c *http.Cookie) { c.Value = "a\\b" },
		func(c *http.Cookie) { c.Value = "é" },
		func(c *http.Cookie) { c.Value = "a\x00b" },
		func(c *http.Cookie) { c.Path = "/a;b" },
		func(c *http.Cookie) { c.Path = "/a\nb" },
		func(c *http.Cookie) { c.Name = "a b" },
		func(c *http.Cookie) { c.Name = "" },
		func(c *http.Cookie) { c.Domain = "example.com" },
		func(c *http.Cookie) { c.Expires = time.Unix(1e9, 0) },
		func(c *http.Cookie) { c.SameSite = http.SameSiteStrictMode },
		func(c *http.Cookie) { c.Partitioned = true },
		func(c *http.Cookie) { c.Quoted = true },
	}
	for i, change := range odd {
		c := j.cookie("s", "value", 60)
		change(c)
		if _, ok := j.cookieLine(c); ok {
			t.Errorf("case %d: %+v takes the jar's own line", i, c)
		}
		if ours, theirs, same := sameLines(j, c); !same {
			t.Errorf("case %d:\n ours   %q\n theirs %q", i, ours, theirs)
		}
	}
	// A domain net/http drops: the jar leaves its cookies to net/http.
	bad := testJar(t, JarConfig{Name: "s", Domain: "exa mple.com"})
	if _, ok := bad.cookieLine(bad.cookie("s", "v", 60)); ok {
		t.Error("a jar with an invalid domain writes its own lines")
	}
}

// FuzzSetCookie: whatever the name, value, path and Max-Age, setCookie
// adds the lines http.SetCookie adds.
func FuzzSetCookie(f *testing.F) {
	f.Add("oidc_auth", "1.AbC-_9", "/", 60)
	f.Add("__Host-s_1", "", "/.auth/logout", -1)
	f.Add("s", "a b,c", "/a;b", 0)
	f.Add("s\x7f", "\xff", "", 1<<40)
	jars := setCookieJars(f)
	f.Fuzz(func(t *testing.T, name, value, path string, maxAge int) {
		for _, j := range jars {
			c := j.cookie(name, value, maxAge)
			c.Path = path
			if ours, theirs, same := sameLines(j, c); !same {
				t.Fatalf("jar %q, %+v:\n ours   %q\n theirs %q", j.name, c, ours, theirs)
			}
		}
	})
}

// BenchmarkSetCookie: the Set-Cookie line of a Google-sized session and of
// its sign-out hint, the two long values of a sign-in.
func BenchmarkSetCookie(b *testing.B) {
	j := testJar(b, JarConfig{Name: "__Host-s", Secure: true, SignOutPath: "/.auth/logout"})
	session := j.cookie(j.name, "1."+strings.Repeat("AbCd-_9x", 58), 2592000)
	hint := j.hintCookie(j.hintName, "1."+strings.Repeat("AbCd-_9x", 170), 2592000)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		clear(w.Header())
		j.setCookie(w, session)
		j.setCookie(w, hint)
	}
}
