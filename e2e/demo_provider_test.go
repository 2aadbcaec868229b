package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDemoProvider walks the runnable demo's path with the project's
// development provider, so the demo cannot rot: a typed sign-in as alice
// lands on the page asked for; signing out goes through the provider's
// end-session endpoint and back to the site, which asks for sign-in again;
// the provider's one-click demo-user button signs bob in.
func TestBrowserDemoProvider(t *testing.T) {
	site := reserveSite(t)
	demo := startDemoProvider(t, site)
	startCaddySite(t, site, providerLines("\t\t", demoClientID, demoClientSecret, demo.MetadataURL()))
	page := site.URL() + "/index.html?from=demo"
	tab := newBrowser(t)

	openPage(t, tab, "open a protected page", page)
	runSteps(t, tab, "reach the development provider's form", chromedp.WaitVisible(demoUsernameField))
	saveScreenshot(t, tab, "demo-login-form")
	alice := demoUser(t, "alice")
	signInAtDemo(t, tab, demo, alice.Username, alice.Password)
	if at := location(t, tab); at != page {
		t.Errorf("after signing in the tab is at %s, want the page first asked for, %s", at, page)
	}
	got := readShownUser(t, tab)
	if got.Email != alice.Claims["email"] || got.Sub != alice.Username || got.Provider != "default" {
		t.Errorf("the page shows %+v, want alice (alice@example.com) from the default provider", got)
	}
	if want := "Hello, " + alice.Claims["name"].(string) + "!"; got.Greeting != want {
		t.Errorf("the greeting is %q, want %q", got.Greeting, want)
	}

	// Sign-out passes through the provider's end-session endpoint, which
	// sends the browser back to the site; the site, now anonymous, starts a
	// new sign-in, so the provider's form shows again.
	before := demo.Counts()
	runSteps(t, tab, "sign out", chromedp.Click(siteSignOut), chromedp.WaitVisible(demoUsernameField))
	requireAt(t, tab, "be asked to sign in after signing out", demo.Issuer()+"/")
	after := demo.Counts()
	if after.EndSession != before.EndSession+1 {
		t.Errorf("sign-out reached the provider's end-session endpoint %d times, want once", after.EndSession-before.EndSession)
	}
	if after.Authorize != before.Authorize+1 {
		t.Errorf("after signing out the site started %d sign-ins, want one (the way back to the form)", after.Authorize-before.Authorize)
	}

	// The form's demo-user buttons sign a user in with one click.
	bob := demoUser(t, "bob")
	runSteps(t, tab, "pick bob from the demo users",
		chromedp.Click(chromedp.CSS(`form.user:has(input[name=username][value=bob]) button`)),
		chromedp.WaitVisible(siteEmail))
	if got := readShownUser(t, tab); got.Email != bob.Claims["email"] || got.Sub != bob.Username {
		t.Errorf("after picking bob the page shows %+v, want bob (%s)", got, bob.Claims["email"])
	}
}
