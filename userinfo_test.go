package oidcauth

import (
	"net/http"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// Providers that keep profile and email at userinfo (OpenID Connect Core
// 5.4): the module fetches them once at sign-in and merges them.
func TestUserinfoFillsClaimsTheIDTokenLacks(t *testing.T) {
	s := protectedSite(t, "")
	s.provider.SetBehavior(devprovider.Behavior{MinimalIDToken: true})
	b := newBrowser(t, "alice")
	status, body := b.get(s.url + "/")
	if status != 200 || !strings.Contains(body, "name=Alice Liddell email=alice@example.com") {
		t.Errorf("thin ID token: %d %q", status, body)
	}
	if got := s.provider.Counts().Userinfo; got != 1 {
		t.Errorf("userinfo fetched %d times for one sign-in, want 1", got)
	}
	// Later requests use the cookie, not the provider.
	b.get(s.url + "/again")
	if got := s.provider.Counts().Userinfo; got != 1 {
		t.Errorf("userinfo fetched again after sign-in (%d)", got)
	}
}

func TestUserinfoWithAnotherSubjectFailsTheSignIn(t *testing.T) {
	s := protectedSite(t, "userinfo")
	s.provider.SetBehavior(devprovider.Behavior{UserinfoSub: "mallory"})
	b := newBrowser(t, "alice")
	status, _ := b.get(s.url + "/")
	if status < 400 || status == http.StatusNotFound {
		t.Errorf("userinfo naming another user: %d, want an error page", status)
	}
	for _, c := range b.cookies(s.url) {
		if isSessionCookie(c.Name) {
			t.Error("signed in although userinfo named another user")
		}
	}
}

func TestUserinfoFlagAlwaysFetches(t *testing.T) {
	s := protectedSite(t, "userinfo")
	if status, _ := newBrowser(t, "bob").get(s.url + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	if got := s.provider.Counts().Userinfo; got != 1 {
		t.Errorf("with userinfo set, userinfo fetched %d times, want 1", got)
	}
}
