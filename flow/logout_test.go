package flow

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

func TestVerifyLogoutToken(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	for _, c := range []struct{ sub, sid string }{{"alice", ""}, {"", "sess-1"}, {"alice", "sess-1"}} {
		raw, err := r.dev.LogoutToken(c.sub, c.sid, nil)
		if err != nil {
			t.Fatal(err)
		}
		lt, err := r.p.VerifyLogoutToken(ctx, raw)
		if err != nil {
			t.Fatalf("sub %q sid %q: %v", c.sub, c.sid, err)
		}
		if lt.Subject != c.sub || lt.SID != c.sid || lt.JTI == "" || time.Since(lt.IssuedAt) > time.Minute {
			t.Errorf("got %+v", lt)
		}
	}
}

func TestBadLogoutTokensAreRefused(t *testing.T) {
	r := newRig(t, nil)
	now := time.Now()
	event := "http://schemas.openid.net/event/backchannel-logout"
	for _, c := range []struct {
		name  string
		b     devprovider.Behavior
		tweak func(map[string]any)
		want  string
	}{
		{"no event", devprovider.Behavior{}, func(c map[string]any) { delete(c, "events") }, "event"},
		{"other event", devprovider.Behavior{}, func(c map[string]any) { c["events"] = map[string]any{"urn:other": map[string]any{}} }, "event"},
		{"event not an object", devprovider.Behavior{}, func(c map[string]any) { c["events"] = map[string]any{event: "yes"} }, "JSON object"},
		{"nonce present", devprovider.Behavior{}, func(c map[string]any) { c["nonce"] = "n" }, "nonce"},
		{"neither sub nor sid", devprovider.Behavior{}, func(c map[string]any) { delete(c, "sub"); delete(c, "sid") }, "sub"},
		{"no jti", devprovider.Behavior{}, func(c map[string]any) { delete(c, "jti") }, "jti"},
		{"wrong aud", devprovider.Behavior{}, func(c map[string]any) { c["aud"] = "other" }, "audience"},
		{"wrong iss", devprovider.Behavior{}, func(c map[string]any) { c["iss"] = "https://other.example" }, "different provider"},
		{"no iat", devprovider.Behavior{}, func(c map[string]any) { delete(c, "iat") }, "iat"},
		{"iat in the future", devprovider.Behavior{}, func(c map[string]any) { c["iat"] = now.Add(10 * time.Minute).Unix() }, "future"},
		{"expired", devprovider.Behavior{}, func(c map[string]any) {
			c["iat"], c["exp"] = now.Add(-time.Hour).Unix(), now.Add(-30*time.Minute).Unix()
		}, "expired"},
		{"broken signature", devprovider.Behavior{BreakSignature: true}, nil, "signature"},
		{"alg none", devprovider.Behavior{Alg: "none"}, nil, "none"},
		{"HS256 with the client secret", devprovider.Behavior{Alg: "HS256"}, nil, "HS256"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r.dev.SetBehavior(c.b)
			raw, err := r.dev.LogoutToken("alice", "sess-1", c.tweak)
			if err != nil {
				t.Fatal(err)
			}
			lt, err := r.p.VerifyLogoutToken(context.Background(), raw)
			if lt != nil {
				t.Fatal("a logout token came back with the error")
			}
			wantClass(t, err, ErrInvalidToken)
			t.Log(err)
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("message %q should mention %q", err, c.want)
			}
		})
	}
	_, err := r.p.VerifyLogoutToken(context.Background(), "")
	wantClass(t, err, ErrInvalidToken)
}

// An ID token is not a logout token (it has a nonce and no event).
func TestIDTokenIsNotALogoutToken(t *testing.T) {
	r := newRig(t, nil)
	id, err := r.signIn(t)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.p.VerifyLogoutToken(context.Background(), id.IDToken)
	wantClass(t, err, ErrInvalidToken)
}
