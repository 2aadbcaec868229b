package sitetests_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// wantInvalidToken: 401 with RFC 6750's invalid_token challenge, a
// description that does not repeat the token, no cookie, no redirect.
func wantInvalidToken(t testing.TB, what, token string, resp *http.Response, body string) {
	t.Helper()
	wantNoCookieNoRedirect(t, what, resp)
	got := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(got, `Bearer realm="`) ||
		!strings.Contains(got, `error="invalid_token"`) || !strings.Contains(got, `error_description="`) {
		t.Errorf("%s: %d %q, WWW-Authenticate %q", what, resp.StatusCode, body, got)
	}
	if tail := token[max(0, len(token)-16):]; len(token) > 16 && (strings.Contains(got, tail) || strings.Contains(body, tail)) {
		t.Errorf("%s: the answer repeats the token", what)
	}
}

func TestBearerRefusesForgedAndWrongTokens(t *testing.T) {
	p := testsupport.StartProvider(t)
	other := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "bearer", bearerEcho))
	site := testsupport.SiteURL(port)

	signedWith := func(alg string) string { // by the provider itself, with this algorithm
		p.SetBehavior(devprovider.Behavior{Alg: alg})
		defer p.SetBehavior(devprovider.Behavior{})
		return mintToken(t, p, devprovider.Mint{User: "alice"})
	}
	logout, err := p.LogoutToken("alice", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, token string }{
		{"wrong iss", mintToken(t, p, devprovider.Mint{User: "alice", Tweak: func(c map[string]any) { c["iss"] = "http://127.0.0.1:1" }})},
		{"wrong aud", mintToken(t, p, devprovider.Mint{User: "alice", Audience: "another-client"})},
		{"expired", mintToken(t, p, devprovider.Mint{User: "alice", TTL: -time.Minute})},
		{"alg none", signedWith("none")},
		{"HS256 keyed with the client secret", signedWith("HS256")},
		{"another provider's key", mintToken(t, other, devprovider.Mint{User: "alice", Tweak: func(c map[string]any) { c["iss"] = p.Issuer() }})},
		{"a logout token", logout},
		{"garbage", "garbage"},
		{"three dots of garbage", "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.AAAA"},
	}
	for _, c := range cases {
		// With a browser's Accept and a cookie: still no redirect, no cookie.
		resp, body := call(t, site+"/", "Authorization", "Bearer "+c.token, "Accept", "text/html", "Cookie", "theme=dark")
		wantInvalidToken(t, c.name, c.token, resp, body)
	}
	for _, header := range []string{"Bearer", "Bearer    "} {
		resp, body := call(t, site+"/", "Authorization", header)
		if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 400 || !strings.Contains(got, `error="invalid_request"`) {
			t.Errorf("%q: %d %q, WWW-Authenticate %q", header, resp.StatusCode, body, got)
		}
	}
	good := mintToken(t, p, devprovider.Mint{User: "alice"})
	resp, body := call(t, site+"/", "Authorization", "Bearer "+good, "Authorization", "Bearer "+good)
	if resp.StatusCode != 400 {
		t.Errorf("two Authorization headers: %d %q", resp.StatusCode, body)
	}
}

// madeUpKidTokens are n tokens with our provider's issuer and audience, each
// signed by a key nobody published, under a kid of its own.
func madeUpKidTokens(t testing.TB, issuer string, n int) []string {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	payload, _ := json.Marshal(map[string]any{"iss": issuer, "aud": testsupport.ClientID, "sub": "alice", "iat": now, "exp": now + 600})
	out := make([]string, n)
	for i := range out {
		opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", fmt.Sprintf("made-up-%d", i))
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := s.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		if out[i], err = jws.CompactSerialize(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// A flood of tokens naming made-up kids: each is refused at once (none waits
// for the next allowed key fetch), and the provider's keys are fetched at
// most once more.
func TestBearerMadeUpKidFlood(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "bearer", bearerEcho))
	site := testsupport.SiteURL(port)
	if resp, _ := call(t, site+"/", "Authorization", "Bearer "+mintToken(t, p, devprovider.Mint{User: "alice"})); resp.StatusCode != 200 {
		t.Fatalf("a good token: %d", resp.StatusCode)
	}
	before := p.Counts().JWKS
	tokens := madeUpKidTokens(t, p.Issuer(), 40)
	quick := &http.Client{Timeout: 2 * time.Second} // the refetch interval is 5 s
	var wg sync.WaitGroup
	errs := make(chan string, len(tokens))
	for _, tok := range tokens {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, site+"/", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := quick.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
				errs <- fmt.Sprintf("status %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a made-up kid: %s", e)
	}
	if got := p.Counts().JWKS - before; got > 1 {
		t.Errorf("the flood cost %d key fetches, want at most 1", got)
	}
}

// The provider signing a user out (back-channel logout) ends their bearer
// tokens too, remembered or not.
func TestBearerTokenEndsWithBackchannelLogout(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "bearer", bearerEcho))
	site := testsupport.SiteURL(port)
	tok := mintToken(t, p, devprovider.Mint{User: "alice"})
	if resp, _ := call(t, site+"/", "Authorization", "Bearer "+tok); resp.StatusCode != 200 {
		t.Fatalf("before: %d", resp.StatusCode)
	}
	logout, err := p.LogoutToken("alice", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(site+testsupport.BackchannelLogoutPath, url.Values{"logout_token": {logout}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("back-channel logout: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	resp, body := call(t, site+"/", "Authorization", "Bearer "+tok)
	wantInvalidToken(t, "after the sign-out", tok, resp, body)
}
