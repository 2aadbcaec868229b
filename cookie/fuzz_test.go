package cookie

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fuzzSecret seals the sessions FuzzOpenSession knows. The files under
// testdata/fuzz/FuzzOpenSession hold cookies sealed with it, so they keep
// opening as long as the sessions last (until 2100).
const fuzzSecret = "fuzz secret: known to the test only"

// fuzzJarConfig is the site the fuzz corpus was sealed for.
func fuzzJarConfig(t testing.TB) JarConfig {
	return JarConfig{Codec: testCodec(t, fuzzSecret), Scope: "https://example.com", Clients: testClients}
}

// fuzzSessions are the only sessions that may ever open.
func fuzzSessions() []*Session {
	until := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	// Renewed at sign-in: what a format-2 cookie (which has no Renewed)
	// reads as, so the v2 and v3 corpus files hold the same sessions.
	return []*Session{
		{Provider: "google", Subject: "alice", Claims: mustClaims([]byte(`{"sub":"alice"}`)), Created: created, Expires: until, SID: "s1", Renewed: created},
		{Provider: "entra", Subject: "bob", Claims: mustClaims(bigClaims(6000)), Created: created, Expires: until, IDToken: "id", AccessToken: "at", RefreshToken: "rt", TokenExpiry: until, Renewed: created},
	}
}

// FuzzOpenSession feeds random Cookie headers to ReadSession: it must never
// panic, anything that opens must be a session this test sealed, and once
// StripCookies has run nothing of ours is left to read.
func FuzzOpenSession(f *testing.F) {
	cfg := fuzzJarConfig(f)
	cfg.CacheSize = 8
	j := NewJar(cfg)
	known := fuzzSessions()
	for _, s := range known {
		rec := httptest.NewRecorder()
		if err := j.WriteSession(rec, requestWith(""), s); err != nil {
			f.Fatal(err)
		}
		var parts []string
		for _, line := range rec.Header().Values("Set-Cookie") {
			c, _ := http.ParseSetCookie(line)
			parts = append(parts, c.Name+"="+c.Value)
		}
		h := strings.Join(parts, "; ")
		f.Add(h)
		f.Add("a=1; " + h + "; oidc_auth_9=stale")
		if len(parts) > 2 {
			f.Add(strings.Join([]string{parts[0], parts[2], parts[1]}, "; "))
		}
		f.Add(strings.Replace(h, "oidc_auth=", "oidc_auth=0", 1))
	}
	f.Add("")
	f.Add("oidc_auth=1.")
	f.Add("oidc_auth=31.AAAA; oidc_auth_1=; oidc_auth_30=x")
	f.Add("oidc_auth_login_abc=x; oidc_auth=1.AQ")

	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["Cookie"] = []string{header}
		now := time.Now()
		for range 2 { // the second read may come from the cache
			s, err := j.ReadSession(r, now)
			if err != nil {
				if s != nil {
					t.Fatal("a session together with an error")
				}
				continue
			}
			matched := false
			for _, k := range known {
				matched = matched || sameSession(s, k)
			}
			if !matched {
				t.Fatalf("opened a session nobody sealed: %+v", s)
			}
			_ = s.ClaimMap()
		}
		_, _ = j.ReadLoginState(r, "state", now)
		j.StripCookies(r)
		if _, err := j.ReadSession(r, now); err != ErrNoSession {
			t.Fatalf("after StripCookies ReadSession says %v, want ErrNoSession (Cookie now %q)", err, r.Header["Cookie"])
		}
	})
}

// Cookies sealed by an earlier build (the sealed-v2-* and sealed-v3-* files
// of the fuzz corpus) must still open: a change of format or key derivation
// would sign every user out on upgrade. Format 2 has no Renewed time and
// reads it as the sign-in time. Format 1 (sealed-small, sealed-split) was
// bound to no site or client; it reads as signed out, on purpose.
func TestCookiesFromEarlierBuildsStillOpen(t *testing.T) {
	j := NewJar(fuzzJarConfig(t))
	for _, v := range []string{"v2", "v3"} {
		for i, file := range []string{"sealed-" + v + "-small", "sealed-" + v + "-split"} {
			s, err := j.ReadSession(requestWith(corpusHeader(t, file)), time.Now())
			if err != nil || !sameSession(s, fuzzSessions()[i]) {
				t.Fatalf("%s: a cookie of an earlier build reads %v, %v", file, s, err)
			}
		}
	}
	for _, file := range []string{"sealed-small", "sealed-split"} {
		if s, err := j.ReadSession(requestWith(corpusHeader(t, file)), time.Now()); err == nil {
			t.Fatalf("%s: an unbound format-1 cookie opened as %+v", file, s)
		}
	}
}

// corpusHeader is the Cookie header kept in a FuzzOpenSession corpus file.
func corpusHeader(t *testing.T, file string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzOpenSession", file))
	if err != nil {
		t.Fatal(err)
	}
	_, quoted, _ := strings.Cut(strings.TrimSpace(string(raw)), "string(")
	header, err := strconv.Unquote(strings.TrimSuffix(quoted, ")"))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return header
}
