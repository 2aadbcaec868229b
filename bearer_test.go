package oidcauth

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

func cacheEntry(claims string, exp time.Time) *bearerEntry {
	c, err := cookie.ClaimsFromJSON([]byte(claims))
	if err != nil {
		panic(err)
	}
	return &bearerEntry{provider: "default", expires: exp, sess: &cookie.Session{Subject: "u", Claims: c}}
}

func TestBearerCacheNeverAnswersPastExp(t *testing.T) {
	c := newBearerCache(10, 1<<20)
	now := time.Now()
	c.put("tok", cacheEntry(`{}`, now.Add(time.Minute)), now)
	if c.get("tok", now.Add(59*time.Second)) == nil {
		t.Error("a token valid for another second was forgotten")
	}
	if c.get("tok", now.Add(time.Minute)) != nil {
		t.Error("a token was answered at its exp")
	}
	if c.get("other", now) != nil {
		t.Error("an unknown token was answered")
	}
}

func TestBearerCacheIsBounded(t *testing.T) {
	now := time.Now()
	c := newBearerCache(100, 1<<20)
	for i := range 1000 {
		c.put(fmt.Sprintf("tok-%d", i), cacheEntry(`{}`, now.Add(time.Hour)), now)
	}
	if n, _ := c.len(); n > 100 {
		t.Errorf("%d entries, bound 100", n)
	}
	if c.get("tok-999", now) == nil {
		t.Error("the newest token was not kept")
	}
	big := `{"x":"` + strings.Repeat("x", 10<<10) + `"}`
	c = newBearerCache(1000, 64<<10)
	for i := range 100 {
		c.put(fmt.Sprintf("tok-%d", i), cacheEntry(big, now.Add(time.Hour)), now)
	}
	if _, b := c.len(); b > 64<<10 {
		t.Errorf("%d bytes, bound %d", b, 64<<10)
	}
	c.put("huge", cacheEntry(`{"x":"`+strings.Repeat("x", 100<<10)+`"}`, now.Add(time.Hour)), now)
	if c.get("huge", now) != nil {
		t.Error("an entry larger than the whole budget was kept")
	}
	// Expired entries make room before live ones go.
	c = newBearerCache(10, 1<<20)
	for i := range 9 {
		c.put(fmt.Sprintf("old-%d", i), cacheEntry(`{}`, now.Add(time.Second)), now)
	}
	c.put("live", cacheEntry(`{}`, now.Add(time.Hour)), now)
	c.put("new", cacheEntry(`{}`, now.Add(time.Hour)), now.Add(2*time.Second))
	if c.get("live", now) == nil || c.get("new", now) == nil {
		t.Error("a live token went while expired ones were there")
	}
}

func TestBearerConfigRefusals(t *testing.T) {
	site := "http://localhost:8501 {\n\toidc_auth {\n\t\tredirect_uri http://localhost:8501/oauth2callback\n\t\tcookie_secret 0123456789abcdef0123\n\t\tclient_id x\n\t\tserver_metadata_url https://idp.example/.well-known/openid-configuration\n\t\t%s\n\t}\n\trespond ok\n}\n"
	for name, c := range map[string]struct{ line, want string }{
		"empty audience": {"bearer {env.OIDCAUTH_TEST_UNSET_AUD}", "bearer: an audience is empty"},
		"a block":        {"bearer {\n\t\t\taud x\n\t\t}", "bearer takes audiences"},
	} {
		err := testsupport.Validate(t, fmt.Sprintf(site, c.line))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if err := testsupport.Validate(t, fmt.Sprintf(site, "bearer https://api.example.com api://default")); err != nil {
		t.Errorf("audiences: %v", err)
	}
}

// BenchmarkBearerCheckCached: an API client calling again with the token it
// called with before (the common case): the header, the cache, the
// sign-out check, the placeholders, the allow rules.
func BenchmarkBearerCheckCached(b *testing.B) {
	f := newBenchFixture(b)
	f.m.Bearer = &BearerConfig{}
	if err := f.m.provisionBearer(); err != nil {
		b.Fatal(err)
	}
	tok, err := f.dp.MintToken(devprovider.Mint{User: "alice"})
	if err != nil {
		b.Fatal(err)
	}
	req := func() *http.Request {
		r, _ := benchRequest(benchSite+"/api/items", "")
		r.Header.Set("Accept", "application/json")
		r.Header.Set("Authorization", "Bearer "+tok)
		return r
	}
	r, repl := benchRequest(benchSite+"/api/items", "")
	r.Header.Set("Authorization", "Bearer "+tok)
	passed := false
	next := caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { passed = true; return nil })
	if err := f.m.ServeHTTP(&benchWriter{h: http.Header{}}, r, next); err != nil || !passed {
		b.Fatalf("bearer request not passed on: %v", err)
	}
	if got := repl.ReplaceAll("{http.auth.user.id} {http.auth.user.email}", ""); got != "alice alice@example.com" {
		b.Fatalf("placeholders: %q", got)
	}
	benchBatches(b, 256, false, req, f.serveAll(b))
}
