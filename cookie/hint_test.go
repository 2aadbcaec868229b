package cookie

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testSignOut = "/auth/logout"

func hintJar(t testing.TB, cfg JarConfig) *Jar {
	t.Helper()
	cfg.SignOutPath = testSignOut
	return testJar(t, cfg)
}

// googleIDToken is about the size of a Google ID token: 1.1 KB.
var googleIDToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjZmNzI1NDEwMWY1NmU0MWNmMzVjOTkyNmRlODRhMmQ1NTJiNGM2ZjEiLCJ0eXAiOiJKV1QifQ." +
	strings.Repeat("eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20i", 14) + "." + strings.Repeat("c2lnbmF0dXJl", 28)

func TestIDTokenTravelsOnlyToTheSignOutPath(t *testing.T) {
	j := hintJar(t, JarConfig{})
	s := testSession("alice", typicalClaims)
	s.IDToken, s.AccessToken, s.RefreshToken = googleIDToken, "", ""
	s.Provider = "google-site" // whose client_id is typicalClaims' aud
	b, lines := writeSession(t, j, s)
	if len(lines) != 1+hintMaxPieces {
		t.Fatalf("Set-Cookie lines %q: want the session and the hint (and its spare piece expired)", lines)
	}
	for _, line := range lines {
		c, _ := http.ParseSetCookie(line)
		if c.Name == j.hintName && (c.Path != testSignOut || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode) {
			t.Fatalf("hint cookie %q: want Path=%s, HttpOnly, SameSite=Lax", line, testSignOut)
		}
	}
	page := b.headerFor("/index.html")
	if strings.Contains(page, "_hint") || len(page) > 1200 {
		t.Fatalf("a page request carries %d bytes of cookies (%q...): want only the session, at most 1,200", len(page), page[:40])
	}
	t.Logf("Cookie header of a page: %d bytes; the ID token of %d bytes goes to %s only", len(page), len(googleIDToken), testSignOut)
	got, err := j.ReadSession(b.requestTo("/index.html"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got.IDToken != "" {
		t.Fatal("the session cookie still holds the ID token")
	}
	if hint := j.ReadIDTokenHint(b.requestTo("/index.html"), got, time.Now()); hint != "" {
		t.Fatal("a hint was read from a request that does not carry it")
	}
	if hint := j.ReadIDTokenHint(b.requestTo(testSignOut), got, time.Now()); hint != googleIDToken {
		t.Fatalf("at %s the hint reads %q, want the ID token", testSignOut, hint)
	}
}

func TestHintOfAnotherSignInIsNotUsed(t *testing.T) {
	j := hintJar(t, JarConfig{})
	now := time.Now().Truncate(time.Second)
	mallory := testSession("mallory", nil)
	mallory.IDToken = "mallory.id.token"
	alice := testSession("alice", nil)
	alice.IDToken = "alice.id.token"
	earlier := testSession("alice", nil)
	earlier.Created = now.Add(-time.Hour)
	earlier.IDToken = "alice.earlier.token"
	other := hintJar(t, JarConfig{Scope: "https://other.example"})

	b, _ := writeSession(t, j, alice)
	sess, err := j.ReadSession(b.request(), now)
	if err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func(http.ResponseWriter) error{
		"another user's":             func(w http.ResponseWriter) error { return j.WriteSession(w, nil, mallory) },
		"the same user's earlier":    func(w http.ResponseWriter) error { return j.WriteSession(w, nil, earlier) },
		"another site's (same user)": func(w http.ResponseWriter) error { return other.WriteSession(w, nil, alice) },
	} {
		rec := httptest.NewRecorder()
		if err := write(rec); err != nil {
			t.Fatal(err)
		}
		swapped := newBrowser(t)
		swapped.take(rec)
		// Alice's session with the other sign-in's hint beside it.
		r := requestWith(b.header() + "; " + j.hintName + "=" + swapped.cookies[j.hintName])
		if hint := j.ReadIDTokenHint(r, sess, now); hint != "" {
			t.Errorf("%s hint was used for alice's sign-out: %q", name, hint)
		}
	}
	if hint := j.ReadIDTokenHint(b.requestTo(testSignOut), sess, now); hint != "alice.id.token" {
		t.Fatalf("her own hint reads %q", hint)
	}
}

func TestHintSurvivesRenewalAndEndsWithSignOut(t *testing.T) {
	j := hintJar(t, JarConfig{Secure: true, Name: "__Host-oidc_auth-443"})
	if j.hintName != "__Secure-oidc_auth-443_hint" {
		t.Fatalf("hint of a __Host- session is named %q: a __Host- cookie must have Path=/", j.hintName)
	}
	s := testSession("alice", nil)
	s.IDToken = "alice.id.token"
	b, _ := writeSession(t, j, s)
	// A renewal (idle timeout, refresh without a new ID token) writes the
	// session as read: without the ID token. The hint stays.
	read, err := j.ReadSession(b.request(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if err := j.WriteSession(rec, b.request(), read); err != nil {
		t.Fatal(err)
	}
	for _, line := range b.take(rec) {
		if strings.Contains(line, "_hint") {
			t.Fatalf("a renewal touched the hint: %q", line)
		}
	}
	if hint := j.ReadIDTokenHint(b.requestTo(testSignOut), read, time.Now()); hint != "alice.id.token" {
		t.Fatalf("after renewal the hint reads %q", hint)
	}
	rec = httptest.NewRecorder()
	j.ClearSession(rec, b.requestTo(testSignOut))
	for _, line := range b.take(rec) {
		c, _ := http.ParseSetCookie(line)
		if strings.Contains(c.Name, "_hint") && (c.Path != testSignOut || c.MaxAge >= 0 || !c.Secure) {
			t.Fatalf("sign-out does not expire the hint where it lives: %q", line)
		}
	}
	if names := b.names(); len(names) != 0 {
		t.Fatalf("after sign-out the browser keeps %v", names)
	}
}

func TestTooLargeIDTokenIsNotKept(t *testing.T) {
	j := hintJar(t, JarConfig{})
	s := testSession("alice", nil)
	s.IDToken = strings.Repeat("x", 9000) // more than two cookies
	b, lines := writeSession(t, j, s)
	for _, line := range lines {
		if c, _ := http.ParseSetCookie(line); strings.Contains(c.Name, "_hint") && c.MaxAge >= 0 {
			t.Fatalf("a 9 KB ID token was kept: %q", line[:60])
		}
	}
	if _, err := j.ReadSession(b.request(), time.Now()); err != nil {
		t.Fatalf("the sign-in failed for a large ID token: %v", err)
	}
	s.IDToken = strings.Repeat("y", 5000) // two cookies
	b, _ = writeSession(t, j, s)
	read, _ := j.ReadSession(b.request(), time.Now())
	if hint := j.ReadIDTokenHint(b.requestTo(testSignOut), read, time.Now()); hint != s.IDToken {
		t.Fatalf("a 5 KB ID token in two pieces reads back as %d bytes", len(hint))
	}
}

func TestStripCookiesRemovesTheHint(t *testing.T) {
	j := hintJar(t, JarConfig{})
	r := requestWith("a=1; oidc_auth_hint=x; oidc_auth_hint_1=y; b=2")
	j.StripCookies(r)
	if got := r.Header.Get("Cookie"); got != "a=1; b=2" {
		t.Fatalf("stripped to %q", got)
	}
}
