package oidcauth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// twoProviderConfig has a default provider and a named one, google, on
// the site https://example.com.
func twoProviderConfig() *OIDCAuth {
	return &OIDCAuth{RedirectURI: "https://example.com/oauth2callback", CookieSecret: "0123456789abcdef0123",
		ClientID: "id", ServerMetadataURL: "https://idp.example.com/.well-known/openid-configuration",
		Providers: map[string]*ProviderConfig{"google": {ClientID: "g",
			ServerMetadataURL: "https://accounts.google.com/.well-known/openid-configuration"}}}
}

func TestProviderRedirectURIFallsBackToTheTopLevelOne(t *testing.T) {
	m := twoProviderConfig()
	m.Providers["microsoft"] = &ProviderConfig{ClientID: "ms", ServerMetadataURL: "https://login.microsoftonline.com/.well-known/openid-configuration",
		RedirectURI: "https://example.com/oauth2callback/microsoft", PostLogoutRedirectURI: "https://example.com/bye-microsoft"}
	if err := m.checkConfig(keySource{}); err != nil {
		t.Fatalf("refused: %v", err)
	}
	provs := m.providerConfigs()
	for name, want := range map[string][2]string{
		"default":   {"https://example.com/oauth2callback", ""},
		"google":    {"https://example.com/oauth2callback", ""},
		"microsoft": {"https://example.com/oauth2callback/microsoft", "https://example.com/bye-microsoft"},
	} {
		if p := provs[name]; p.RedirectURI != want[0] || p.PostLogoutRedirectURI != want[1] {
			t.Errorf("provider %s: redirect_uri %q, post_logout_redirect_uri %q; want %q, %q", name, p.RedirectURI, p.PostLogoutRedirectURI, want[0], want[1])
		}
	}

	m.PostLogoutRedirectURI = "https://example.com/bye"
	provs = m.providerConfigs()
	if provs["default"].PostLogoutRedirectURI != "https://example.com/bye" || provs["google"].PostLogoutRedirectURI != "https://example.com/bye" ||
		provs["microsoft"].PostLogoutRedirectURI != "https://example.com/bye-microsoft" {
		t.Errorf("post_logout_redirect_uri: default %q, google %q, microsoft %q", provs["default"].PostLogoutRedirectURI,
			provs["google"].PostLogoutRedirectURI, provs["microsoft"].PostLogoutRedirectURI)
	}
	// Resolving does not write into the config Caddy holds.
	if m.Providers["google"].RedirectURI != "" {
		t.Errorf("providerConfigs changed the config: %+v", m.Providers["google"])
	}
}

func TestProviderRedirectURIMustBeACallbackOnThisSite(t *testing.T) {
	for _, ok := range []string{
		"https://example.com/oauth2callback/google",
		"https://EXAMPLE.com:443/google-callback",
		"https://example.com/oauth2callback", // the same as the top-level one: allowed, if pointless
	} {
		m := twoProviderConfig()
		m.Providers["google"].RedirectURI = ok
		if err := m.checkConfig(keySource{}); err != nil {
			t.Errorf("redirect_uri %s refused: %v", ok, err)
		}
	}
	for _, c := range []struct{ redirect, logout, want string }{
		{"/oauth2callback/google", "", "must be an absolute http or https URL"},
		{"google-callback", "", "must be an absolute http or https URL"},
		{"https://example.com/", "", "needs a path of its own"},
		{"https://example.com", "", "needs a path of its own"},
		{"https://example.com/auth/google", "", "needs a path of its own"},
		{"https://other.example/oauth2callback", "", "must be on the site of the top-level redirect_uri, https://example.com"},
		{"https://example.com:8443/oauth2callback", "", "same scheme, host and port"},
		{"http://example.com/oauth2callback", "", "same scheme, host and port"},
		{"", "/signed-out", "post_logout_redirect_uri \"/signed-out\" must be an absolute http or https URL"},
	} {
		m := twoProviderConfig()
		m.Providers["google"].RedirectURI, m.Providers["google"].PostLogoutRedirectURI = c.redirect, c.logout
		err := m.checkConfig(keySource{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "provider google") {
			t.Errorf("redirect_uri %q, post_logout_redirect_uri %q: got %v, want an error about provider google saying %q", c.redirect, c.logout, err, c.want)
		}
	}
}

func TestProviderRedirectURIErrorsNameFileAndLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "secrets.toml")
	os.WriteFile(file, []byte("[auth]\nredirect_uri = \"https://example.com/oauth2callback\"\ncookie_secret = \"0123456789abcdef0123\"\n\n"+
		"[auth.google]\nclient_id = \"g\"\nserver_metadata_url = \"https://accounts.google.com/.well-known/openid-configuration\"\n"+
		"redirect_uri = \"https://app.example.com/oauth2callback/google\"\n"), 0o600)
	err := testsupport.Validate(t, "https://example.com {\n\toidc_auth {\n\t\tsecrets_file "+file+"\n\t}\n\trespond ok\n}\n")
	for _, want := range []string{"provider google", file + ", line 5", `redirect_uri "https://app.example.com/oauth2callback/google"`, "https://example.com"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}

	// The same refusal from a Caddyfile provider block names the provider.
	err = testsupport.Validate(t, `https://example.com {
	oidc_auth {
		redirect_uri https://example.com/oauth2callback
		cookie_secret 0123456789abcdef0123
		provider google {
			client_id g
			server_metadata_url https://accounts.google.com/.well-known/openid-configuration
			redirect_uri /oauth2callback/google
		}
	}
	respond ok
}
`)
	if err == nil || !strings.Contains(err.Error(), "provider google") || !strings.Contains(err.Error(), "redirect_uri \"/oauth2callback/google\" must be an absolute") {
		t.Errorf("relative provider redirect_uri in a Caddyfile: %v", err)
	}
}

// In JSON a provider may be named "default", which the Caddyfile and
// secrets.toml refuse: it would silently replace the unnamed provider.
func TestJSONProviderNamedDefaultIsRefused(t *testing.T) {
	m := twoProviderConfig()
	m.Providers["default"] = &ProviderConfig{ClientID: "other", ServerMetadataURL: "https://idp2.example.com/.well-known/openid-configuration"}
	if err := m.checkConfig(keySource{}); err == nil || !strings.Contains(err.Error(), `provider name "default"`) {
		t.Errorf("providers.default: %v", err)
	}
}
