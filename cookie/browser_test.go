package cookie

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// browser keeps cookies the way a browser would, enough for these tests:
// Set-Cookie lines from responses replace or delete (Max-Age=0) cookies,
// and requests carry what is left.
type browser struct {
	t       *testing.T
	cookies map[string]string
	paths   map[string]string // name -> Path attribute
	order   []string          // names in the order first set
}

func newBrowser(t *testing.T) *browser {
	return &browser{t: t, cookies: map[string]string{}, paths: map[string]string{}}
}

// take applies every Set-Cookie line of rec and returns the lines.
func (b *browser) take(rec *httptest.ResponseRecorder) []string {
	b.t.Helper()
	lines := rec.Header().Values("Set-Cookie")
	for _, line := range lines {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			b.t.Fatalf("unparseable Set-Cookie %q: %v", line, err)
		}
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
			continue
		}
		if _, seen := b.cookies[c.Name]; !seen {
			b.order = append(b.order, c.Name)
		}
		b.cookies[c.Name] = c.Value
		b.paths[c.Name] = c.Path
	}
	return lines
}

// header is the Cookie header the browser would send to /, cookies in the
// order they were first set.
func (b *browser) header() string { return b.headerFor("/") }

// headerFor is the Cookie header for a request to path: cookies whose Path
// is "/", path itself, or a directory above it (RFC 6265 5.1.4).
func (b *browser) headerFor(path string) string {
	var parts []string
	for _, name := range b.order {
		v, ok := b.cookies[name]
		p := b.paths[name]
		if ok && (p == "" || p == "/" || path == p || strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/")) {
			parts = append(parts, name+"="+v)
		}
	}
	return strings.Join(parts, "; ")
}

func (b *browser) request() *http.Request { return b.requestTo("/") }

func (b *browser) requestTo(path string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	if h := b.headerFor(path); h != "" {
		r.Header.Set("Cookie", h)
	}
	return r
}

func (b *browser) names() []string {
	var names []string
	for n := range b.cookies {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// requestWith builds a request carrying exactly the Cookie header h.
func requestWith(h string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if h != "" {
		r.Header.Set("Cookie", h)
	}
	return r
}

func testCodec(t testing.TB, secret string, previous ...string) *Codec {
	t.Helper()
	c, err := NewCodec(secret, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testJar(t testing.TB, cfg JarConfig) *Jar {
	t.Helper()
	if cfg.Codec == nil {
		cfg.Codec = testCodec(t, "test secret with enough entropy for tests")
	}
	if cfg.Clients == nil {
		cfg.Clients = testClients
	}
	return NewJar(cfg)
}

// testClients are the providers the tests' sessions name.
var testClients = map[string]Client{
	"google": {Issuer: "https://accounts.google.com", ClientID: "site.apps.googleusercontent.com"},
	// the client typicalClaims were issued for
	"google-site": {Issuer: "https://accounts.google.com", ClientID: "1234567890-abcdefghijklmnop.apps.googleusercontent.com"},
	"entra":       {Issuer: "https://login.microsoftonline.com/tenant/v2.0", ClientID: "entra-client"},
	"github":      {Issuer: "https://token.actions.githubusercontent.com", ClientID: "gh-client"},
	"default":     {Issuer: "http://127.0.0.1:5556", ClientID: "caddy-site"},
}

// loginCookieName is the name of the login-state cookie b holds for state.
func (b *browser) loginCookieName(j *Jar, state string) string {
	b.t.Helper()
	name, ok := j.loginCookieFor(b.request(), state)
	if !ok {
		b.t.Fatalf("no login-state cookie for %q among %v", state, b.names())
	}
	return name
}

// testSession is a session as the callback would build it, expiring in an hour.
func testSession(sub string, claims []byte) *Session {
	now := time.Now().Truncate(time.Second)
	return &Session{
		Provider:     "google",
		Subject:      sub,
		Claims:       mustClaims(claims),
		Created:      now,
		Expires:      now.Add(time.Hour),
		IDToken:      "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
		AccessToken:  "ya29.access",
		RefreshToken: "1//refresh",
		TokenExpiry:  now.Add(30 * time.Minute),
		SID:          "sid-" + sub,
		Renewed:      now,
	}
}

// sameSession compares the fields a user sees.
func sameSession(a, b *Session) bool {
	return a.Provider == b.Provider && a.Subject == b.Subject && reflect.DeepEqual(a.Claims.Map(), b.Claims.Map()) &&
		a.Created.Equal(b.Created) && a.Expires.Equal(b.Expires) && a.IDToken == b.IDToken &&
		a.AccessToken == b.AccessToken && a.RefreshToken == b.RefreshToken &&
		a.TokenExpiry.Equal(b.TokenExpiry) && a.SID == b.SID && a.Renewed.Equal(b.Renewed)
}

// mustClaims converts JSON claims for a test; nil gives no claims.
func mustClaims(js []byte) Claims {
	c, err := ClaimsFromJSON(js)
	if err != nil {
		panic(err)
	}
	return c
}

// bigClaims is a claims object of about n bytes, like an Entra ID token
// listing many groups.
func bigClaims(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"sub":"user-1","email":"a@example.com","groups":[`)
	for i := 0; b.Len() < n-50; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"6f1c2b9e-8d7a-4c3b-9e2f-` + strings.Repeat("0", 6) + string(rune('a'+i%26)) + `12345"`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}
