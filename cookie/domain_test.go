package cookie

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// With a Domain, every cookie the jar writes or expires carries it: a
// sign-out that expired a host-only copy would leave the domain's cookie in
// the browser, signed in on every site under it.
func TestDomainJarSetsAndExpiresWithTheDomain(t *testing.T) {
	j := testJar(t, JarConfig{Domain: "example.com", Name: "oidc_auth.example.com", Scope: "domain:example.com"})
	rec := httptest.NewRecorder()
	if err := j.WriteSession(rec, requestWith("oidc_auth.example.com_5=stale"), testSession("u", bigClaims(6000))); err != nil {
		t.Fatal(err)
	}
	j.ClearSession(rec, requestWith("oidc_auth.example.com=x; oidc_auth.example.com_1=y"))
	j.WriteLoginState(rec, nil, &LoginState{State: "state-0123456789abcdef"}, 10*time.Minute)
	lines := rec.Header().Values("Set-Cookie")
	login, _ := http.ParseSetCookie(lines[len(lines)-1])
	j.ClearLoginState(rec, requestWith(login.Name+"="+login.Value), "state-0123456789abcdef")
	lines = rec.Header().Values("Set-Cookie")
	expired := 0
	for _, line := range lines {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatal(err)
		}
		if c.Domain != "example.com" {
			t.Errorf("%q: Domain %q, want example.com", line, c.Domain)
		}
		if c.MaxAge < 0 {
			expired++
		}
		if !strings.HasPrefix(c.Name, "oidc_auth.example.com") {
			t.Errorf("%q: not the jar's name", line)
		}
	}
	if expired < 3 {
		t.Errorf("only %d expiring lines in %q", expired, lines)
	}
}

// A session of the domain does not open in a host-only jar of the same
// name and secret, nor the other way round: the scope is sealed in.
func TestDomainSessionsStayInTheirScope(t *testing.T) {
	codec := testCodec(t, "shared secret 0123456789")
	domain := testJar(t, JarConfig{Codec: codec, Name: "oidc_auth", Scope: "domain:example.com", Domain: "example.com"})
	host := testJar(t, JarConfig{Codec: codec, Name: "oidc_auth", Scope: "https://app1.example.com"})
	for _, c := range []struct {
		name     string
		from, to *Jar
	}{{"domain into host-only", domain, host}, {"host-only into domain", host, domain}} {
		rec := httptest.NewRecorder()
		if err := c.from.WriteSession(rec, nil, testSession("u", nil)); err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/", nil)
		for _, ck := range rec.Result().Cookies() {
			r.AddCookie(ck)
		}
		if _, err := c.from.ReadSession(r, time.Now()); err != nil {
			t.Fatalf("%s: its own jar cannot read it: %v", c.name, err)
		}
		if s, err := c.to.ReadSession(r, time.Now()); err == nil {
			t.Errorf("%s: opened as %v", c.name, s.Subject)
		}
	}
}
