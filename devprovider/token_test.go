package devprovider

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// codeFor signs alice in by login_hint and returns the code.
func codeFor(t *testing.T, p *Provider, extra ...string) string {
	t.Helper()
	q := get(t, p.Issuer()+"/authorize?"+authParams(append([]string{"login_hint", "alice"}, extra...)...).Encode()).query(t)
	if q.Get("code") == "" {
		t.Fatalf("no code: %v", q)
	}
	return q.Get("code")
}

// tokenCall posts form to the token endpoint with client_secret_post credentials (or
// basic ones when basic is set) and decodes the JSON answer.
func tokenCall(t *testing.T, p *Provider, form url.Values, basic bool) (int, map[string]any) {
	t.Helper()
	if basic {
		form.Del("client_secret")
	} else if !form.Has("client_id") {
		form.Set("client_id", testClientID)
		form.Set("client_secret", testClientSecret)
	}
	req, _ := http.NewRequest(http.MethodPost, p.Issuer()+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(testClientID), url.QueryEscape(testClientSecret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("token answer is not JSON: %v", err)
	}
	return resp.StatusCode, m
}

func codeForm(code string, extra ...string) url.Values {
	v := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func TestTokenPKCE(t *testing.T) {
	p := startProvider(t, nil)
	verifier := oauth2.GenerateVerifier()
	challenge := oauth2.S256ChallengeFromVerifier(verifier)
	pkce := []string{"code_challenge", challenge, "code_challenge_method", "S256"}

	if st, m := tokenCall(t, p, codeForm(codeFor(t, p, pkce...), "code_verifier", verifier), false); st != 200 || m["id_token"] == nil {
		t.Errorf("right verifier: %d %v", st, m)
	}
	for name, form := range map[string]url.Values{
		"missing verifier":           codeForm(codeFor(t, p, pkce...)),
		"wrong verifier":             codeForm(codeFor(t, p, pkce...), "code_verifier", oauth2.GenerateVerifier()),
		"verifier without challenge": codeForm(codeFor(t, p), "code_verifier", verifier),
	} {
		if st, m := tokenCall(t, p, form, false); st != 400 || m["error"] != "invalid_grant" {
			t.Errorf("%s: %d %v", name, st, m)
		}
	}
}

func TestTokenCodeIsSingleUseAndBound(t *testing.T) {
	p := startProvider(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "other", Secret: "other-secret"})
	})
	code := codeFor(t, p)
	if st, _ := tokenCall(t, p, codeForm(code), true); st != 200 {
		t.Fatalf("first use: %d", st)
	}
	if st, m := tokenCall(t, p, codeForm(code), true); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("replayed code: %d %v", st, m)
	}
	if st, m := tokenCall(t, p, codeForm(codeFor(t, p), "redirect_uri", "http://127.0.0.1:9/other"), true); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("other redirect_uri: %d %v", st, m)
	}
	other := codeForm(codeFor(t, p), "client_id", "other", "client_secret", "other-secret")
	if st, m := tokenCall(t, p, other, false); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("code redeemed by another client: %d %v", st, m)
	}
	if st, m := tokenCall(t, p, codeForm("made-up"), true); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("made-up code: %d %v", st, m)
	}
}

func TestTokenCodeExpires(t *testing.T) {
	p := startProvider(t, nil)
	code := codeFor(t, p)
	p.store.mu.Lock()
	p.store.codes[code].expires = time.Now().Add(-time.Second) // as if a minute went by
	p.store.mu.Unlock()
	if st, m := tokenCall(t, p, codeForm(code), true); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("expired code: %d %v", st, m)
	}
}

func TestTokenClientAuthentication(t *testing.T) {
	p := startProvider(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "public"})
	})
	if st, _ := tokenCall(t, p, codeForm(codeFor(t, p)), true); st != 200 {
		t.Errorf("client_secret_basic: %d", st)
	}
	if st, _ := tokenCall(t, p, codeForm(codeFor(t, p)), false); st != 200 {
		t.Errorf("client_secret_post: %d", st)
	}
	pub := codeForm(codeFor(t, p, "client_id", "public"), "client_id", "public")
	if st, m := tokenCall(t, p, pub, false); st != 200 {
		t.Errorf("public client by client_id alone: %d %v", st, m)
	}
	for name, form := range map[string]url.Values{
		"wrong secret":   codeForm(codeFor(t, p), "client_id", testClientID, "client_secret", "nope"),
		"no secret":      codeForm(codeFor(t, p), "client_id", testClientID),
		"unknown client": codeForm(codeFor(t, p), "client_id", "stranger", "client_secret", "x"),
	} {
		if st, m := tokenCall(t, p, form, false); st != 401 || m["error"] != "invalid_client" {
			t.Errorf("%s: %d %v", name, st, m)
		}
	}
}

func TestTokenRefreshRotates(t *testing.T) {
	p := startProvider(t, nil)
	c := newRP(t, p)
	first := c.signIn(t, "alice", "nonce-0123456789ab")
	src := c.oauth.TokenSource(context.Background(), &oauth2.Token{RefreshToken: first.RefreshToken})
	second, err := src.Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Error("refresh did not issue new tokens")
	}
	id, err := c.verifier.Verify(context.Background(), idToken(t, second))
	if err != nil {
		t.Fatalf("refreshed ID token: %v", err)
	}
	old := rawClaims(t, idToken(t, first))
	if id.Subject != "alice" || rawClaims(t, idToken(t, second))["auth_time"] != old["auth_time"] {
		t.Errorf("refreshed ID token sub=%q, auth_time changed", id.Subject)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}}
	if st, m := tokenCall(t, p, form, true); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("old refresh token: %d %v", st, m)
	}
}

func TestTokenRejectsBadRequests(t *testing.T) {
	p := startProvider(t, nil)
	if st, m := tokenCall(t, p, url.Values{"grant_type": {"password"}}, true); st != 400 || m["error"] != "unsupported_grant_type" {
		t.Errorf("password grant: %d %v", st, m)
	}
	resp, err := http.Get(p.Issuer() + "/token")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /token: %d", resp.StatusCode)
	}
}

func TestTokenResponseShape(t *testing.T) {
	p := startProvider(t, func(c *Config) { c.TokenTTL = 10 * time.Minute })
	st, m := tokenCall(t, p, codeForm(codeFor(t, p)), true)
	if st != 200 || m["token_type"] != "Bearer" || m["expires_in"] != float64(600) || m["scope"] != "openid profile email" {
		t.Errorf("%d %v", st, m)
	}
	claims := rawClaims(t, m["id_token"].(string))
	exp, iat := claims["exp"].(float64), claims["iat"].(float64)
	if exp-iat != 600 || claims["aud"] != testClientID || claims["nonce"] != "no-0123456789abcdef" {
		t.Errorf("claims %v", claims)
	}
}
