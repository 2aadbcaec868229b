package oidcauth

// What a protected request and a sign-in cost, measured on the handler
// itself: no sockets, no Caddy server loop. Each request is prepared the way
// Caddy's server prepares it (a fresh Replacer with the HTTP variables in the
// request context, caddyhttp.NewTestReplacer) while the timer is stopped, so
// ns/op, B/op and allocs/op are oidc_auth's own.
//
//	go test -run '^$' -bench 'SessionCheck|Placeholders|Callback' -benchmem .
//
// The end-to-end comparison with a plain page, under load, is bench/run.sh.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/caddy-oidc-auth/oidcauth/bench/cpuclock"
	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/flow"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

const benchSite = "http://site.test"

// benchFixture is a provisioned handler whose provider, the devprovider, is
// reached through an in-memory transport instead of the network.
type benchFixture struct {
	m  *OIDCAuth
	dp *devprovider.Provider
	tr *benchTransport
}

// benchTransport serves provider requests in-process. Token responses
// fetched in advance (replay, by code) are answered without the provider, so
// a timed callback does none of the provider's work (signing the ID token).
type benchTransport struct {
	dp     http.Handler
	mu     sync.Mutex
	replay map[string][]byte   // code -> token response body
	seen   func(*http.Request) // when set, hears of every request first; tests only
}

func (t *benchTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.seen != nil {
		t.seen(r)
	}
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/token") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		t.mu.Lock()
		saved, ok := t.replay[form.Get("code")]
		delete(t.replay, form.Get("code"))
		t.mu.Unlock()
		if ok {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader(saved)), Request: r, ContentLength: int64(len(saved))}, nil
		}
	}
	rec := httptest.NewRecorder()
	t.dp.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// newBenchFixture provisions oidc_auth as Caddy would (Provision with a
// Caddy context) against the devprovider; its logger encodes JSON at INFO
// into io.Discard, as Caddy's default logger would, minus the terminal.
// Each configure sets more of the handler's config before Provision.
func newBenchFixture(tb testing.TB, configure ...func(*OIDCAuth)) *benchFixture {
	tb.Helper()
	cfg := testsupport.ProviderConfig()
	cfg.Issuer = "http://provider.test"
	cfg.Clients[0].RedirectURIs = []string{benchSite + "/oauth2callback"}
	dp, err := devprovider.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	f := &benchFixture{dp: dp, tr: &benchTransport{dp: dp, replay: map[string][]byte{}}}
	f.m = &OIDCAuth{
		RedirectURI:       benchSite + "/oauth2callback",
		CookieSecret:      testsupport.CookieSecret,
		ClientID:          testsupport.ClientID,
		ClientSecret:      testsupport.ClientSecret,
		ServerMetadataURL: dp.MetadataURL(),
	}
	for _, c := range configure {
		c(f.m)
	}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	tb.Cleanup(cancel)
	if err := f.m.Provision(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = f.m.Cleanup() })
	f.m.logger = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
		zapcore.AddSync(io.Discard), zap.InfoLevel))
	// The same provider Provision built, with the in-memory transport.
	p, err := flow.NewProvider(flow.Config{Name: "default", ClientID: testsupport.ClientID, ClientSecret: testsupport.ClientSecret,
		MetadataURL: dp.MetadataURL(), RedirectURL: f.m.RedirectURI, HTTPClient: &http.Client{Transport: f.tr}})
	if err != nil {
		tb.Fatal(err)
	}
	f.m.providers["default"] = p
	return f
}

var benchNext = caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil })

// benchWriter is a ResponseWriter that keeps headers and drops the body.
type benchWriter struct{ h http.Header }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *benchWriter) WriteHeader(int)             {}

// benchRequest is a GET of target as Caddy's server hands it to handlers.
func benchRequest(target, cookieHeader string) (*http.Request, *caddy.Replacer) {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Accept", "text/html,application/xhtml+xml")
	if cookieHeader != "" {
		r.Header.Set("Cookie", cookieHeader)
	}
	return r, caddyhttp.NewTestReplacer(r)
}

// benchCookies turns the Set-Cookie lines of h into the Cookie header a
// browser sends to a page: not the sign-out hint, whose path is the
// sign-out route's.
func benchCookies(h http.Header) string {
	var parts []string
	for _, line := range h.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil && c.MaxAge >= 0 && c.Value != "" && (c.Path == "" || c.Path == "/") {
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	return strings.Join(parts, "; ")
}

// prepareCallback walks a sign-in up to the provider's redirect back: it
// returns the callback request (with its login-state cookie) and, unless
// live, records the token response so that the callback does no provider work.
func (f *benchFixture) prepareCallback(tb testing.TB, user string, live bool) *http.Request {
	tb.Helper()
	login, _ := benchRequest(benchSite+"/auth/login", "")
	rec := httptest.NewRecorder()
	if err := f.m.ServeHTTP(rec, login, benchNext); err != nil || rec.Code != http.StatusFound {
		tb.Fatalf("login: %d %v", rec.Code, err)
	}
	authz, _ := url.Parse(rec.Header().Get("Location"))
	authz = testsupport.WithLoginHint(authz, user)
	resp, err := f.tr.RoundTrip(httptest.NewRequest(http.MethodGet, authz.String(), nil))
	if err != nil || resp.StatusCode != http.StatusFound {
		tb.Fatalf("authorize: %v %v", resp.Status, err)
	}
	cb, _ := benchRequest(resp.Header.Get("Location"), benchCookies(rec.Header()))
	if live {
		return cb
	}
	state := cb.URL.Query().Get("state")
	ls, err := f.m.jar.ReadLoginState(cb, state, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	code := cb.URL.Query().Get("code")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {f.m.RedirectURI}, "code_verifier": {ls.Verifier}}
	tok := httptest.NewRequest(http.MethodPost, "http://provider.test/token", strings.NewReader(form.Encode()))
	tok.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tok.SetBasicAuth(testsupport.ClientID, testsupport.ClientSecret)
	trec := httptest.NewRecorder()
	f.dp.ServeHTTP(trec, tok)
	if trec.Code != 200 {
		tb.Fatalf("token: %d %s", trec.Code, trec.Body)
	}
	f.tr.mu.Lock()
	f.tr.replay[code] = trec.Body.Bytes()
	f.tr.mu.Unlock()
	return cb
}

// signIn completes a real sign-in and returns the session's Cookie header.
func (f *benchFixture) signIn(tb testing.TB, user string) string {
	tb.Helper()
	cb := f.prepareCallback(tb, user, true)
	rec := httptest.NewRecorder()
	if err := f.m.ServeHTTP(rec, cb, benchNext); err != nil || rec.Code != http.StatusFound {
		tb.Fatalf("callback: %d %v %s", rec.Code, err, rec.Body)
	}
	return benchCookies(rec.Header())
}

// freshCookie seals the session behind an existing cookie anew: a value
// this handler has never seen (a fresh nonce), for the same user.
func (f *benchFixture) freshCookie(tb testing.TB, existing string) string {
	r, _ := benchRequest(benchSite+"/", existing)
	s, err := f.m.jar.ReadSession(r, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if err := f.m.jar.WriteSession(rec, nil, s); err != nil {
		tb.Fatal(err)
	}
	return benchCookies(rec.Header())
}

// benchBatches runs do on b.N requests that prep makes while the timer is
// stopped, a batch at a time. With reportCPU it also reports the process's
// CPU time per op (user+system, all threads: garbage collection included,
// even of prep's garbage, so it errs high).
func benchBatches(b *testing.B, batch int, reportCPU bool, prep func() *http.Request, do func(*http.Request)) {
	b.ReportAllocs()
	reqs := make([]*http.Request, 0, batch)
	var cpu time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; {
		b.StopTimer()
		reqs = reqs[:0]
		for range min(batch, b.N-done) {
			reqs = append(reqs, prep())
		}
		before := benchCPUTime()
		b.StartTimer()
		for _, r := range reqs {
			do(r)
		}
		b.StopTimer()
		cpu += benchCPUTime() - before
		done += len(reqs)
	}
	if _, ok := cpuclock.Process(); ok && reportCPU {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func benchCPUTime() time.Duration {
	t, _ := cpuclock.Process()
	return t
}

// mustPassSignedIn checks, before timing, that a request with cookies goes
// on to the next handler as that signed-in user.
func (f *benchFixture) mustPassSignedIn(tb testing.TB, cookies, wantEmail string) {
	tb.Helper()
	r, repl := benchRequest(benchSite+"/index.html", cookies)
	passed := false
	next := caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { passed = true; return nil })
	if err := f.m.ServeHTTP(httptest.NewRecorder(), r, next); err != nil || !passed {
		tb.Fatalf("signed-in request not passed on (err %v)", err)
	}
	if got := repl.ReplaceAll("{http.auth.user.is_logged_in} {http.auth.user.email}", ""); got != "true "+wantEmail {
		tb.Fatalf("placeholders: %q", got)
	}
}

// serveAll is the timed part: oidc_auth's whole step for each request.
func (f *benchFixture) serveAll(b *testing.B) func(*http.Request) {
	w := &benchWriter{h: http.Header{}} // the signed-in path writes nothing
	return func(r *http.Request) {
		if err := f.m.ServeHTTP(w, r, benchNext); err != nil {
			b.Fatal(err)
		}
	}
}

// siteCookies are other cookies a site's visitors often carry; oidc_auth
// must find its own among them and strip only those.
const siteCookies = "_ga=GA1.1.1234567890.1700000000; theme=dark; csrftoken=abcdefghijklmnopqrstuvwxyz012345"

// benchCookieSets are the Cookie headers a signed-in browser sends: the
// session alone, and the session among the site's other cookies.
func benchCookieSets(session string) map[string]string {
	return map[string]string{"session-only": session, "with-site-cookies": siteCookies + "; " + session}
}

// BenchmarkSessionCheckCached: a signed-in request whose cookie was seen
// recently (the common case: a user browsing). The cookie is a real one,
// from a sign-in through the devprovider.
func BenchmarkSessionCheckCached(b *testing.B) {
	f := newBenchFixture(b)
	session := f.signIn(b, "alice")
	for name, cookies := range benchCookieSets(session) {
		b.Run(name, func(b *testing.B) {
			f.mustPassSignedIn(b, cookies, "alice@example.com")
			benchBatches(b, 256, false, func() *http.Request {
				r, _ := benchRequest(benchSite+"/index.html", cookies)
				return r
			}, f.serveAll(b))
		})
	}
}

// BenchmarkSessionCheckUncached: a signed-in request whose cookie this
// process has never seen (after a restart, or a user beyond the cache):
// every op opens a freshly sealed cookie of the same session.
func BenchmarkSessionCheckUncached(b *testing.B) {
	f := newBenchFixture(b)
	session := f.signIn(b, "alice")
	for name, cookies := range benchCookieSets(session) {
		b.Run(name, func(b *testing.B) {
			fresh := func() string { return strings.Replace(cookies, session, f.freshCookie(b, session), 1) }
			f.mustPassSignedIn(b, fresh(), "alice@example.com")
			benchBatches(b, 256, false, func() *http.Request {
				r, _ := benchRequest(benchSite+"/index.html", fresh())
				return r
			}, f.serveAll(b))
		})
	}
}

// BenchmarkPlaceholders: what a following handler pays to read the user,
// as `header_up X-User-Email {http.auth.user.email}` or a template would.
func BenchmarkPlaceholders(b *testing.B) {
	f := newBenchFixture(b)
	cookies := f.signIn(b, "alice")
	const tmpl = "{http.auth.user.email} {http.auth.user.name}"
	const want = "alice@example.com Alice Liddell"
	// One request, read again and again: the lookups alone.
	b.Run("resolve", func(b *testing.B) {
		r, repl := benchRequest(benchSite+"/index.html", cookies)
		f.serveAll(b)(r)
		if got := repl.ReplaceAll(tmpl, ""); got != want {
			b.Fatalf("got %q", got)
		}
		b.ReportAllocs()
		for b.Loop() {
			_ = repl.ReplaceAll(tmpl, "")
		}
	})
	// A never-seen cookie, then both placeholders: includes decoding the
	// claims, which happens once per cookie value and is shared after.
	b.Run("first-use", func(b *testing.B) {
		serve := f.serveAll(b)
		repls := map[*http.Request]*caddy.Replacer{}
		benchBatches(b, 256, false, func() *http.Request {
			r, repl := benchRequest(benchSite+"/index.html", f.freshCookie(b, cookies))
			repls[r] = repl
			return r
		}, func(r *http.Request) {
			serve(r)
			if got := repls[r].ReplaceAll(tmpl, ""); got != want {
				b.Fatalf("got %q", got)
			}
			delete(repls, r)
		})
	})
}

// BenchmarkCallback: the callback route's own work for one sign-in: the
// login-state cookie, the token request and response handling, ID-token
// verification (RS256), the session seal and cookies. Discovery and keys are
// cached (one sign-in runs before timing). The provider's work is not
// included: the token response, signed beforehand, is replayed from memory,
// so the HTTP client runs but no socket is opened. cpu-ns/op is the
// process's CPU per sign-in, garbage collection included.
func BenchmarkCallback(b *testing.B) {
	f := newBenchFixture(b)
	f.signIn(b, "warm-up")
	w := &benchWriter{}
	n := 0
	benchBatches(b, 256, true, func() *http.Request {
		n++
		return f.prepareCallback(b, fmt.Sprintf("user%d", n), false)
	}, func(r *http.Request) {
		w.h = http.Header{}
		if err := f.m.ServeHTTP(w, r, benchNext); err != nil || !strings.HasPrefix(w.h.Get("Set-Cookie"), "oidc_auth") {
			b.Fatalf("callback failed: %v %v", err, w.h)
		}
	})
}
