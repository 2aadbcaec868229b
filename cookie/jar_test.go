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

// lastJars are jars of the two kinds stripLast tells apart: one whose every
// cookie name contains its name, and a __Host- one whose hint is a
// __Secure- cookie.
func lastJars(t testing.TB) []*Jar {
	var jars []*Jar
	for _, name := range []string{"oidc_auth", "__Host-s"} {
		jars = append(jars, testJar(t, JarConfig{Name: name, SignOutPath: "/auth/logout"}))
	}
	return jars
}

// stripLast finds the jar's cookies by searching for the jar's name and
// the hint's: every cookie the jar writes must contain one of them, or it
// would reach the upstream.
func TestEveryCookieNameOfAJarContainsItsNameOrTheHints(t *testing.T) {
	for _, j := range lastJars(t) {
		for _, name := range []string{j.name, pieceName(j.name, 1), pieceName(j.name, maxPieces-1),
			j.hintName, pieceName(j.hintName, 1), j.loginName("some state", time.Now())} {
			if !j.ours(name) {
				t.Errorf("jar %q: %q is not its own", j.name, name)
			}
			if !strings.Contains(name, j.name) && !strings.Contains(name, j.hintName) {
				t.Errorf("jar %q: %q contains neither %q nor %q", j.name, name, j.name, j.hintName)
			}
		}
	}
}

// The usual line, the session after the site's cookies, is stripped by
// stripLast; a line with another cookie of ours, or the session before
// others, is left to the whole parse.
func TestStripLastTakesTheUsualLineOnly(t *testing.T) {
	plain, host := lastJars(t)[0], lastJars(t)[1]
	for _, c := range []struct {
		j    *Jar
		h    string
		want string // "-" when stripLast leaves the line to stripCookies
	}{
		{plain, "_ga=GA1.1; theme=dark; oidc_auth=1.A", "_ga=GA1.1; theme=dark"},
		{plain, "oidc_auth=1.A", ""},
		{plain, "theme=dark; oidc_auth_1=B", "theme=dark"},
		{plain, "oidc_auth=1.A; theme=dark", "-"},
		{plain, "oidc_auth_hint=1.H; oidc_auth=1.A", "-"},
		{plain, "a=oidc_auth; oidc_auth=1.A", "-"},
		{plain, "theme=dark; x=oidc_auth", "-"},
		{plain, "theme=dark", "-"},
		{host, "a=1; __Host-s=1.A", "a=1"},
		{host, "__Secure-s_hint=1.H; __Host-s=1.A", "-"},
	} {
		got, removed := c.j.stripLast(c.h)
		if !removed {
			got = "-"
		}
		if got != c.want {
			t.Errorf("jar %q, %q: stripLast gives %q, want %q", c.j.name, c.h, got, c.want)
		}
	}
}

// FuzzStripLast: wherever stripLast answers, it gives what splitting and
// joining the line gives.
func FuzzStripLast(f *testing.F) {
	for _, h := range []string{"", "oidc_auth=1.A", "a=1; oidc_auth=1.A", "oidc_auth=1.A; a=1", " oidc_auth =1.A ",
		"a=1;\t oidc_auth=1.A", ";;oidc_auth=1.A", "oidc_auth_hint=1.H; oidc_auth=1.A", "xoidc_auth=1", "a=1; oidc_auth x=1",
		"oidc_auth_login_k-x=1; oidc_auth=1.A", "__Secure-s_hint=1.H; __Host-s=1.A", "a=__Host-s; __Host-s=1.A"} {
		f.Add(h)
	}
	jars := lastJars(f)
	f.Fuzz(func(t *testing.T, h string) {
		for _, j := range jars {
			got, removed := j.stripLast(h)
			if !removed {
				continue
			}
			if want, wantRemoved := stripCookiesBySplitting(h, j.ours); got != want || !wantRemoved {
				t.Fatalf("jar %q: stripLast(%q) = %q; splitting it gives %q, %v", j.name, h, got, want, wantRemoved)
			}
		}
	})
}
