package flow

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"regexp"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

func TestNewAuthRequestIsFreshAndLongEnough(t *testing.T) {
	b64url := regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	seen := map[string]bool{}
	for range 100 {
		r := NewAuthRequest()
		for _, v := range []string{r.State, r.Nonce, r.Verifier} {
			if len(v) < 43 || !b64url.MatchString(v) {
				t.Fatalf("%q: want ≥43 base64url characters (32 random bytes)", v)
			}
			if seen[v] {
				t.Fatalf("%q came out twice", v)
			}
			seen[v] = true
		}
		if r.OmitDefaultPrompt {
			t.Fatal("a fresh request must send the default prompt")
		}
	}
}

func TestAuthCodeURLParameters(t *testing.T) {
	r := newRig(t, nil)
	req := NewAuthRequest()
	u, sent, err := r.p.AuthCodeURL(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(u)
	if got := parsed.Scheme + "://" + parsed.Host + parsed.Path; got != r.dev.Issuer()+"/authorize" {
		t.Errorf("endpoint %q", got)
	}
	sum := sha256.Sum256([]byte(req.Verifier))
	q := parsed.Query()
	for k, want := range map[string]string{
		"response_type":         "code",
		"client_id":             testClientID,
		"redirect_uri":          testRedirect,
		"scope":                 "openid profile email",
		"state":                 req.State,
		"nonce":                 req.Nonce,
		"code_challenge":        base64.RawURLEncoding.EncodeToString(sum[:]),
		"code_challenge_method": "S256",
		"prompt":                "select_account",
		"login_hint":            "alice", // from client_kwargs
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if !sent {
		t.Error("sentDefaultPrompt = false, but select_account went out")
	}
	if q.Has("code_verifier") || q.Has("client_secret") {
		t.Error("the verifier or the secret leaked into the URL")
	}
	// The provider sees exactly these and signs alice in.
	r.code(t, req)
	if got := r.dev.LastAuthorize().Get("code_challenge"); got != q.Get("code_challenge") {
		t.Errorf("provider got challenge %q", got)
	}
}

func TestDefaultPromptFollowsPromptValuesSupported(t *testing.T) {
	for _, c := range []struct {
		name      string
		supported []string // nil: not advertised
		omit      bool
		kwargs    map[string]string
		want      string // "" = no prompt
		sent      bool
	}{
		{"not advertised: default sent", nil, false, nil, "select_account", true},
		{"advertised with select_account", []string{"none", "login", "select_account"}, false, nil, "select_account", true},
		{"advertised without select_account", []string{"none", "login", "consent"}, false, nil, "", false},
		{"retry without the default", nil, true, nil, "", false},
		{"client_kwargs prompt always sent", []string{"none"}, false, map[string]string{"prompt": "login"}, "login", false},
		{"client_kwargs prompt survives the retry", nil, true, map[string]string{"prompt": "consent"}, "consent", false},
		{"empty client_kwargs prompt sends none", nil, false, map[string]string{"prompt": ""}, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, func(cfg *Config) {
				for k, v := range c.kwargs {
					cfg.Params[k] = v
				}
			})
			r.dev.SetBehavior(devprovider.Behavior{PromptValuesSupported: c.supported})
			req := NewAuthRequest()
			req.OmitDefaultPrompt = c.omit
			u, sent, err := r.p.AuthCodeURL(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			q := mustQuery(t, u)
			if q.Get("prompt") != c.want || q.Has("prompt") != (c.want != "") {
				t.Errorf("prompt = %q (present %v), want %q", q.Get("prompt"), q.Has("prompt"), c.want)
			}
			if sent != c.sent {
				t.Errorf("sentDefaultPrompt = %v, want %v", sent, c.sent)
			}
		})
	}
}

// A provider that refuses select_account although it did not say so: the
// callback error is recognised and the retry without it gets a code.
func TestRefusedDefaultPromptRetry(t *testing.T) {
	r := newRig(t, nil)
	r.dev.SetBehavior(devprovider.Behavior{RejectPrompt: "select_account"})
	req := NewAuthRequest()
	cbErr := CallbackErrorFrom(r.authorize(t, req))
	if cbErr == nil || !cbErr.PromptRefused() {
		t.Fatalf("callback error %v should be a prompt refusal", cbErr)
	}
	req = NewAuthRequest()
	req.OmitDefaultPrompt = true
	if _, err := r.p.Exchange(context.Background(), r.code(t, req), req); err != nil {
		t.Fatal(err)
	}
}

func TestClientKwargsScopeAndExtraParams(t *testing.T) {
	r := newRig(t, func(c *Config) {
		c.Params = map[string]string{
			"scope": "openid  email", "login_hint": "alice", "hd": "example.com", "access_type": "offline",
			// the module's own parameters cannot be overridden:
			"state": "fixed", "nonce": "fixed", "client_id": "other", "redirect_uri": "https://evil.example/",
			"response_type": "token", "code_challenge": "x", "code_challenge_method": "S256", // (any other method is refused by NewProvider)
			"token_endpoint_auth_method": "client_secret_post",
		}
	})
	// hd is also enforced: the provider must answer for that hosted domain.
	r.dev.SetBehavior(devprovider.Behavior{TamperClaims: func(c map[string]any) { c["hd"] = "example.com" }})
	req := NewAuthRequest()
	u, _, err := r.p.AuthCodeURL(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	q := mustQuery(t, u)
	for k, want := range map[string]string{
		"scope": "openid email", "hd": "example.com", "access_type": "offline",
		"state": req.State, "nonce": req.Nonce, "client_id": testClientID, "redirect_uri": testRedirect,
		"response_type": "code", "code_challenge_method": "S256",
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if q.Has("token_endpoint_auth_method") {
		t.Error("token_endpoint_auth_method is a client setting, not an authorization parameter")
	}
	if len(q["state"]) != 1 || len(q["scope"]) != 1 || len(q["code_challenge_method"]) != 1 {
		t.Error("parameters must not be repeated")
	}
	id, err := r.p.Exchange(context.Background(), r.code(t, req), req)
	if err != nil {
		t.Fatal(err)
	}
	if id.Claims["email"] != "alice@example.com" {
		t.Errorf("claims %v", id.Claims)
	}
}

func TestAuthCodeURLKeepsEndpointQuery(t *testing.T) {
	srv := metadataServer(t, func(md map[string]any) {
		md["authorization_endpoint"] = md["authorization_endpoint"].(string) + "?p=B2C_1_signin&state=theirs"
	})
	p := mustProvider(t, Config{ClientID: "c", MetadataURL: srv.URL + wellKnownSuffix, RedirectURL: testRedirect})
	req := NewAuthRequest()
	u, _, err := p.AuthCodeURL(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	q := mustQuery(t, u)
	if q.Get("p") != "B2C_1_signin" {
		t.Errorf("the endpoint's own parameter was lost: %s", u)
	}
	if q.Get("state") != req.State || len(q["state"]) != 1 {
		t.Errorf("state must be ours alone: %v", q["state"])
	}
}

func TestAuthCodeURLRefusesWeakRequest(t *testing.T) {
	srv := metadataServer(t, nil)
	p := mustProvider(t, Config{ClientID: "c", MetadataURL: srv.URL + wellKnownSuffix, RedirectURL: testRedirect})
	for _, req := range []AuthRequest{
		{},
		{State: "short", Nonce: NewAuthRequest().Nonce, Verifier: NewAuthRequest().Verifier},
		{State: NewAuthRequest().State, Nonce: NewAuthRequest().Nonce, Verifier: "too-short"},
	} {
		if _, _, err := p.AuthCodeURL(context.Background(), req); err == nil {
			t.Errorf("accepted %+v", req)
		}
	}
}

func mustQuery(t testing.TB, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
