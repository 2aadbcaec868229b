package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// The elements of examples/site/index.html that show who is signed in.
var (
	siteGreeting = chromedp.ID("greeting") // "Hello, <name>!"
	siteEmail    = chromedp.ID("email")
	siteSub      = chromedp.ID("sub")
	siteProvider = chromedp.ID("provider") // the provider's name, "default" for the unnamed one
	siteSignOut  = chromedp.ID("signout")  // a link to /auth/logout
)

// The fields of the development provider's sign-in form (devprovider/pages.go).
// Its demo-user buttons sit in forms of class "user"; the typed form is the other one.
var (
	demoUsernameField = chromedp.ID("username")
	demoPasswordField = chromedp.ID("password")
	demoSubmitButton  = chromedp.CSS("form:not(.user) > button[type=submit]")
)

// The test client registered at the development provider.
const (
	demoClientID     = "e2e-site"
	demoClientSecret = "e2e-site-secret"
)

// startDemoProvider runs the project's development provider with its demo
// users (alice/alice-password...) and a client for site. It always shows its
// sign-in form: it keeps no session. It stops when the test ends.
func startDemoProvider(t testing.TB, site siteAddr) *devprovider.Provider {
	t.Helper()
	return testsupport.StartProviderWith(t, devprovider.Config{
		Users: devprovider.DemoUsers(),
		Clients: []devprovider.Client{{
			ID: demoClientID, Secret: demoClientSecret,
			RedirectURIs: []string{site.RedirectURI()},
		}},
	})
}

// demoUser returns the development provider's demo user named username.
func demoUser(t testing.TB, username string) devprovider.User {
	t.Helper()
	for _, u := range devprovider.DemoUsers() {
		if u.Username == username {
			return u
		}
	}
	t.Fatalf("no demo user %q", username)
	return devprovider.User{}
}

// providerLines are oidc_auth subdirectives for one provider, indented by indent.
func providerLines(indent, clientID, clientSecret, metadataURL string) string {
	return fmt.Sprintf("%[1]sclient_id %[2]s\n%[1]sclient_secret %[3]s\n%[1]sserver_metadata_url %[4]s\n",
		indent, clientID, clientSecret, metadataURL)
}

// dexMetadataURL is Dex's discovery document, below its issuer.
func dexMetadataURL(d *dexServer) string {
	return d.Issuer + "/.well-known/openid-configuration"
}

// openPage navigates the tab to url, follows every redirect until a page has
// loaded, and returns where the tab ended up.
func openPage(t testing.TB, tab context.Context, what, url string) string {
	t.Helper()
	runSteps(t, tab, what, chromedp.Navigate(url))
	return location(t, tab)
}

// location is the address of the page the tab shows.
func location(t testing.TB, tab context.Context) string {
	t.Helper()
	return runValue(t, tab, "read the page's address", chromedp.Location())
}

// requireAt fails the test unless the tab shows an address starting with prefix.
func requireAt(t testing.TB, tab context.Context, what, prefix string) {
	t.Helper()
	if at := location(t, tab); !strings.HasPrefix(at, prefix) {
		shot := saveScreenshot(t, tab, "failed-"+what)
		t.Fatalf("%s: the tab is at %s, want %s... (screenshot: %s)", what, at, prefix, shot)
	}
}

// signInAtDex waits for Dex's form, checks it is Dex's, and signs in as user
// by typing, then waits for the site to show who is signed in.
func signInAtDex(t testing.TB, tab context.Context, dex *dexServer, user dexUser) {
	t.Helper()
	runSteps(t, tab, "reach Dex's login form", chromedp.WaitVisible(dexLoginField))
	requireAt(t, tab, "reach Dex's login form", dex.Issuer+"/")
	runSteps(t, tab, "sign in with Dex's form",
		chromedp.Clear(dexLoginField),
		chromedp.Clear(dexPasswordField),
		chromedp.SendKeys(dexLoginField, user.Email),
		chromedp.SendKeys(dexPasswordField, user.Password),
		chromedp.Click(dexSubmitButton),
		chromedp.WaitVisible(siteEmail),
	)
}

// signInAtDemo waits for the development provider's form, checks it is that
// provider's, and signs in as username by typing, then waits for the site to
// show who is signed in.
func signInAtDemo(t testing.TB, tab context.Context, p *devprovider.Provider, username, password string) {
	t.Helper()
	runSteps(t, tab, "reach the development provider's form", chromedp.WaitVisible(demoUsernameField))
	requireAt(t, tab, "reach the development provider's form", p.Issuer()+"/")
	runSteps(t, tab, "sign in with the development provider's form",
		chromedp.Clear(demoUsernameField),
		chromedp.SendKeys(demoUsernameField, username),
		chromedp.SendKeys(demoPasswordField, password),
		chromedp.Click(demoSubmitButton),
		chromedp.WaitVisible(siteEmail),
	)
}

// shownUser is what the example site shows about the signed-in user.
type shownUser struct {
	Greeting, Email, Sub, Provider string
}

// readShownUser reads the signed-in user off the example site's page.
func readShownUser(t testing.TB, tab context.Context) shownUser {
	t.Helper()
	runSteps(t, tab, "wait for the signed-in page", chromedp.WaitVisible(siteEmail))
	return shownUser{
		Greeting: runValue(t, tab, "read the greeting", chromedp.Text(siteGreeting)),
		Email:    runValue(t, tab, "read the email", chromedp.Text(siteEmail)),
		Sub:      runValue(t, tab, "read the subject", chromedp.Text(siteSub)),
		Provider: runValue(t, tab, "read the provider", chromedp.Text(siteProvider)),
	}
}

// readUserJSON opens the site's /auth/user in the tab, as a person following
// the page's link would, and returns the claims it shows.
func readUserJSON(t testing.TB, tab context.Context, site siteAddr) map[string]any {
	t.Helper()
	openPage(t, tab, "open /auth/user", site.URL()+"/auth/user")
	body := runValue(t, tab, "read /auth/user", chromedp.Evaluate[string](`document.body.innerText`))
	var claims map[string]any
	if err := json.Unmarshal([]byte(body), &claims); err != nil {
		t.Fatalf("/auth/user is not JSON: %v\n%s", err, body)
	}
	return claims
}

// pageLink is a link as a person sees it: its text and where it goes.
type pageLink struct{ Text, Href string }

// cardPlacement measures where the page's main card sits in the window, in
// CSS pixels: the free space left and right of it, and above and below.
type cardPlacement struct {
	Left, Right, Top, Bottom float64
}

// readCardPlacement measures the element sel (the card of a page) in the tab.
func readCardPlacement(t testing.TB, tab context.Context, sel string) cardPlacement {
	t.Helper()
	js := fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
		return {Left: r.left, Right: innerWidth - r.right, Top: r.top, Bottom: innerHeight - r.bottom}; })()`, sel)
	return runValue(t, tab, "measure "+sel, chromedp.Evaluate[cardPlacement](js))
}

// centred tells a card with equal space on each side (to a pixel), and
// some space at all: a page that looks finished rather than stuck to a corner.
func (c cardPlacement) centred() bool {
	return math.Abs(c.Left-c.Right) <= 1 && math.Abs(c.Top-c.Bottom) <= 1 && c.Left > 0 && c.Top > 0
}

// textContrast is the WCAG contrast ratio between the colour of the text in
// sel and the background of the card it sits on (card): 4.5 or more reads
// well (WCAG AA for body text).
func textContrast(t testing.TB, tab context.Context, sel, card string) float64 {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const rgb = c => c.match(/[\d.]+/g).slice(0, 3).map(Number);
		const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
			return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
		const fg = lum(getComputedStyle(document.querySelector(%q)).color);
		const bg = lum(getComputedStyle(document.querySelector(%q)).backgroundColor);
		return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05); })()`, sel, card)
	return runValue(t, tab, "measure the contrast of "+sel, chromedp.Evaluate[float64](js))
}

// preferDarkMode makes the tab's pages see prefers-color-scheme: dark, as on a
// computer set to a dark theme.
func preferDarkMode() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		})
		return err
	})
}

// browserCookies lists the cookies the browser would send to url, as its
// developer tools show them (HttpOnly ones included).
func browserCookies(t testing.TB, tab context.Context, url string) []*network.Cookie {
	t.Helper()
	return runValue(t, tab, "read the browser's cookies", func(ctx context.Context, tgt *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, tgt, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
		return res.Cookies, err
	})
}
