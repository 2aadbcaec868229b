package cookie

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func testLoginState(state string) *LoginState {
	return &LoginState{
		State:         state,
		Provider:      "google",
		Nonce:         "nonce-" + state,
		Verifier:      "verifier-" + state + "-0123456789012345678901234567890123456789",
		ReturnTo:      "/reports?year=2024&q=a%20b",
		DefaultPrompt: true,
	}
}

func writeLogin(t *testing.T, j *Jar, b *browser, ls *LoginState) string {
	t.Helper()
	rec := httptest.NewRecorder()
	j.WriteLoginState(rec, b.request(), ls, 10*time.Minute)
	lines := b.take(rec)
	if len(lines) != 1 {
		t.Fatalf("WriteLoginState wrote %d cookies", len(lines))
	}
	return lines[0]
}

func TestLoginStateRoundTrip(t *testing.T) {
	j := testJar(t, JarConfig{})
	b := newBrowser(t)
	want := testLoginState("state-aaaaaaaaaaaaaaaa")
	want.Retried = true
	line := writeLogin(t, j, b, want)
	c, _ := http.ParseSetCookie(line)
	if c.MaxAge != 600 {
		t.Fatalf("Max-Age = %d, want 600", c.MaxAge)
	}
	got, err := j.ReadLoginState(b.request(), want.State, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if *got != *want {
		t.Fatalf("read %+v, want %+v", got, want)
	}
}

func TestLoginStateNameComesFromTheState(t *testing.T) {
	j := testJar(t, JarConfig{})
	now := time.Now()
	a, b := j.loginName("state-one-aaaaaaaaaaaa", now), j.loginName("state-two-bbbbbbbbbbbb", now)
	if a == b || !strings.HasPrefix(a, "oidc_auth_login_") {
		t.Fatalf("names %q and %q", a, b)
	}
	if err := (&http.Cookie{Name: j.loginName("weird; state=with\"quotes\" and spaces", now), Value: "x"}).Valid(); err != nil {
		t.Fatalf("a state with odd characters gives an invalid cookie name: %v", err)
	}
}

// Two tabs sign in at once: each callback finds its own login state.
func TestTwoConcurrentLoginStates(t *testing.T) {
	j := testJar(t, JarConfig{})
	b := newBrowser(t)
	tab1, tab2 := testLoginState("state-tab1-aaaaaaaaaaaa"), testLoginState("state-tab2-bbbbbbbbbbbb")
	tab2.Provider, tab2.ReturnTo = "github", "/other"
	writeLogin(t, j, b, tab1)
	writeLogin(t, j, b, tab2)
	if len(b.cookies) != 2 {
		t.Fatalf("browser holds %d login cookies, want 2", len(b.cookies))
	}
	for _, want := range []*LoginState{tab2, tab1} {
		got, err := j.ReadLoginState(b.request(), want.State, time.Now())
		if err != nil || *got != *want {
			t.Fatalf("state %s: read %+v, %v", want.State, got, err)
		}
		rec := httptest.NewRecorder()
		j.ClearLoginState(rec, b.request(), want.State)
		b.take(rec)
	}
	if len(b.cookies) != 0 {
		t.Fatalf("after both callbacks the browser keeps %v", b.names())
	}
}

func TestLoginStateIsSingleUse(t *testing.T) {
	j := testJar(t, JarConfig{})
	b := newBrowser(t)
	ls := testLoginState("state-once-aaaaaaaaaaaa")
	writeLogin(t, j, b, ls)
	rec := httptest.NewRecorder()
	name := b.loginCookieName(j, ls.State)
	j.ClearLoginState(rec, b.request(), ls.State)
	line := rec.Header().Get("Set-Cookie")
	if !strings.HasPrefix(line, name+"=;") || !strings.Contains(line, "Max-Age=0") {
		t.Fatalf("ClearLoginState wrote %q", line)
	}
	b.take(rec)
	if _, err := j.ReadLoginState(b.request(), ls.State, time.Now()); !errors.Is(err, ErrNoLoginState) {
		t.Fatalf("a second callback: error = %v, want ErrNoLoginState", err)
	}
}

func TestLoginStateRefusals(t *testing.T) {
	j := testJar(t, JarConfig{})
	b := newBrowser(t)
	ls := testLoginState("state-real-aaaaaaaaaaaa")
	writeLogin(t, j, b, ls)
	name := b.loginCookieName(j, ls.State)
	value := b.cookies[name]

	if _, err := j.ReadLoginState(b.request(), "state-other-bbbbbbbbbbb", time.Now()); !errors.Is(err, ErrNoLoginState) {
		t.Errorf("another state: error = %v, want ErrNoLoginState", err)
	}
	if _, err := j.ReadLoginState(b.request(), "", time.Now()); !errors.Is(err, ErrNoLoginState) {
		t.Errorf("no state: error = %v, want ErrNoLoginState", err)
	}
	// State A's value under state B's cookie name: the seal binds the state.
	other := "state-other-bbbbbbbbbbb"
	if _, err := j.ReadLoginState(requestWith(j.loginName(other, time.Now())+"="+value), other, time.Now()); !errors.Is(err, ErrInvalid) {
		t.Errorf("state A's value for state B: error = %v, want ErrInvalid", err)
	}
	// A login-state value is no session, and a session is no login state.
	if _, err := j.ReadSession(requestWith("oidc_auth=1."+value), time.Now()); !errors.Is(err, ErrInvalid) {
		t.Errorf("login state as a session: error = %v, want ErrInvalid", err)
	}
	sb, _ := writeSession(t, j, testSession("u", nil))
	sealed := strings.TrimPrefix(sb.cookies["oidc_auth"], "1.")
	if _, err := j.ReadLoginState(requestWith(name+"="+sealed), ls.State, time.Now()); !errors.Is(err, ErrInvalid) {
		t.Errorf("session as a login state: error = %v, want ErrInvalid", err)
	}
	// The 10 minutes are sealed inside, not only in Max-Age.
	if _, err := j.ReadLoginState(b.request(), ls.State, time.Now().Add(10*time.Minute+time.Second)); !errors.Is(err, ErrExpired) {
		t.Errorf("after 10 minutes: error = %v, want ErrExpired", err)
	}
	// Another secret.
	stranger := testJar(t, JarConfig{Codec: testCodec(t, "another secret")})
	if _, err := stranger.ReadLoginState(b.request(), ls.State, time.Now()); !errors.Is(err, ErrInvalid) {
		t.Errorf("another secret: error = %v, want ErrInvalid", err)
	}
}

func TestLoginStateLongReturnToFallsBackToRoot(t *testing.T) {
	j := testJar(t, JarConfig{Secure: true})
	b := newBrowser(t)
	ls := testLoginState("state-long-aaaaaaaaaaaa")
	ls.ReturnTo = "/search?q=" + strings.Repeat("x", 5000)
	line := writeLogin(t, j, b, ls)
	if n := len("Set-Cookie: " + line); n > maxLoginCookieLine {
		t.Fatalf("a %d-byte Set-Cookie line", n)
	}
	got, err := j.ReadLoginState(b.request(), ls.State, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got.ReturnTo != "/" || got.Nonce != ls.Nonce || got.Verifier != ls.Verifier {
		t.Fatalf("read %+v, want everything but ReturnTo, which becomes /", got)
	}
}

func TestLoginStateEncodingRejectsDamage(t *testing.T) {
	b := encodeLoginState(testLoginState("s"))
	for n := range len(b) {
		if _, err := decodeLoginState(b[:n]); err == nil {
			t.Fatalf("first %d of %d bytes decoded", n, len(b))
		}
	}
	bad := append([]byte{}, b...)
	bad[len(bad)-1] |= 0x80 // an unknown flag
	if _, err := decodeLoginState(bad); err == nil {
		t.Fatal("an unknown flag decoded")
	}
}

func TestLoginStateKeepsItsLoginHint(t *testing.T) {
	ls := &LoginState{State: "s", Provider: "p", Nonce: "n", Verifier: "v", ReturnTo: "/x", LoginHint: "bob@example.org", DefaultPrompt: true}
	got, err := decodeLoginState(encodeLoginState(ls))
	if err != nil || got.LoginHint != "bob@example.org" || !got.DefaultPrompt || got.ReturnTo != "/x" {
		t.Fatalf("%+v, %v", got, err)
	}
	// A sign-in started before the upgrade (format 1, no hint) still finishes.
	old := encodeLoginState(&LoginState{State: "s", Provider: "p", Nonce: "n", Verifier: "v", ReturnTo: "/x"})
	old = old[:len(old)-1] // the empty hint's length byte
	old[0] = loginFormatNoHint
	if got, err := decodeLoginState(old); err != nil || got.ReturnTo != "/x" || got.LoginHint != "" {
		t.Fatalf("format 1: %+v, %v", got, err)
	}
}
