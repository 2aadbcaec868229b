package devprovider

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// metadata fetches the discovery document.
func metadata(t *testing.T, p *Provider) map[string]any {
	t.Helper()
	resp, err := http.Get(p.MetadataURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("metadata: %v", err)
	}
	return m
}

// verifyAfter signs alice in under b and returns go-oidc's verdict on the ID token.
func verifyAfter(t *testing.T, b Behavior) (string, error) {
	t.Helper()
	p := startProvider(t, nil)
	c := newRP(t, p)
	p.SetBehavior(b)
	raw := idToken(t, c.signIn(t, "alice", "nonce-0123456789ab"))
	_, err := c.verifier.Verify(context.Background(), raw)
	return raw, err
}

func TestBehaviorAlg(t *testing.T) {
	raw, err := verifyAfter(t, Behavior{Alg: "ES256"})
	if err != nil {
		t.Errorf("ES256 rejected by go-oidc: %v", err)
	}
	if h := rawHeader(t, raw); h["alg"] != "ES256" || !strings.HasPrefix(h["kid"].(string), "ec-") {
		t.Errorf("ES256 header %v", h)
	}
	raw, err = verifyAfter(t, Behavior{Alg: "none"})
	if err == nil || rawHeader(t, raw)["alg"] != "none" || !strings.HasSuffix(raw, ".") {
		t.Errorf("unsigned token %q accepted=%v", raw, err == nil)
	}
	raw, err = verifyAfter(t, Behavior{Alg: "HS256"})
	if err == nil {
		t.Error("go-oidc accepted an HS256 token")
	}
	// go-jose refuses keys under 32 bytes, so check the HMAC by hand
	i := strings.LastIndexByte(raw, '.')
	mac := hmac.New(sha256.New, []byte(testClientSecret))
	mac.Write([]byte(raw[:i]))
	if rawHeader(t, raw)["alg"] != "HS256" || raw[i+1:] != base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) {
		t.Error("HS256 token is not an HMAC keyed with the client secret")
	}
}

func TestBehaviorUnknownAlgFailsTokenRequest(t *testing.T) {
	p := startProvider(t, nil)
	p.SetBehavior(Behavior{Alg: "PS512"})
	if st, m := tokenCall(t, p, codeForm(codeFor(t, p)), true); st != 500 || m["error"] != "server_error" {
		t.Errorf("%d %v", st, m)
	}
}

func TestBehaviorBreakSignature(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256"} {
		if _, err := verifyAfter(t, Behavior{Alg: alg, BreakSignature: true}); err == nil {
			t.Errorf("%s: broken signature accepted", alg)
		}
	}
}

func TestBehaviorOmitKid(t *testing.T) {
	raw, err := verifyAfter(t, Behavior{OmitKid: true})
	if _, has := rawHeader(t, raw)["kid"]; has {
		t.Error("kid still in header")
	}
	if err != nil {
		t.Errorf("go-oidc should still find the key by trying each: %v", err)
	}
}

func TestBehaviorTamperClaims(t *testing.T) {
	raw, err := verifyAfter(t, Behavior{TamperClaims: func(c map[string]any) { c["aud"] = "someone-else" }})
	if err == nil || rawClaims(t, raw)["aud"] != "someone-else" {
		t.Errorf("tampered aud accepted or not applied: %v", err)
	}
	raw, _ = verifyAfter(t, Behavior{TamperClaims: func(c map[string]any) { delete(c, "sub") }})
	if _, has := rawClaims(t, raw)["sub"]; has {
		t.Error("sub not deleted")
	}
}

func TestBehaviorMetadataIssuer(t *testing.T) {
	p := startProvider(t, nil)
	p.SetBehavior(Behavior{MetadataIssuer: "https://evil.example"})
	if metadata(t, p)["issuer"] != "https://evil.example" {
		t.Error("issuer not replaced")
	}
	if _, err := oidc.NewProvider(context.Background(), p.Issuer()); err == nil {
		t.Error("go-oidc accepted a mixed-up issuer")
	}
}

func TestBehaviorGarbageMetadata(t *testing.T) {
	p := startProvider(t, nil)
	p.SetBehavior(Behavior{GarbageMetadata: true})
	pg := get(t, p.MetadataURL())
	if pg.status != 200 || json.Valid([]byte(pg.body)) {
		t.Errorf("status %d, valid JSON=%v", pg.status, json.Valid([]byte(pg.body)))
	}
	if _, err := oidc.NewProvider(context.Background(), p.Issuer()); err == nil {
		t.Error("go-oidc accepted garbage")
	}
	p.SetBehavior(Behavior{})
	if _, err := oidc.NewProvider(context.Background(), p.Issuer()); err != nil {
		t.Errorf("zero Behavior did not restore a correct provider: %v", err)
	}
}

func TestBehaviorDown(t *testing.T) {
	p := startProvider(t, nil)
	p.SetBehavior(Behavior{Down: true})
	for _, route := range []string{routeDiscovery, routeJWKS, routeAuthorize, routeToken, routeUserinfo, routeEndSession} {
		if pg := get(t, p.Issuer()+route); pg.status != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d", route, pg.status)
		}
	}
	if c := p.Counts(); c.Discovery != 1 || c.Token != 1 || c.EndSession != 1 {
		t.Errorf("requests to a down provider not counted: %+v", c)
	}
}

func TestBehaviorDelay(t *testing.T) {
	p := startProvider(t, nil)
	p.SetBehavior(Behavior{Delay: 50 * time.Millisecond})
	start := time.Now()
	if pg := get(t, p.MetadataURL()); pg.status != 200 {
		t.Fatalf("status %d", pg.status)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Error("answered before the delay")
	}
	// a cancelled request ends the wait instead of holding the handler for an hour
	p.SetBehavior(Behavior{Delay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodGet, p.MetadataURL(), nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	if rec.Body.Len() != 0 {
		t.Errorf("a cancelled request still got an answer: %q", rec.Body.String())
	}
}

func TestBehaviorAuthorizeError(t *testing.T) {
	p := startProvider(t, nil)
	p.SetBehavior(Behavior{AuthorizeError: "access_denied"})
	q := get(t, p.Issuer()+"/authorize?"+authParams("login_hint", "alice").Encode()).query(t)
	if q.Get("error") != "access_denied" || q.Get("error_description") == "" || q.Get("state") != "st-0123456789abcdef" || q.Has("code") {
		t.Errorf("redirect query %v", q)
	}
}

func TestBehaviorPrompt(t *testing.T) {
	p := startProvider(t, nil)
	if _, has := metadata(t, p)["prompt_values_supported"]; has {
		t.Error("prompt_values_supported advertised by default")
	}
	p.SetBehavior(Behavior{PromptValuesSupported: []string{"none", "login", "consent"}, RejectPrompt: "select_account"})
	if got := metadata(t, p)["prompt_values_supported"]; len(got.([]any)) != 3 {
		t.Errorf("prompt_values_supported %v", got)
	}
	q := get(t, p.Issuer()+"/authorize?"+authParams("login_hint", "alice", "prompt", "select_account").Encode()).query(t)
	if q.Get("error") != "invalid_request" || q.Get("error_description") != "unsupported prompt value" {
		t.Errorf("rejected prompt: %v", q)
	}
	if q := get(t, p.Issuer()+"/authorize?"+authParams("login_hint", "alice", "prompt", "login").Encode()).query(t); q.Get("code") == "" {
		t.Errorf("other prompt refused: %v", q)
	}
}

func TestBehaviorExtraJWKS(t *testing.T) {
	extra := map[string]any{"kty": "OKP-unknown", "kid": "strange", "x": "AAAA"}
	p := startProvider(t, nil)
	c := newRP(t, p)
	p.SetBehavior(Behavior{ExtraJWKS: []map[string]any{extra}})
	pg := get(t, p.Issuer()+"/jwks")
	if !strings.Contains(pg.body, `"kid":"strange"`) || !strings.Contains(pg.body, `"kty":"OKP-unknown"`) {
		t.Errorf("extra key not published: %s", pg.body)
	}
	if _, err := c.verifier.Verify(context.Background(), idToken(t, c.signIn(t, "alice", "nonce-0123456789ab"))); err != nil {
		t.Errorf("go-oidc fails beside an unknown key: %v", err)
	}
}

func TestBehaviorMinimalIDToken(t *testing.T) {
	p := startProvider(t, nil)
	c := newRP(t, p)
	p.SetBehavior(Behavior{MinimalIDToken: true})
	tok := c.signIn(t, "alice", "nonce-0123456789ab")
	claims := rawClaims(t, idToken(t, tok))
	keys := make([]string, 0, len(claims))
	for k := range claims {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if strings.Join(keys, ",") != "aud,exp,iat,iss,nonce,sub" {
		t.Errorf("minimal ID token claims %v", keys)
	}
	ui, err := c.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
	if err != nil || ui.Email != "alice@example.com" {
		t.Errorf("userinfo email %v, %v", ui, err)
	}
}

func TestBehaviorUserinfoSub(t *testing.T) {
	p := startProvider(t, nil)
	c := newRP(t, p)
	tok := c.signIn(t, "alice", "nonce-0123456789ab")
	p.SetBehavior(Behavior{UserinfoSub: "impostor"})
	ui, err := c.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
	if err != nil || ui.Subject != "impostor" {
		t.Errorf("userinfo sub %v, %v", ui, err)
	}
}

func TestBehaviorAuthMethods(t *testing.T) {
	p := startProvider(t, nil)
	if got := metadata(t, p)["token_endpoint_auth_methods_supported"]; len(got.([]any)) != 4 {
		t.Errorf("default auth methods %v", got)
	}
	p.SetBehavior(Behavior{AuthMethods: []string{"client_secret_post"}})
	if got := metadata(t, p)["token_endpoint_auth_methods_supported"]; len(got.([]any)) != 1 || got.([]any)[0] != "client_secret_post" {
		t.Errorf("auth methods %v", got)
	}
	if st, m := tokenCall(t, p, codeForm(codeFor(t, p)), true); st != 401 || m["error"] != "invalid_client" {
		t.Errorf("basic auth not refused: %d %v", st, m)
	}
	if st, _ := tokenCall(t, p, codeForm(codeFor(t, p)), false); st != 200 {
		t.Errorf("post auth refused: %d", st)
	}
}

func TestBehaviorNoEndSession(t *testing.T) {
	p := startProvider(t, nil)
	if metadata(t, p)["end_session_endpoint"] != p.Issuer()+"/end_session" {
		t.Error("end_session_endpoint missing by default")
	}
	p.SetBehavior(Behavior{NoEndSession: true})
	if _, has := metadata(t, p)["end_session_endpoint"]; has {
		t.Error("end_session_endpoint still advertised")
	}
}

// SetBehavior may be called while requests are in flight (run with -race).
func TestSetBehaviorConcurrently(t *testing.T) {
	p := startProvider(t, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			p.SetBehavior(Behavior{OmitKid: i%2 == 0})
		}
	}()
	for i := 0; i < 10; i++ {
		tokenCall(t, p, codeForm(codeFor(t, p)), true)
	}
	<-done
}
