package cookie

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestNewJarDefaults(t *testing.T) {
	j := testJar(t, JarConfig{})
	if j.name != "oidc_auth" || j.maxAge != 30*24*time.Hour || j.MaxSessionBytes() != 16<<10 {
		t.Fatalf("defaults: name %q, max age %v, budget %d", j.name, j.maxAge, j.MaxSessionBytes())
	}
	if j.cache == nil || j.cache.generation != DefaultCacheSize/2 {
		t.Fatalf("the default cache is not %d entries", DefaultCacheSize)
	}
	if testJar(t, JarConfig{CacheSize: -1}).cache != nil {
		t.Fatal("CacheSize < 0 still caches")
	}
}

func TestNewJarRefusesProgrammingErrors(t *testing.T) {
	for name, cfg := range map[string]JarConfig{
		"nil codec":    {Clients: testClients},
		"no clients":   {Codec: testCodec(t, "s")},
		"invalid name": {Codec: testCodec(t, "s"), Clients: testClients, Name: "bad name;"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: NewJar did not refuse it", name)
				}
			}()
			NewJar(cfg)
		}()
	}
}

// Every cookie the jar writes, of every kind, carries the same attributes.
func TestEveryCookieHasTheAttributes(t *testing.T) {
	for _, secure := range []bool{false, true} {
		j := testJar(t, JarConfig{Secure: secure})
		rec := httptest.NewRecorder()
		if err := j.WriteSession(rec, requestWith("oidc_auth_5=stale"), testSession("u", bigClaims(6000))); err != nil {
			t.Fatal(err)
		}
		j.ClearSession(rec, requestWith("oidc_auth=x; oidc_auth_1=y"))
		j.WriteLoginState(rec, nil, &LoginState{State: "state-0123456789abcdef"}, 10*time.Minute)
		login, _ := http.ParseSetCookie(rec.Header().Values("Set-Cookie")[len(rec.Header().Values("Set-Cookie"))-1])
		j.ClearLoginState(rec, requestWith(login.Name+"="+login.Value), "state-0123456789abcdef")
		lines := rec.Header().Values("Set-Cookie")
		if len(lines) < 7 {
			t.Fatalf("only %d Set-Cookie lines: %q", len(lines), lines)
		}
		for _, line := range lines {
			c, err := http.ParseSetCookie(line)
			if err != nil {
				t.Fatal(err)
			}
			if !c.HttpOnly || c.Path != "/" || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.MaxAge == 0 {
				t.Errorf("secure=%v: %q lacks HttpOnly, Path=/, SameSite=Lax, Max-Age or the right Secure", secure, line)
			}
			if c.Domain != "" {
				t.Errorf("%q sets a Domain; cookies stay on the site's host", line)
			}
		}
	}
}

func TestStripCookies(t *testing.T) {
	j := testJar(t, JarConfig{})
	login := j.loginName("some-state-value", time.Now())
	cases := []struct {
		name string
		in   []string // Cookie header lines; nil for none
		want []string // nil: no Cookie header left
	}{
		{"no cookies", nil, nil},
		{"only others", []string{"a=1; b=2"}, []string{"a=1; b=2"}},
		{"only ours", []string{"oidc_auth=1.x; oidc_auth_1=y; " + login + "=z"}, nil},
		{"mixed", []string{"a=1; oidc_auth=2.x; b=\"q\"; oidc_auth_1=y;c=3"}, []string{"a=1; b=\"q\";c=3"}},
		{"login state first", []string{login + "=z; theme=dark"}, []string{"theme=dark"}},
		{"stale piece", []string{"oidc_auth_7=old; a=1"}, []string{"a=1"}},
		{"look-alikes kept", []string{"oidc_auth2=1; oidc_auth_x=2; oidc_authlogin_3=3; xoidc_auth=4"}, []string{"oidc_auth2=1; oidc_auth_x=2; oidc_authlogin_3=3; xoidc_auth=4"}},
		{"two lines, one emptied", []string{"oidc_auth=1.x", "a=1;  oidc_auth_1=y"}, []string{"a=1"}},
		{"two lines kept", []string{"a=1", "b=2"}, []string{"a=1", "b=2"}},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, h := range tc.in {
			r.Header.Add("Cookie", h)
		}
		j.StripCookies(r)
		got := r.Header["Cookie"]
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") || (got == nil) != (tc.want == nil) {
			t.Errorf("%s: Cookie = %q, want %q", tc.name, got, tc.want)
		}
		for _, c := range r.Cookies() {
			if j.ours(c.Name) {
				t.Errorf("%s: %s survived", tc.name, c.Name)
			}
		}
	}
}

func TestStripCookiesOfAnotherJarName(t *testing.T) {
	j := testJar(t, JarConfig{Name: "app_session"})
	r := requestWith("oidc_auth=1.x; app_session=1.y; app_session_1=z")
	j.StripCookies(r)
	if got := r.Header.Get("Cookie"); got != "oidc_auth=1.x" {
		t.Fatalf("Cookie = %q, want only the cookie of another name", got)
	}
}
