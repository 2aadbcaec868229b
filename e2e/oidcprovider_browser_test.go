package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The oidc_auth client the tests register at oidc-provider.
const (
	opClientID     = "caddy-site"
	opClientSecret = "caddy-site-secret"
)

// startOIDCProviderSite runs oidc-provider with client and Caddy with the
// example site behind oidc_auth signing in there, exposing the ID token so
// the tests can read what it holds.
func startOIDCProviderSite(t testing.TB, site siteAddr, client opClient) (*oidcProvider, *caddySite) {
	t.Helper()
	op := startOIDCProvider(t, client)
	srv := startCaddySite(t, site, providerLines("\t\t", client.ID, client.Secret, op.MetadataURL())+"\t\texpose_tokens id\n")
	return op, srv
}

// signInAtOIDCProvider goes through oidc-provider's real login and consent
// pages as user, then waits for the site to show who is signed in.
func signInAtOIDCProvider(t testing.TB, tab context.Context, op *oidcProvider, user opUser) {
	t.Helper()
	runSteps(t, tab, "reach oidc-provider's login form", chromedp.WaitVisible(opLoginField))
	requireAt(t, tab, "reach oidc-provider's login form", op.Issuer+"/interaction/")
	runSteps(t, tab, "sign in with oidc-provider's form",
		chromedp.SendKeys(opLoginField, user.Login),
		chromedp.SendKeys(opPasswordField, "any password"),
		chromedp.Click(opLoginSubmit),
		chromedp.WaitVisible(opConsentSubmit),
	)
	saveScreenshot(t, tab, "oidc-provider-consent")
	runSteps(t, tab, "consent at oidc-provider", chromedp.Click(opConsentSubmit), chromedp.WaitVisible(siteEmail))
}

// idTokenClaims decodes the payload of the ID token that /auth/user exposes.
func idTokenClaims(t testing.TB, user map[string]any) map[string]any {
	t.Helper()
	tokens, _ := user["tokens"].(map[string]any)
	idToken, _ := tokens["id"].(string)
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		t.Fatalf("/auth/user exposes no ID token: %v", user)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("the ID token's payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatalf("the ID token's payload: %v", err)
	}
	return claims
}

// TestBrowserOIDCProviderSignIn signs in through panva's oidc-provider, an
// OpenID-certified provider that differs from Dex where relying parties
// break: it refuses prompt=select_account (oidc_auth asks again without it),
// sends RFC 9207 iss in its answer (which oidc_auth checks, as the provider
// says it sends it), and puts email and name only in userinfo (which
// oidc_auth fetches, since the ID token lacks them). The page then shows
// Alice's email and name.
func TestBrowserOIDCProviderSignIn(t *testing.T) {
	site := reserveSite(t)
	op, srv := startOIDCProviderSite(t, site, opClient{ID: opClientID, Secret: opClientSecret, RedirectURIs: []string{site.RedirectURI()}})
	tab := newBrowser(t)
	page := site.URL() + "/index.html?from=test"

	if at := openPage(t, tab, "open a protected page", page); at == page {
		t.Fatalf("an anonymous visitor was shown %s instead of being sent to sign in", page)
	}
	signInAtOIDCProvider(t, tab, op, opAlice)
	if at := location(t, tab); at != page {
		t.Errorf("after signing in the tab is at %s, want the page first asked for, %s", at, page)
	}
	shown := readShownUser(t, tab)
	saveScreenshot(t, tab, "signed-in")
	if shown.Email != opAlice.Email || shown.Greeting != "Hello, "+opAlice.Name+"!" || shown.Sub != opAlice.Login {
		t.Errorf("the page shows %+v, want %s, %q and sub %s", shown, opAlice.Email, opAlice.Name, opAlice.Login)
	}

	user := readUserJSON(t, tab, site)
	if user["is_logged_in"] != true || user["email"] != opAlice.Email || user["name"] != opAlice.Name {
		t.Errorf("/auth/user = %v, want Alice signed in with her email and name", user)
	}
	// They came from userinfo: the ID token has neither.
	id := idTokenClaims(t, user)
	if _, ok := id["email"]; ok {
		t.Errorf("the ID token holds the email, so userinfo was not needed: %v", id)
	}
	if _, ok := id["name"]; ok {
		t.Errorf("the ID token holds the name, so userinfo was not needed: %v", id)
	}
	if !strings.Contains(srv.Log(), "provider refused the default prompt; retrying without it") {
		t.Errorf("Caddy's log does not show oidc-provider refusing prompt=select_account and the retry:\n%s", srv.Log())
	}
}

// TestBrowserOIDCProviderSignOut signs out from the site: the browser goes
// through oidc-provider's end-session confirmation ("Yes, sign me out") and
// back to the site, where Alice is signed out, and at the provider too: the
// next sign-in asks for her login again.
func TestBrowserOIDCProviderSignOut(t *testing.T) {
	site := reserveSite(t)
	op, _ := startOIDCProviderSite(t, site, opClient{
		ID: opClientID, Secret: opClientSecret,
		RedirectURIs: []string{site.RedirectURI()}, PostLogoutRedirectURIs: []string{site.RedirectURI()},
	})
	tab := newBrowser(t)

	openPage(t, tab, "open a protected page", site.URL()+"/")
	signInAtOIDCProvider(t, tab, op, opAlice)
	runSteps(t, tab, "sign out", chromedp.Click(siteSignOut), chromedp.WaitVisible(opLogoutYes))
	requireAt(t, tab, "reach oidc-provider's end-session page", op.Issuer+"/session/end")
	saveScreenshot(t, tab, "end-session-confirmation")
	// Back to the site, whose protected page asks for a sign-in that
	// oidc-provider can no longer answer from its own session.
	runSteps(t, tab, "confirm the sign-out", chromedp.Click(opLogoutYes), chromedp.WaitVisible(opLoginField))
	requireAt(t, tab, "be asked to sign in again at oidc-provider", op.Issuer+"/interaction/")
	if got := readUserJSON(t, tab, site); got["is_logged_in"] != false {
		t.Errorf("after signing out the site still reads Alice as signed in: %v", got)
	}
}

// TestBrowserOIDCProviderBackchannelLogout signs out at oidc-provider, not
// at the site: oidc-provider posts a logout token to the site's
// /auth/backchannel-logout (OpenID Connect Back-Channel Logout 1.0), and the
// next request to the site, with the same cookies, is signed out.
func TestBrowserOIDCProviderBackchannelLogout(t *testing.T) {
	site := reserveSite(t)
	op, srv := startOIDCProviderSite(t, site, opClient{
		ID: opClientID, Secret: opClientSecret,
		RedirectURIs:         []string{site.RedirectURI()},
		BackchannelLogoutURI: site.URL() + "/auth/backchannel-logout",
	})
	tab := newBrowser(t)

	openPage(t, tab, "open a protected page", site.URL()+"/")
	signInAtOIDCProvider(t, tab, op, opAlice)
	if got := readUserJSON(t, tab, site); got["is_logged_in"] != true || got["sid"] == nil {
		t.Fatalf("/auth/user after signing in: %v", got)
	}

	// Sign out at the provider itself (another app's sign-out, say).
	openPage(t, tab, "open oidc-provider's sign-out", op.Issuer+"/session/end")
	runSteps(t, tab, "confirm the sign-out at oidc-provider", chromedp.Click(opLogoutYes), chromedp.WaitNotPresent(opLogoutYes))
	saveScreenshot(t, tab, "signed-out-at-provider")
	if !strings.Contains(op.Log(), "back-channel logout to "+opClientID+" delivered") {
		t.Errorf("oidc-provider did not deliver the back-channel logout:\n%s", op.Log())
	}
	if got := readUserJSON(t, tab, site); got["is_logged_in"] != false {
		t.Errorf("the site still reads Alice as signed in after oidc-provider's back-channel logout: %v", got)
	}
	if !strings.Contains(srv.Log(), "signed out by the provider (back-channel)") {
		t.Errorf("Caddy's log does not record the back-channel sign-out:\n%s", srv.Log())
	}
}
