package flow

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// A provider that keeps profile and email out of the ID token: they are
// fetched from userinfo once and merged.
func TestThinIDTokenIsFilledFromUserinfo(t *testing.T) {
	r := newRig(t, nil)
	r.dev.SetBehavior(devprovider.Behavior{MinimalIDToken: true})
	id, err := r.signIn(t)
	if err != nil {
		t.Fatal(err)
	}
	if id.Claims["email"] != "alice@example.com" || id.Claims["name"] != "Alice Liddell" {
		t.Errorf("claims not merged: %v", id.Claims)
	}
	if id.Claims["iss"] != r.dev.Issuer() || id.Claims["aud"] != testClientID {
		t.Errorf("ID-token claims lost: %v", id.Claims)
	}
	if n := r.dev.Counts().Userinfo; n != 1 {
		t.Errorf("userinfo fetched %d times, want 1", n)
	}
}

func TestUserinfoSubMismatchFailsSignIn(t *testing.T) {
	r := newRig(t, nil)
	r.dev.SetBehavior(devprovider.Behavior{MinimalIDToken: true, UserinfoSub: "mallory"})
	_, err := r.signIn(t)
	wantClass(t, err, ErrInvalidToken)
}

func TestUserinfoOnlyWhenNeededOrAsked(t *testing.T) {
	// The scope asks for neither email nor profile: a thin ID token is enough.
	r := newRig(t, func(c *Config) { c.Params["scope"] = "openid" })
	r.dev.SetBehavior(devprovider.Behavior{MinimalIDToken: true})
	if _, err := r.signIn(t); err != nil {
		t.Fatal(err)
	}
	if n := r.dev.Counts().Userinfo; n != 0 {
		t.Errorf("userinfo fetched %d times, want 0", n)
	}
	// The site asks for it always: fetched although the ID token is complete.
	r = newRig(t, func(c *Config) { c.Userinfo = true })
	if _, err := r.signIn(t); err != nil {
		t.Fatal(err)
	}
	if n := r.dev.Counts().Userinfo; n != 1 {
		t.Errorf("userinfo fetched %d times, want 1", n)
	}
}

func TestMergeUserinfo(t *testing.T) {
	var status int
	var ctype, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer the-access-token" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	p := bareProvider(Config{Name: "t", HTTPClient: srv.Client()})
	d := &discovered{md: metadata{UserinfoEndpoint: srv.URL}}
	fresh := func() map[string]any {
		return map[string]any{"sub": "alice", "iss": "https://good", "aud": "app", "email": "old@example.com"}
	}

	status, ctype = 200, "application/json"
	body = `{"sub":"alice","iss":"https://evil","aud":"x","nonce":"n","email":"new@example.com","picture":"p.png","id":12345678901234567890}`
	claims := fresh()
	if err := p.mergeUserinfo(context.Background(), d, "the-access-token", claims); err != nil {
		t.Fatal(err)
	}
	if claims["iss"] != "https://good" || claims["aud"] != "app" || claims["nonce"] != nil {
		t.Errorf("userinfo replaced ID-token claims: %v", claims)
	}
	if claims["email"] != "new@example.com" || claims["picture"] != "p.png" {
		t.Errorf("userinfo claims not merged: %v", claims)
	}
	if n, _ := claims["id"].(json.Number); n.String() != "12345678901234567890" {
		t.Errorf("a large number lost digits: %v", claims["id"])
	}

	for _, c := range []struct {
		status int
		ctype  string
		body   string
		token  string
		class  error
	}{
		{200, "application/json", `{"sub":"bob"}`, "the-access-token", ErrInvalidToken},
		{200, "application/json", `{"email":"x"}`, "the-access-token", ErrInvalidToken}, // no sub
		{200, "application/json", `not json`, "the-access-token", ErrUnavailable},
		{200, "application/jwt", `eyJ.eyJ.sig`, "the-access-token", ErrMisconfigured},
		{503, "text/plain", `down`, "the-access-token", ErrUnavailable},
		{200, "application/json", `{"sub":"alice"}`, "wrong-token", ErrInvalidToken}, // 401
	} {
		status, ctype, body = c.status, c.ctype, c.body
		err := p.mergeUserinfo(context.Background(), d, c.token, fresh())
		wantClass(t, err, c.class)
	}
}
