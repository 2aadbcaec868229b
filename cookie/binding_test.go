package cookie

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// siteA is the site the binding tests seal for.
func siteA(t testing.TB) JarConfig {
	return JarConfig{
		Codec:   testCodec(t, "one secret shared by every site of the test"),
		Name:    "oidc_auth",
		Scope:   "http://127.0.0.1:8001",
		Clients: map[string]Client{"default": {Issuer: "http://127.0.0.1:5556", ClientID: "site-a"}},
	}
}

// sealAt writes s with jar j and returns the Cookie header a browser would send.
func sealAt(t testing.TB, j *Jar, s *Session) string {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := j.WriteSession(rec, nil, s); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: nil, cookies: map[string]string{}}
	for _, line := range rec.Header().Values("Set-Cookie") {
		name, rest, _ := strings.Cut(line, "=")
		value, _, _ := strings.Cut(rest, ";")
		b.cookies[name] = value
		b.order = append(b.order, name)
	}
	return b.header()
}

// A session is valid only where it was issued: the same cookie name, scope,
// provider issuer and client_id. Everything else reads as signed out, even
// with the very same secret.
func TestSessionOpensOnlyOnItsOwnSite(t *testing.T) {
	a := NewJar(siteA(t))
	s := testSession("alice", []byte(`{"sub":"alice"}`))
	s.Provider = "default"
	header := sealAt(t, a, s)
	if got, err := a.ReadSession(requestWith(header), time.Now()); err != nil || got.Subject != "alice" {
		t.Fatalf("its own site: %v, %v", got, err)
	}
	others := map[string]func(*JarConfig){
		"another port": func(c *JarConfig) { c.Scope = "http://127.0.0.1:8002" },
		"another host": func(c *JarConfig) { c.Scope = "http://localhost:8001" },
		"https":        func(c *JarConfig) { c.Scope = "https://127.0.0.1:8001" },
		"another client_id": func(c *JarConfig) {
			c.Clients = map[string]Client{"default": {Issuer: "http://127.0.0.1:5556", ClientID: "site-b"}}
		},
		"another issuer": func(c *JarConfig) {
			c.Clients = map[string]Client{"default": {Issuer: "http://127.0.0.1:5557", ClientID: "site-a"}}
		},
		"the pair under another name": func(c *JarConfig) {
			c.Clients = map[string]Client{"google": {Issuer: "http://127.0.0.1:5556", ClientID: "site-a"}}
		},
	}
	for name, change := range others {
		cfg := siteA(t)
		change(&cfg)
		b := NewJar(cfg)
		if got, err := b.ReadSession(requestWith(header), time.Now()); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: the cookie of site A reads %+v, %v; want ErrInvalid", name, got, err)
		}
	}
}

func TestWriteSessionRefusesAProviderWithoutClient(t *testing.T) {
	a := NewJar(siteA(t))
	s := testSession("alice", nil) // provider "google", which site A lacks
	if err := a.WriteSession(httptest.NewRecorder(), nil, s); !errors.Is(err, ErrUnknownClient) {
		t.Fatalf("WriteSession = %v, want ErrUnknownClient", err)
	}
}

// FuzzSealedForOneSite: a cookie sealed for one site never opens on another.
// Site B shares site A's secret and cookie name and differs in any of scope,
// issuer, client_id or provider name; it must read A's session and login
// state as signed out, and open them only when nothing differs.
func FuzzSealedForOneSite(f *testing.F) {
	f.Add("http://127.0.0.1:8002", "default", "http://127.0.0.1:5556", "site-a")
	f.Add("http://127.0.0.1:8001", "default", "http://127.0.0.1:5556", "site-b")
	f.Add("http://127.0.0.1:8001", "default", "http://127.0.0.1:5556/", "site-a")
	f.Add("http://127.0.0.1:8001", "default", "http://127.0.0.1:5556", "site-a")
	f.Add("http://127.0.0.1:8001\x00", "default", "http://127.0.0.1:5556", "site-a")
	f.Add("http://127.0.0.1:8001", "default", "http://127.0.0.1:5556\x00site-a", "")
	cfgA := siteA(f)
	a := NewJar(cfgA)
	s := testSession("alice", []byte(`{"sub":"alice"}`))
	s.Provider = "default"
	session := sealAt(f, a, s)
	ls := testLoginState("state-of-site-a-0123456789")
	rec := httptest.NewRecorder()
	a.WriteLoginState(rec, nil, ls, time.Minute)
	login := strings.SplitN(rec.Header().Get("Set-Cookie"), ";", 2)[0]

	f.Fuzz(func(t *testing.T, scope, provider, issuer, clientID string) {
		cfgB := siteA(t)
		cfgB.Codec = cfgA.Codec
		cfgB.Scope = scope
		cfgB.Clients = map[string]Client{provider: {Issuer: issuer, ClientID: clientID}}
		b := NewJar(cfgB)
		same := scope == cfgA.Scope && provider == "default" &&
			issuer == cfgA.Clients["default"].Issuer && clientID == cfgA.Clients["default"].ClientID
		got, err := b.ReadSession(requestWith(session), time.Now())
		if same != (err == nil) {
			t.Fatalf("scope %q provider %q issuer %q client %q: session reads %v, %v", scope, provider, issuer, clientID, got, err)
		}
		sameSite := scope == cfgA.Scope
		_, err = b.ReadLoginState(requestWith(login), ls.State, time.Now())
		if sameSite != (err == nil) {
			t.Fatalf("scope %q: login state reads %v", scope, err)
		}
	})
}

// Abandoned sign-ins do not pile up: however many a browser starts, it holds
// the newest few login states, small enough that its Cookie header stays
// under 8 KB, and the newest two still complete.
func TestAbandonedLoginStatesDoNotPileUp(t *testing.T) {
	j := testJar(t, JarConfig{Secure: true, Name: "__Host-oidc_auth-8443"})
	b := newBrowser(t)
	var states []*LoginState
	for i := range 20 {
		ls := testLoginState("state-abandoned-" + strings.Repeat("x", 10) + string(rune('a'+i)))
		ls.ReturnTo = "/report?q=" + strings.Repeat("y", 3000)
		states = append(states, ls)
		rec := httptest.NewRecorder()
		j.WriteLoginState(rec, b.request(), ls, 10*time.Minute)
		b.take(rec)
		time.Sleep(2 * time.Millisecond) // distinct start times, as real clicks have
	}
	if n := len(b.cookies); n > maxPendingLogins {
		t.Fatalf("the browser holds %d login states: %v", n, b.names())
	}
	if n := len(b.header()); n >= 8000 {
		t.Fatalf("Cookie header of %d bytes after 20 abandoned sign-ins", n)
	}
	for _, ls := range states[len(states)-2:] {
		if _, err := j.ReadLoginState(b.request(), ls.State, time.Now()); err != nil {
			t.Errorf("one of the newest sign-ins (%s) no longer completes: %v", ls.State, err)
		}
	}
	if _, err := j.ReadLoginState(b.request(), states[0].State, time.Now()); !errors.Is(err, ErrNoLoginState) {
		t.Errorf("the oldest sign-in still has its state: %v", err)
	}
}
