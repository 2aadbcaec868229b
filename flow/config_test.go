package flow

import (
	"context"
	"strings"
	"testing"
)

func TestNewProviderRefusesBadConfig(t *testing.T) {
	good := Config{
		Name: "google", ClientID: "id", ClientSecret: "s3cr3t-value",
		MetadataURL: "https://accounts.example/.well-known/openid-configuration",
		RedirectURL: "https://site.example/oauth2callback",
	}
	for _, c := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no client_id", func(c *Config) { c.ClientID = " " }, "client_id is required"},
		{"no metadata URL", func(c *Config) { c.MetadataURL = "" }, "server_metadata_url is required"},
		{"relative metadata URL", func(c *Config) { c.MetadataURL = "/.well-known/openid-configuration" }, "absolute"},
		{"ftp metadata URL", func(c *Config) { c.MetadataURL = "ftp://x/.well-known/openid-configuration" }, "absolute"},
		{"metadata URL with credentials", func(c *Config) { c.MetadataURL = "https://u:pw@x/.well-known/openid-configuration" }, "user name or password"},
		{"metadata URL not well-known", func(c *Config) { c.MetadataURL = "https://accounts.example/" }, "must end in /.well-known/openid-configuration"},
		{"unparsable metadata URL", func(c *Config) { c.MetadataURL = "https://[::1/.well-known/openid-configuration" }, "not a valid URL"},
		{"no redirect_uri", func(c *Config) { c.RedirectURL = "" }, "redirect_uri is required"},
		{"relative redirect_uri", func(c *Config) { c.RedirectURL = "/oauth2callback" }, "redirect_uri"},
		{"scope without openid", func(c *Config) { c.Params = map[string]string{"scope": "email profile"} }, `must include "openid"`},
		{"unknown auth method", func(c *Config) { c.Params = map[string]string{"token_endpoint_auth_method": "private_key_jwt"} }, "token_endpoint_auth_method"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			c.edit(&cfg)
			p, err := NewProvider(cfg)
			if err == nil {
				t.Fatalf("accepted, want an error about %q", c.want)
			}
			if p != nil {
				t.Error("returned a provider with the error")
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || !strings.Contains(msg, `"google"`) {
				t.Errorf("message %q should name the provider and say %q", msg, c.want)
			}
			if strings.Contains(msg, "s3cr3t-value") || strings.Contains(msg, ":pw@") {
				t.Errorf("message %q leaks a secret", msg)
			}
		})
	}
}

func TestNewProviderDefaults(t *testing.T) {
	p, err := NewProvider(Config{
		ClientID:    "id",
		MetadataURL: "https://login.example/realms/dev/.well-known/openid-configuration",
		RedirectURL: "http://localhost:8501/oauth2callback",
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "default" {
		t.Errorf("Name() = %q, want \"default\"", p.Name())
	}
	if p.expectedIssuer != "https://login.example/realms/dev" {
		t.Errorf("expected issuer %q", p.expectedIssuer)
	}
	if p.scope != DefaultScope {
		t.Errorf("scope %q", p.scope)
	}
	if p.cfg.HTTPClient == nil || p.cfg.HTTPClient.Timeout != httpTimeout {
		t.Error("the default HTTP client must time out after 10 s")
	}
	if p.cfg.Now == nil {
		t.Error("no clock")
	}
}

// NewProvider is pure configuration: it works while the provider is down,
// and the first use reports the outage instead.
func TestNewProviderMakesNoNetworkCall(t *testing.T) {
	srv := metadataServer(t, nil)
	url := srv.URL + wellKnownSuffix
	srv.Close() // nothing listens there now
	p, err := NewProvider(Config{ClientID: "id", MetadataURL: url, RedirectURL: testRedirect})
	if err != nil {
		t.Fatalf("NewProvider with the provider down: %v", err)
	}
	_, _, err = p.AuthCodeURL(context.Background(), NewAuthRequest())
	wantClass(t, err, ErrUnavailable)
}
