package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// TestBrowserDexSignIn is a person's whole day with a site behind oidc_auth
// and Dex: a protected page sends them to Dex, they type their email and
// password and land on the page they asked for, which greets them; a second
// tab knows them too; signing out means signing in again; and a restart of
// Caddy (same cookie_secret) does not sign them out.
func TestBrowserDexSignIn(t *testing.T) {
	site := reserveSite(t)
	client := dexClient{ID: "caddy-site", Secret: "caddy-site-secret", RedirectURIs: []string{site.RedirectURI()}}
	dex := startDex(t, dexConfig{Clients: []dexClient{client}})
	srv := startCaddySite(t, site, providerLines("\t\t", client.ID, client.Secret, dexMetadataURL(dex)))
	user := dex.Users[0]
	page := site.URL() + "/index.html?from=test"
	tab := newBrowser(t)

	// A protected page sends an anonymous visitor to Dex...
	if at := openPage(t, tab, "open a protected page", page); at == page {
		t.Fatalf("an anonymous visitor was shown %s instead of being sent to sign in", page)
	}
	signInAtDex(t, tab, dex, user)
	// ...and back to that very page, query string included.
	if at := location(t, tab); at != page {
		t.Errorf("after signing in the tab is at %s, want the page first asked for, %s", at, page)
	}
	shown := readShownUser(t, tab)
	saveScreenshot(t, tab, "signed-in")
	if shown.Email != user.Email {
		t.Errorf("the page shows email %q, want %q", shown.Email, user.Email)
	}
	if shown.Provider != "default" || shown.Sub == "" {
		t.Errorf("the page shows provider %q and sub %q, want the default provider and a subject", shown.Provider, shown.Sub)
	}
	// Dex names a password user by its username, in the name claim.
	if want := "Hello, " + user.Username + "!"; shown.Greeting != want {
		t.Errorf("the greeting is %q, want %q", shown.Greeting, want)
	}
	var identity *network.Cookie
	pageCookies := 0
	for _, c := range browserCookies(t, tab, site.URL()+"/") {
		// The identity cookie is named for its site: oidc_auth-<port> here.
		if testsupport.IsSessionCookie(c.Name) {
			identity = c
		}
		if testsupport.IsHintCookie(c.Name) {
			t.Errorf("the browser sends the sign-out hint %s to every page", c.Name)
		}
		pageCookies += len(c.Name) + 1 + len(c.Value) + 2
	}
	// The ID token, kept for sign-out's id_token_hint, goes to /auth/logout only.
	var hint *network.Cookie
	for _, c := range browserCookies(t, tab, site.URL()+"/auth/logout") {
		if testsupport.IsHintCookie(c.Name) {
			hint = c
		}
	}
	if hint == nil || !hint.HTTPOnly || hint.Path != "/auth/logout" {
		t.Errorf("the sign-out hint cookie is %+v, want HttpOnly with Path=/auth/logout", hint)
	} else {
		t.Logf("Chromium sends %d bytes of cookies to a page; the sign-out hint (%d bytes) only to /auth/logout", pageCookies, len(hint.Value))
	}
	if identity == nil || !identity.HTTPOnly || identity.SameSite != network.CookieSameSiteLax || identity.Path != "/" {
		t.Errorf("the identity cookie is %+v, want oidc_auth, HttpOnly, SameSite=Lax, Path=/", identity)
	}
	claims := readUserJSON(t, tab, site)
	t.Logf("/auth/user after signing in with Dex: %v", claims)
	if claims["is_logged_in"] != true || claims["email"] != user.Email || claims["sub"] != shown.Sub {
		t.Errorf("/auth/user = %v, want is_logged_in, email %s and sub %s", claims, user.Email, shown.Sub)
	}

	// A second tab of the same browser is signed in without seeing a form.
	tab2 := newTab(t, tab)
	if at := openPage(t, tab2, "open the site in a second tab", site.URL()+"/"); at != site.URL()+"/" {
		t.Fatalf("the second tab went to %s instead of showing the site", at)
	}
	if got := readShownUser(t, tab2); got.Email != user.Email {
		t.Errorf("the second tab shows %q, want %q", got.Email, user.Email)
	}

	// Signing out (Dex has no end-session endpoint, so it ends at /) means the
	// next page asks for the password again, in every tab.
	openPage(t, tab, "go back to the page", page)
	runSteps(t, tab, "sign out", chromedp.Click(siteSignOut), chromedp.WaitVisible(dexLoginField))
	requireAt(t, tab, "be asked to sign in after signing out", dex.Issuer+"/")
	for _, c := range browserCookies(t, tab, site.URL()+"/auth/logout") {
		if testsupport.IsHintCookie(c.Name) || testsupport.IsSessionCookie(c.Name) {
			t.Errorf("after signing out the browser still holds %s (path %s)", c.Name, c.Path)
		}
	}
	openPage(t, tab2, "reload the second tab after signing out", site.URL()+"/")
	requireAt(t, tab2, "the second tab is signed out too", dex.Issuer+"/")
	openPage(t, tab, "open the protected page after signing out", page)
	requireAt(t, tab, "the protected page asks for sign-in again", dex.Issuer+"/")

	// Sign in again, then restart Caddy: the sign-in outlives it.
	signInAtDex(t, tab, dex, user)
	if at := location(t, tab); at != page {
		t.Errorf("after signing in again the tab is at %s, want %s", at, page)
	}
	srv.Restart(t)
	if at := openPage(t, tab, "reload the page after restarting Caddy", page); at != page {
		t.Fatalf("after the restart the page went to %s: the sign-in did not survive", at)
	}
	if got := readShownUser(t, tab); got.Email != user.Email {
		t.Errorf("after the restart the page shows %q, want %q", got.Email, user.Email)
	}
	saveScreenshot(t, tab, "signed-in-after-restart")

	// What Caddy logged on the way holds none of the secrets.
	caddyLog := srv.Log()
	for name, secret := range map[string]string{"cookie_secret": testCookieSecret, "client_secret": client.Secret} {
		if strings.Contains(caddyLog, secret) {
			t.Errorf("Caddy's log holds the %s", name)
		}
	}
	if identity != nil && strings.Contains(caddyLog, identity.Value) {
		t.Errorf("Caddy's log holds the identity cookie's value")
	}
	if !strings.Contains(caddyLog, `"signed in"`) {
		t.Errorf("Caddy's log does not record the sign-in:\n%s", caddyLog)
	}
}
