package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDexLoginForm proves the harness end to end: a person opens a
// site, is sent to Dex, types their email and password into Dex's form, and
// lands back on the site signed in as themselves.
func TestBrowserDexLoginForm(t *testing.T) {
	rp := newTinyRP(t)
	client := dexClient{ID: "tiny-rp", Secret: "tiny-rp-secret", RedirectURIs: []string{rp.RedirectURI()}}
	dex := startDex(t, dexConfig{Clients: []dexClient{client}})
	if err := rp.connect(dex.Issuer, client); err != nil {
		t.Fatal(err)
	}
	tab := newBrowser(t)
	user := dex.Users[0]

	runSteps(t, tab, "open the site and reach Dex's login form",
		chromedp.Navigate(rp.URL()),
		chromedp.WaitVisible(dexLoginField),
	)
	if at := runValue(t, tab, "read the login page's address", chromedp.Location()); !strings.HasPrefix(at, dex.Issuer+"/") {
		t.Fatalf("the login form is at %s, not at Dex (%s)", at, dex.Issuer)
	}
	saveScreenshot(t, tab, "dex-login-form")

	runSteps(t, tab, "try a wrong password",
		chromedp.SendKeys(dexLoginField, user.Email),
		chromedp.SendKeys(dexPasswordField, "not-"+user.Password),
		chromedp.Click(dexSubmitButton),
		chromedp.WaitVisible(dexLoginError),
	)
	saveScreenshot(t, tab, "dex-wrong-password")

	runSteps(t, tab, "sign in with Dex's form",
		chromedp.Clear(dexLoginField), // Dex keeps the email it was given
		chromedp.Clear(dexPasswordField),
		chromedp.SendKeys(dexLoginField, user.Email),
		chromedp.SendKeys(dexPasswordField, user.Password),
		chromedp.Click(dexSubmitButton),
		chromedp.WaitVisible(chromedp.ID("email")),
	)
	shown := runValue(t, tab, "read who is signed in", chromedp.Text(chromedp.ID("email")))
	at := runValue(t, tab, "read the landing page's address", chromedp.Location())
	saveScreenshot(t, tab, "signed-in")
	if shown != user.Email {
		t.Errorf("the site shows %q as signed in, want %q", shown, user.Email)
	}
	if !strings.HasPrefix(at, rp.RedirectURI()) {
		t.Errorf("landed on %s, want the site's callback %s", at, rp.RedirectURI())
	}
}
