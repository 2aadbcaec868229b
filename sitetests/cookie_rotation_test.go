package sitetests_test

import (
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

func TestCookieSecretRotationThroughCaddy(t *testing.T) {
	const (
		secretA = "rotation-secret-A-0123456789abcdef"
		secretB = "rotation-secret-B-0123456789abcdef"
	)
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	config := func(secrets string) string {
		return attackSiteConfig(t, port, secrets+"\n\t\t"+testsupport.ProviderSettings(p))
	}
	client := hostileClient()
	reload := func(secrets string) {
		t.Helper()
		testsupport.ReloadCaddy(t, config(secrets), client)
	}
	testsupport.StartCaddy(t, config("cookie_secret "+secretA))
	alice := testsupport.JoinCookies(testsupport.IdentityCookies(testsupport.CallbackResponse(t, siteURL, "alice")))
	wantSignedInAs(t, client, siteURL, alice, "alice")

	// Rotate: B seals, A still opens.
	reload("cookie_secret " + secretB + "\n\t\tprevious_cookie_secrets " + secretA)
	authorize := p.Counts().Authorize
	wantSignedInAs(t, client, siteURL, alice, "alice")
	bob := testsupport.JoinCookies(testsupport.IdentityCookies(testsupport.CallbackResponse(t, siteURL, "bob")))
	wantSignedInAs(t, client, siteURL, bob, "bob")
	if got := p.Counts().Authorize - authorize; got != 1 {
		t.Errorf("after the rotation the provider saw %d sign-ins, want 1 (bob's; alice stays signed in)", got)
	}

	// The new cookie is sealed with B: a config with only B opens it, and
	// no longer opens the one sealed with A; a config with only A, the reverse.
	reload("cookie_secret " + secretB)
	wantSignedInAs(t, client, siteURL, bob, "bob")
	wantSignedOut(t, siteURL, "sealed with a secret no longer listed", client, alice)
	reload("cookie_secret " + secretA)
	wantSignedInAs(t, client, siteURL, alice, "alice")
	wantSignedOut(t, siteURL, "sealed with the new secret, read with only the old", client, bob)
}
