package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// customPagesCaddyfile is examples/custom-pages/Caddyfile's layout: the
// example site behind oidc_auth with the README's example pages, and their
// stylesheet under /brand/ served without sign-in.
func customPagesCaddyfile(t testing.TB, addr siteAddr, stateDir, oidcBody string) string {
	t.Helper()
	pagesDir, err := filepath.Abs(filepath.Join("..", "examples", "custom-pages", "pages"))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("{\n\tadmin off\n\tauto_https off\n\tpersist_config off\n\tgrace_period 2s\n"+
		"\tstorage file_system `%s`\n\tlog {\n\t\toutput file `%s`\n\t\tlevel INFO\n\t}\n}\n\n"+
		"%s {\n\tbind 127.0.0.1\n\t@app not path /brand/*\n"+
		"\toidc_auth @app {\n\t\tredirect_uri %s\n\t\tcookie_secret %s\n%s\t\tpages `%s`\n\t}\n"+
		"\thandle /brand/* {\n\t\troot * `%s`\n\t\tfile_server\n\t}\n"+
		"\thandle {\n\t\ttemplates\n\t\troot * `%s`\n\t\tfile_server\n\t}\n}\n",
		filepath.Join(stateDir, "storage"), filepath.Join(stateDir, "caddy.log"),
		addr.URL(), addr.RedirectURI(), testCookieSecret, oidcBody, pagesDir, pagesDir, exampleSiteDir(t))
}

// TestBrowserCustomPages: a site with two providers and the README's
// example pages (examples/custom-pages). Chromium shows the site's own
// choice, 403 and error pages with their stylesheet applied (the pages' CSP
// lets the site's own stylesheet load), and their links work. Screenshots:
// custom-choice.png, custom-forbidden.png, custom-error.png.
func TestBrowserCustomPages(t *testing.T) {
	site := reserveSite(t)
	staff, partners := startDemoProvider(t, site), startDemoProvider(t, site)
	stateDir := t.TempDir()
	s := startCaddyfile(t, site, stateDir, customPagesCaddyfile(t, site, stateDir,
		"\t\tprovider staff {\n"+providerLines("\t\t\t", demoClientID, demoClientSecret, staff.MetadataURL())+"\t\t}\n"+
			"\t\tprovider partners {\n"+providerLines("\t\t\t", demoClientID, demoClientSecret, partners.MetadataURL())+"\t\t}\n"+
			"\t\tallow {\n\t\t\temail alice@example.com\n\t\t}\n"))
	tab := newBrowser(t)

	// The stylesheet's paper colour on the body says it loaded and applied.
	const paper = "rgb(253, 246, 227)"
	styled := func(what string) {
		t.Helper()
		if bg := runValue(t, tab, "read the background", chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`)); bg != paper {
			t.Errorf("%s: the body's background is %s, want the stylesheet's %s (blocked by the CSP?)", what, bg, paper)
		}
	}

	openPage(t, tab, "open a protected page", site.URL()+"/index.html")
	requireAt(t, tab, "reach the custom choice", site.URL()+"/auth/login")
	saveScreenshot(t, tab, "custom-choice")
	heading := runValue(t, tab, "read the heading", chromedp.Text(chromedp.CSS("main h1")))
	links := readChoiceLinks(t, tab)
	if heading != "Welcome back" || len(links) != 2 || links[0].Text != "Continue with Partners" || links[1].Text != "Continue with Staff" {
		t.Errorf("the custom choice shows %q and %+v", heading, links)
	}
	styled("the choice")

	// bob is not on the allow list: the custom 403 page names him.
	runSteps(t, tab, "choose staff", chromedp.Click(chromedp.ID("provider-staff")), chromedp.WaitVisible(demoUsernameField))
	requireAt(t, tab, "reach the staff provider", staff.Issuer()+"/")
	runSteps(t, tab, "sign in as bob",
		chromedp.SendKeys(demoUsernameField, "bob"),
		chromedp.SendKeys(demoPasswordField, "bob-password"),
		chromedp.Click(demoSubmitButton),
		chromedp.WaitVisible(chromedp.CSS("main .brand"))) // the 403 page's, not the form's heading
	requireAt(t, tab, "come back to the page asked for", site.URL()+"/index.html")
	saveScreenshot(t, tab, "custom-forbidden")
	text := runValue(t, tab, "read the 403 page", chromedp.Evaluate[string](`document.body.innerText`))
	if !strings.Contains(text, "This page is for staff only") || !strings.Contains(text, "bob@example.org (Bob Builder) with staff") {
		t.Errorf("the custom 403 page says:\n%s", text)
	}
	styled("the 403 page")

	// A callback no sign-in started: the custom error page.
	openPage(t, tab, "open a forged callback", site.URL()+"/oauth2callback?state=bogus&code=x")
	saveScreenshot(t, tab, "custom-error")
	text = runValue(t, tab, "read the error page", chromedp.Evaluate[string](`document.body.innerText`))
	if !strings.Contains(text, "Error 400 (Bad Request)") || strings.Contains(text, "bogus") {
		t.Errorf("the custom error page says:\n%s", text)
	}
	styled("the error page")

	if log := s.Log(); strings.Contains(log, "custom page failed") {
		t.Errorf("a custom page failed:\n%s", log)
	}
}
