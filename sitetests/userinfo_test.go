package sitetests_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// Providers that keep profile and email at userinfo (OpenID Connect Core
// 5.4): the module fetches them once at sign-in and merges them.
func TestUserinfoFillsClaimsTheIDTokenLacks(t *testing.T) {
	s := protectedSite(t, "")
	s.Provider.SetBehavior(devprovider.Behavior{MinimalIDToken: true})
	b := testsupport.NewBrowser(t, "alice")
	status, body := b.Get(s.URL + "/")
	if status != 200 || !strings.Contains(body, "name=Alice Liddell email=alice@example.com") {
		t.Errorf("thin ID token: %d %q", status, body)
	}
	if got := s.Provider.Counts().Userinfo; got != 1 {
		t.Errorf("userinfo fetched %d times for one sign-in, want 1", got)
	}
	// Later requests use the cookie, not the provider.
	b.Get(s.URL + "/again")
	if got := s.Provider.Counts().Userinfo; got != 1 {
		t.Errorf("userinfo fetched again after sign-in (%d)", got)
	}
}

func TestUserinfoWithAnotherSubjectFailsTheSignIn(t *testing.T) {
	s := protectedSite(t, "userinfo")
	s.Provider.SetBehavior(devprovider.Behavior{UserinfoSub: "mallory"})
	b := testsupport.NewBrowser(t, "alice")
	status, _ := b.Get(s.URL + "/")
	if status < 400 || status == http.StatusNotFound {
		t.Errorf("userinfo naming another user: %d, want an error page", status)
	}
	for _, c := range b.Cookies(s.URL) {
		if testsupport.IsSessionCookie(c.Name) {
			t.Error("signed in although userinfo named another user")
		}
	}
}

func TestUserinfoFlagAlwaysFetches(t *testing.T) {
	s := protectedSite(t, "userinfo")
	if status, _ := testsupport.NewBrowser(t, "bob").Get(s.URL + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	if got := s.Provider.Counts().Userinfo; got != 1 {
		t.Errorf("with userinfo set, userinfo fetched %d times, want 1", got)
	}
}
