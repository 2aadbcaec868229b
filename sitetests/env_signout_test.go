package sitetests_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// Through real Caddy: the sign-out redirect carries the expanded values.
func TestEnvExpandsInSignOutSettings(t *testing.T) {
	t.Setenv("OIDCAUTH_TEST_BYE", "http://127.0.0.1:1/signed-out")
	t.Setenv("OIDCAUTH_TEST_HINT", "hint-from-env")
	s := protectedSite(t, "post_logout_redirect_uri {env.OIDCAUTH_TEST_BYE}\n\t\tlogout_params {\n\t\t\tlogout_hint {env.OIDCAUTH_TEST_HINT}\n\t\t}")
	b := testsupport.NewBrowser(t, "alice")
	if status, _ := b.Get(s.URL + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	loc, err := url.Parse(logout(t, b, s.URL, "POST", nil).Header.Get("Location"))
	if err != nil || !strings.HasSuffix(loc.Path, "/end_session") {
		t.Fatalf("sign-out went to %v (%v), want the provider's end-session endpoint", loc, err)
	}
	q := loc.Query()
	if q.Get("post_logout_redirect_uri") != "http://127.0.0.1:1/signed-out" || q.Get("logout_hint") != "hint-from-env" {
		t.Errorf("end-session parameters: %v", q)
	}
}
