package flow

import (
	"context"
	"net/url"
	"testing"
)

func loginHintSent(t *testing.T, r *rig, hint string) string {
	t.Helper()
	req := NewAuthRequest()
	req.LoginHint = hint
	u, _, err := r.p.AuthCodeURL(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(u)
	return parsed.Query().Get("login_hint")
}

func TestAuthCodeURLPassesTheRequestsLoginHint(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Params = nil })
	if got := loginHintSent(t, r, "bob@example.org"); got != "bob@example.org" {
		t.Errorf("login_hint = %q, want the request's", got)
	}
	if got := loginHintSent(t, r, ""); got != "" {
		t.Errorf("no hint asked, login_hint = %q", got)
	}
}

// A login_hint in client_kwargs is the site's choice: a request cannot
// replace it.
func TestClientKwargsLoginHintWinsOverTheRequests(t *testing.T) {
	r := newRig(t, nil) // client_kwargs login_hint = alice
	if got := loginHintSent(t, r, "mallory"); got != "alice" {
		t.Errorf("login_hint = %q, want client_kwargs' alice", got)
	}
}
