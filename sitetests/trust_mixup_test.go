package sitetests_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// mixUpSite serves one site with two providers: "honest" and "evil", a
// configured provider that turned hostile. Each has a callback of its own
// when separate is true, else both share /oauth2callback. The honest
// provider accepts only its registered callback, as real ones do.
func mixUpSite(t *testing.T, separate bool, honestCfg devprovider.Config) (siteURL string, honest, evil *devprovider.Provider) {
	t.Helper()
	port := testsupport.FreePort(t)
	siteURL = testsupport.SiteURL(port)
	honestCB, evilCB := siteURL+"/oauth2callback", siteURL+"/oauth2callback"
	if separate {
		honestCB, evilCB = siteURL+"/callback/honest", siteURL+"/callback/evil"
	}
	honestCfg.Users = devprovider.DemoUsers()
	honestCfg.Clients = []devprovider.Client{{ID: testsupport.ClientID, Secret: testsupport.ClientSecret, RedirectURIs: []string{honestCB}}}
	honestCfg.TrustLoginHint, honestCfg.AnyUser = true, true
	honest = testsupport.StartProviderWith(t, honestCfg)
	evil = testsupport.StartProvider(t)
	testsupport.StartCaddy(t, attackSiteConfig(t, port, fmt.Sprintf(`cookie_secret %s
		provider honest {
			redirect_uri %s
			client_id %s
			client_secret %s
			server_metadata_url %s
		}
		provider evil {
			redirect_uri %s
			client_id %s
			client_secret %s
			server_metadata_url %s
		}`, testsupport.CookieSecret, honestCB, testsupport.ClientID, testsupport.ClientSecret, honest.MetadataURL(),
		evilCB, testsupport.ClientID, testsupport.ClientSecret, evil.MetadataURL())))
	return siteURL, honest, evil
}

// mixUpAttack plays the mix-up of RFC 9700 4.4: the victim starts a sign-in
// with the hostile provider, which sends the browser on to the honest
// provider's authorization endpoint with the site's own client_id and
// callback for the honest provider, and the honest provider's answer (the
// victim's code) reaches the site under the hostile sign-in's state. It
// returns the site's answer to that callback.
func mixUpAttack(t *testing.T, siteURL string, honest *devprovider.Provider, honestCallback string) *http.Response {
	t.Helper()
	victim := loginStartFrom(t, getWithCookies(t, siteURL+"/auth/login?provider=evil"))
	forwarded, _ := url.Parse(strings.TrimSuffix(honest.MetadataURL(), "/.well-known/openid-configuration") + "/authorize")
	q := victim.authorize.Query()
	q.Set("redirect_uri", honestCallback)
	forwarded.RawQuery = q.Encode()
	cb := authorizeAs(t, loginStart{authorize: forwarded}, "victim")
	if cb.Query().Get("state") != victim.authorize.Query().Get("state") {
		t.Fatal("the honest provider did not echo the forwarded state")
	}
	return getWithCookies(t, cb.String(), victim.cookie)
}

// With a callback per provider, the honest provider's answer arrives at its
// own callback while the sign-in was started with the hostile one: refused
// before the code is sent to any token endpoint. Each provider still signs
// users in at its own callback.
func TestMixUpRefusedByCallbackPerProvider(t *testing.T) {
	siteURL, honest, evil := mixUpSite(t, true, devprovider.Config{})
	resp := mixUpAttack(t, siteURL, honest, siteURL+"/callback/honest")
	wantRefused(t, "the honest provider's code under the hostile sign-in", resp)
	if n := evil.Counts().Token; n != 0 {
		t.Errorf("the hostile provider's token endpoint was sent %d requests: the victim's code reached it", n)
	}
	if n := honest.Counts().Token; n != 0 {
		t.Errorf("the code was redeemed at the honest provider %d times during the attack", n)
	}
	for _, name := range []string{"honest", "evil"} {
		b := testsupport.NewBrowser(t, "alice")
		status, body := b.Get(siteURL + "/auth/login?provider=" + name)
		if status != http.StatusOK || body != "id=alice provider="+name {
			t.Errorf("signing in with %s at its own callback: %d %q (trail %v)", name, status, body, b.Trail)
		}
	}
}

// With one callback for both, RFC 9207 does it: the honest provider says who
// it is (iss) and the site, expecting the hostile provider's issuer for that
// sign-in, refuses before the code is sent anywhere. Sign-ins with iss
// still work, and an answer stripped of the iss its provider promises is
// refused.
func TestMixUpRefusedByIssParameter(t *testing.T) {
	siteURL, honest, evil := mixUpSite(t, false, devprovider.Config{IssParameter: true})
	resp := mixUpAttack(t, siteURL, honest, siteURL+"/oauth2callback")
	wantRefused(t, "the honest provider's code under the hostile sign-in", resp)
	if n := evil.Counts().Token; n != 0 {
		t.Errorf("the hostile provider's token endpoint was sent %d requests: the victim's code reached it", n)
	}
	b := testsupport.NewBrowser(t, "alice")
	if status, body := b.Get(siteURL + "/auth/login?provider=honest"); status != http.StatusOK || body != "id=alice provider=honest" {
		t.Errorf("signing in with the honest provider, which sends iss: %d %q", status, body)
	}
	start := loginStartFrom(t, getWithCookies(t, siteURL+"/auth/login?provider=honest"))
	cb := authorizeAs(t, start, "victim")
	if cb.Query().Get("iss") == "" {
		t.Fatal("the honest provider sent no iss")
	}
	q := cb.Query()
	q.Del("iss")
	cb.RawQuery = q.Encode()
	wantRefused(t, "an answer stripped of the iss its provider promises", getWithCookies(t, cb.String(), start.cookie))
	if n := honest.Counts().Token; n != 1 {
		t.Errorf("the honest provider's token endpoint saw %d requests, want 1 (alice's sign-in only)", n)
	}
}

// Providers that share a callback where one does not send iss: Caddy's log
// says so, once, with the advice to give it a redirect_uri of its own.
func TestSharedCallbackWithoutIssIsLogged(t *testing.T) {
	one, two := testsupport.StartProvider(t), testsupport.StartProviderWith(t, devprovider.Config{
		Users: devprovider.DemoUsers(), TrustLoginHint: true, AnyUser: true, IssParameter: true,
		Clients: []devprovider.Client{{ID: testsupport.ClientID, Secret: testsupport.ClientSecret}},
	})
	site := startOwnSite(t, testsupport.TwoProviders(one, two))
	for range 2 {
		for _, name := range []string{"one", "two"} {
			b := testsupport.NewBrowser(t, "alice")
			if status, body := b.Get(site.URL + "/auth/login?provider=" + name); status != http.StatusOK || !strings.Contains(body, "provider="+name) {
				t.Fatalf("signing in with %s: %d %q", name, status, body)
			}
		}
	}
	log := site.readLog(t)
	const warning = "does not send iss (RFC 9207)"
	if n := strings.Count(log, warning); n != 1 {
		t.Fatalf("the log warns %d times, want once (for provider one):\n%s", n, log)
	}
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, warning) && !strings.Contains(line, `"provider":"one"`) {
			t.Errorf("the warning names another provider than one: %s", line)
		}
	}
}
