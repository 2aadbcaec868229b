package testsupport

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// The test client registered at every test provider, and the cookie_secret
// of the test sites.
const (
	ClientID     = "caddy-site"
	ClientSecret = "test-client-secret"
	CookieSecret = "test-cookie-secret-0123456789abcdef"
)

// StartProvider runs the project's development provider with the test
// client (any redirect URI), its demo users and users, signing in whoever a
// login_hint names (or any name at all) without its form.
func StartProvider(t testing.TB, users ...devprovider.User) *devprovider.Provider {
	t.Helper()
	return StartProviderWith(t, ProviderConfig(users...))
}

// ProviderConfig is the configuration StartProvider runs: the test client
// (any redirect URI), the demo users and users, and sign-in by login_hint
// (or any name at all) without the form.
func ProviderConfig(users ...devprovider.User) devprovider.Config {
	return devprovider.Config{
		Users:          append(devprovider.DemoUsers(), users...),
		Clients:        []devprovider.Client{{ID: ClientID, Secret: ClientSecret}},
		TrustLoginHint: true,
		AnyUser:        true,
	}
}

// StartProviderWith runs the development provider with cfg until the test ends.
func StartProviderWith(t testing.TB, cfg devprovider.Config) *devprovider.Provider {
	t.Helper()
	p, err := devprovider.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// WithLoginHint is the authorization URL u asking the test provider (with
// TrustLoginHint) to sign user in at once, without its form.
func WithLoginHint(u *url.URL, user string) *url.URL {
	c := *u
	q := c.Query()
	q.Set("login_hint", user)
	c.RawQuery = q.Encode()
	return &c
}

// ProviderSettings are the oidc_auth lines for the default provider p with
// the test client.
func ProviderSettings(p *devprovider.Provider) string {
	return fmt.Sprintf("client_id %s\n\t\tclient_secret %s\n\t\tserver_metadata_url %s",
		ClientID, ClientSecret, p.MetadataURL())
}

// TwoProviders is the oidc_auth configuration of a site with the named
// providers one and two, both knowing the test client.
func TwoProviders(one, two *devprovider.Provider) string {
	return fmt.Sprintf(`cookie_secret %s
		provider one {
			client_id %s
			client_secret %s
			server_metadata_url %s
		}
		provider two {
			client_id %s
			client_secret %s
			server_metadata_url %s
		}`, CookieSecret, ClientID, ClientSecret, one.MetadataURL(), ClientID, ClientSecret, two.MetadataURL())
}
