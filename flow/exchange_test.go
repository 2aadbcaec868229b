package flow

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

func TestExchangeReturnsTheUser(t *testing.T) {
	r := newRig(t, nil)
	id, err := r.signIn(t)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "alice" || id.Claims["sub"] != "alice" {
		t.Errorf("Subject %q, sub %v", id.Subject, id.Claims["sub"])
	}
	for k, want := range map[string]any{
		"email": "alice@example.com", "name": "Alice Liddell", "email_verified": true,
		"iss": r.dev.Issuer(), "aud": testClientID,
	} {
		if !reflect.DeepEqual(id.Claims[k], want) {
			t.Errorf("claim %s = %#v, want %#v", k, id.Claims[k], want)
		}
	}
	if g, _ := id.Claims["groups"].([]any); len(g) != 1 || g[0] != "staff" {
		t.Errorf("groups = %#v", id.Claims["groups"])
	}
	if _, ok := id.Claims["exp"].(json.Number); !ok {
		t.Errorf("exp is %T, want json.Number (numbers keep every digit)", id.Claims["exp"])
	}
	if id.Claims["email"] != "alice@example.com" {
		t.Errorf("Claims %v lack the email", id.Claims)
	}
	if id.IDToken == "" || id.AccessToken == "" || id.RefreshToken == "" {
		t.Error("tokens missing")
	}
	if id.SID == "" || id.SID != id.Claims["sid"] {
		t.Errorf("SID %q, claim %v", id.SID, id.Claims["sid"])
	}
	if d := time.Until(id.TokenExpiry); d < 50*time.Minute || d > time.Hour+time.Minute {
		t.Errorf("TokenExpiry in %s, want about 1h", d)
	}
	if d := time.Until(id.IDTokenExpiry); d < 50*time.Minute || d > time.Hour+time.Minute {
		t.Errorf("IDTokenExpiry in %s, want about 1h", d)
	}
	if n := r.dev.Counts().Userinfo; n != 0 {
		t.Errorf("userinfo fetched %d times although the ID token had email and name", n)
	}
}

func TestExchangePKCE(t *testing.T) {
	r := newRig(t, nil)
	req := NewAuthRequest()
	code := r.code(t, req)
	wrong := req
	wrong.Verifier = NewAuthRequest().Verifier
	_, err := r.p.Exchange(context.Background(), code, wrong)
	wantClass(t, err, ErrInvalidToken)
	if !errors.Is(err, ErrCodeRefused) {
		t.Errorf("a refused code must be ErrCodeRefused (a 400, not a provider fault): %v", err)
	}
	for _, secret := range []string{code, wrong.Verifier, req.Verifier, testClientSecret} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("message %q leaks a code, verifier or secret", err)
		}
	}
	if !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("message %q should carry the provider's error code", err)
	}
}

func TestExchangeRefusesReplayedOrMissingCode(t *testing.T) {
	r := newRig(t, nil)
	req := NewAuthRequest()
	code := r.code(t, req)
	if _, err := r.p.Exchange(context.Background(), code, req); err != nil {
		t.Fatal(err)
	}
	_, err := r.p.Exchange(context.Background(), code, req)
	wantClass(t, err, ErrInvalidToken)
	if !errors.Is(err, ErrCodeRefused) {
		t.Errorf("replayed code: %v is not ErrCodeRefused", err)
	}
	_, err = r.p.Exchange(context.Background(), "", req)
	wantClass(t, err, ErrInvalidToken)
	if !errors.Is(err, ErrCodeRefused) {
		t.Errorf("missing code: %v is not ErrCodeRefused", err)
	}
}

// The token endpoint only takes the methods it lists: a sign-in succeeds with
// basic-only and with post-only providers, so the right one was picked.
func TestExchangeClientAuthMethod(t *testing.T) {
	for _, c := range []struct {
		methods []string
		kwarg   string
		ok      bool
	}{
		{[]string{"client_secret_basic"}, "", true},
		{[]string{"client_secret_post"}, "", true},
		{[]string{"client_secret_post", "client_secret_basic"}, "", true},
		{[]string{"private_key_jwt", "client_secret_post"}, "", true},
		{[]string{"client_secret_basic"}, "client_secret_post", false}, // client_kwargs forces post
		{[]string{"client_secret_post"}, "client_secret_basic", false},
	} {
		r := newRig(t, func(cfg *Config) {
			if c.kwarg != "" {
				cfg.Params["token_endpoint_auth_method"] = c.kwarg
			}
		})
		r.dev.SetBehavior(devprovider.Behavior{AuthMethods: c.methods})
		_, err := r.signIn(t)
		if c.ok && err != nil {
			t.Errorf("provider with %v: %v", c.methods, err)
		}
		if !c.ok {
			wantClass(t, err, ErrMisconfigured)
		}
	}
	// With no methods listed, client_secret_basic is the spec's default.
	withSecret := bareProvider(Config{ClientSecret: "s"})
	if secret, inHeader := withSecret.clientCredentials(withSecret.tokenAuthMethod(nil)); secret != "s" || !inHeader {
		t.Errorf("default: secret %q, in the header %v; want client_secret_basic", secret, inHeader)
	}
	public := bareProvider(Config{})
	if secret, inHeader := public.clientCredentials(public.tokenAuthMethod([]string{"client_secret_basic"})); secret != "" || inHeader {
		t.Errorf("a public client must send its client_id in the body, and no secret: secret %q, in the header %v", secret, inHeader)
	}
}

func TestExchangeWrongClientSecretIsMisconfigured(t *testing.T) {
	r := newRig(t, func(c *Config) { c.ClientSecret = "wrong-secret-value" })
	_, err := r.signIn(t)
	wantClass(t, err, ErrMisconfigured)
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Fatalf("message %q leaks the secret", err)
	}
	if !strings.Contains(err.Error(), "client_secret") {
		t.Errorf("message %q should point at the credentials", err)
	}
}

func TestExchangeProviderDownIsUnavailable(t *testing.T) {
	r := newRig(t, nil)
	req := NewAuthRequest()
	code := r.code(t, req)
	r.dev.SetBehavior(devprovider.Behavior{Down: true})
	_, err := r.p.Exchange(context.Background(), code, req)
	wantClass(t, err, ErrUnavailable)
}

func TestExchangeProviderUnreachableIsUnavailable(t *testing.T) {
	r := newRig(t, nil)
	req := NewAuthRequest()
	code := r.code(t, req)
	r.dev.Close()
	_, err := r.p.Exchange(context.Background(), code, req)
	wantClass(t, err, ErrUnavailable)
}
