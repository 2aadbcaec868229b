package cookie

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// idleJar is a jar whose sessions also end an hour after their last renewal.
func idleJar(t *testing.T, idle time.Duration) *Jar {
	t.Helper()
	return NewJar(JarConfig{Codec: testCodec(t, "idle secret 0123456789"), Scope: "https://example.com", Clients: testClients, IdleTimeout: idle, CacheSize: 8})
}

// writeAndCarry seals s with j and returns a request carrying the cookies,
// and the Max-Age the browser was told.
func writeAndCarry(t *testing.T, j *Jar, s *Session) (*http.Request, int) {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := j.WriteSession(rec, nil, s); err != nil {
		t.Fatal(err)
	}
	var parts []string
	maxAge := -1
	for _, line := range rec.Header().Values("Set-Cookie") {
		c, _ := http.ParseSetCookie(line)
		parts = append(parts, c.Name+"="+c.Value)
		maxAge = c.MaxAge
	}
	return requestWith(strings.Join(parts, "; ")), maxAge
}

func TestIdleSessionEndsIdleTimeoutAfterItsRenewal(t *testing.T) {
	j := idleJar(t, time.Hour)
	s := testSession("u", []byte(`{"sub":"u"}`))
	s.Expires = s.Created.Add(30 * 24 * time.Hour)
	r, maxAge := writeAndCarry(t, j, s)
	if maxAge < 3599 || maxAge > 3600 {
		t.Errorf("Max-Age %d, want the idle timeout (3600), not cookie_max_age", maxAge)
	}
	// Read twice at each moment: the second answer comes from the cache.
	for range 2 {
		if _, err := j.ReadSession(r, s.Renewed.Add(59*time.Minute)); err != nil {
			t.Fatalf("59 minutes after its renewal: %v", err)
		}
	}
	for range 2 {
		if got, err := j.ReadSession(r, s.Renewed.Add(61*time.Minute)); !errors.Is(err, ErrExpired) {
			t.Fatalf("61 minutes idle, 30-day session: %v, %v; want ErrExpired", got, err)
		}
	}
}

func TestRenewedSessionNeverOutlivesItsExpires(t *testing.T) {
	j := idleJar(t, time.Hour)
	s := testSession("u", []byte(`{"sub":"u"}`))
	s.Expires = time.Now().Add(10 * time.Minute) // cookie_max_age almost spent
	s.Renewed = time.Now()
	r, maxAge := writeAndCarry(t, j, s)
	if maxAge > 600 {
		t.Errorf("renewed near its end: Max-Age %d, past the session's Expires (600 s away)", maxAge)
	}
	if _, err := j.ReadSession(r, s.Expires.Add(time.Second)); !errors.Is(err, ErrExpired) {
		t.Errorf("after Expires, within the idle window: %v, want ErrExpired", err)
	}
}

// A cookie sealed while idle_timeout was off (or longer) ends by the
// current idle_timeout: setting it applies to sessions already out there.
func TestIdleTimeoutAppliesToSessionsSealedWithout(t *testing.T) {
	before := idleJar(t, 0)
	s := testSession("u", []byte(`{"sub":"u"}`))
	s.Expires = s.Created.Add(30 * 24 * time.Hour)
	r, _ := writeAndCarry(t, before, s)
	if _, err := before.ReadSession(r, s.Renewed.Add(2*time.Hour)); err != nil {
		t.Fatalf("without idle_timeout, two hours idle: %v", err)
	}
	after := idleJar(t, time.Hour)
	if _, err := after.ReadSession(r, s.Renewed.Add(2*time.Hour)); !errors.Is(err, ErrExpired) {
		t.Errorf("idle_timeout 1h set since, two hours idle: %v, want ErrExpired", err)
	}
}

func TestRenewedIsKeptToTheMillisecond(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	got, err := decodeSession(encodeSession(&Session{Created: when.Truncate(time.Second), Renewed: when}))
	if err != nil || !got.Renewed.Equal(when) {
		t.Fatalf("Renewed %v, %v; want %v", got.Renewed, err, when)
	}
	// Format 2 has no Renewed: it reads as the sign-in time.
	v2 := encodeSession(&Session{Created: when.Truncate(time.Second), Renewed: when})
	tail := writer{}
	tail.millis(when)
	v2 = v2[:len(v2)-len(tail.b)-8] // nor format 4's hint link
	v2[0] = sessionFormatJSONNoRen
	got, err = decodeSession(v2)
	if err != nil || !got.Renewed.Equal(when.Truncate(time.Second)) {
		t.Fatalf("format 2: Renewed %v, %v; want the Created time", got.Renewed, err)
	}
}
