package e2e

import (
	"context"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// readChoiceLinks lists the sign-in links the provider-choice page shows.
func readChoiceLinks(t testing.TB, tab context.Context) []pageLink {
	t.Helper()
	return runValue(t, tab, "read the sign-in links", chromedp.Evaluate[[]pageLink](
		`[...document.querySelectorAll("main a")].map(a => ({Text: a.innerText.trim(), Href: a.getAttribute("href")}))`))
}

// TestBrowserTwoProviders: with Dex and the development provider configured
// as "dex" and "demo", an anonymous visitor chooses between them on a page
// with one link each, and whichever they pick, the site shows that
// provider's user and name.
func TestBrowserTwoProviders(t *testing.T) {
	site := reserveSite(t)
	client := dexClient{ID: "caddy-site", Secret: "caddy-site-secret", RedirectURIs: []string{site.RedirectURI()}}
	dex := startDex(t, dexConfig{Clients: []dexClient{client}})
	demo := startDemoProvider(t, site)
	startCaddySite(t, site,
		"\t\tprovider dex {\n"+providerLines("\t\t\t", client.ID, client.Secret, dexMetadataURL(dex))+"\t\t}\n"+
			"\t\tprovider demo {\n"+providerLines("\t\t\t", demoClientID, demoClientSecret, demo.MetadataURL())+"\t\t}\n")
	page := site.URL() + "/index.html?from=choice"
	tab := newBrowser(t)

	// An anonymous visitor lands on the choice page, which keeps the page
	// they asked for in both links.
	openPage(t, tab, "open a protected page", page)
	requireAt(t, tab, "reach the provider-choice page", site.URL()+"/auth/login")
	if p := readCardPlacement(t, tab, "main"); !p.centred() {
		t.Errorf("the provider-choice card is not centred: %+v", p)
	}
	saveScreenshot(t, tab, "provider-choice")
	links := readChoiceLinks(t, tab)
	want := map[string]string{"dex": "Sign in with Dex", "demo": "Sign in with Demo"}
	for _, l := range links {
		u, err := url.Parse(l.Href)
		if err != nil {
			t.Errorf("link %q has a bad href %q", l.Text, l.Href)
			continue
		}
		name := u.Query().Get("provider")
		if text, ok := want[name]; ok && l.Text == text && u.Path == "/auth/login" && u.Query().Get("return_to") == "/index.html?from=choice" {
			delete(want, name)
		}
	}
	if len(want) > 0 {
		t.Fatalf("the choice page lacks a link for %v (it shows %+v)", want, links)
	}

	// Dex's link leads to Dex's form and back to the page, signed in with dex.
	runSteps(t, tab, "choose Dex", chromedp.Click(chromedp.CSS(`main a[href*="provider=dex"]`)))
	signInAtDex(t, tab, dex, dex.Users[0])
	if at := location(t, tab); at != page {
		t.Errorf("after signing in with Dex the tab is at %s, want %s", at, page)
	}
	if got := readShownUser(t, tab); got.Email != dex.Users[0].Email || got.Provider != "dex" {
		t.Errorf("after signing in with Dex the page shows %+v, want %s from dex", got, dex.Users[0].Email)
	}
	saveScreenshot(t, tab, "signed-in-with-dex")

	// Signing out shows the choice again; the demo link signs alice in.
	runSteps(t, tab, "sign out of dex",
		chromedp.Click(siteSignOut),
		chromedp.WaitVisible(chromedp.CSS(`main a[href*="provider=demo"]`)))
	requireAt(t, tab, "be offered the choice again after signing out", site.URL()+"/auth/login")
	runSteps(t, tab, "choose the demo provider", chromedp.Click(chromedp.CSS(`main a[href*="provider=demo"]`)))
	alice := demoUser(t, "alice")
	signInAtDemo(t, tab, demo, alice.Username, alice.Password)
	if at := location(t, tab); at != site.URL()+"/" {
		// The sign-out ended on /, so that is the page this sign-in asked for.
		t.Errorf("after signing in with demo the tab is at %s, want %s/", at, site.URL())
	}
	got := readShownUser(t, tab)
	if got.Email != alice.Claims["email"] || got.Provider != "demo" || got.Sub != alice.Username {
		t.Errorf("after signing in with demo the page shows %+v, want alice from demo", got)
	}
	if want := "Hello, " + alice.Claims["name"].(string) + "!"; got.Greeting != want {
		t.Errorf("the greeting is %q, want %q", got.Greeting, want)
	}
	saveScreenshot(t, tab, "signed-in-with-demo")
}
