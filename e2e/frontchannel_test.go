package e2e

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// TestBrowserFrontchannelLogout signs out at the provider, not at the site:
// the provider's sign-out page loads the site's front-channel logout route
// in an iframe (OpenID Connect Front-Channel Logout 1.0), and the site,
// still open in the browser, then reads the user as signed out.
func TestBrowserFrontchannelLogout(t *testing.T) {
	site := reserveSite(t)
	demo := testsupport.StartProviderWith(t, devprovider.Config{
		Users: devprovider.DemoUsers(),
		Clients: []devprovider.Client{{
			ID: demoClientID, Secret: demoClientSecret,
			RedirectURIs:          []string{site.RedirectURI()},
			FrontchannelLogoutURI: site.URL() + "/auth/frontchannel-logout",
		}},
	})
	startCaddySite(t, site, providerLines("\t\t", demoClientID, demoClientSecret, demo.MetadataURL())+"\t\texpose_tokens id\n")
	tab := newBrowser(t)

	openPage(t, tab, "open a protected page", site.URL()+"/index.html")
	alice := demoUser(t, "alice")
	signInAtDemo(t, tab, demo, alice.Username, alice.Password)
	user := readUserJSON(t, tab, site)
	tokens, _ := user["tokens"].(map[string]any)
	idToken, _ := tokens["id"].(string)
	if user["is_logged_in"] != true || idToken == "" || user["sid"] == nil {
		t.Fatalf("/auth/user after signing in: %v", user)
	}

	// Signing out at the provider (another app's sign-out, say): its page
	// frames the site's front-channel logout route.
	endSession := demo.Issuer() + "/end_session?" + url.Values{"id_token_hint": {idToken}}.Encode()
	openPage(t, tab, "sign out at the provider", endSession)
	runSteps(t, tab, "wait for the front-channel iframe to load",
		chromedp.WaitReady(`iframe.frontchannel[data-loaded="yes"]`))
	saveScreenshot(t, tab, "frontchannel-signed-out-at-provider")
	if got := readUserJSON(t, tab, site); got["is_logged_in"] != false {
		t.Errorf("the site still reads alice as signed in after the provider's front-channel logout: %v", got)
	}
}
