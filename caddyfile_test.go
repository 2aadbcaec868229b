package oidcauth

import (
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

func TestUnmarshalCaddyfile(t *testing.T) {
	d := caddyfile.NewTestDispenser(`oidc_auth {
		secrets_file .streamlit/secrets.toml
		redirect_uri https://example.com/oauth2callback
		cookie_secret {env.COOKIE_SECRET}
		previous_cookie_secrets old-one old-two
		client_id cid
		client_secret csecret
		server_metadata_url https://idp.example.com/.well-known/openid-configuration
		client_kwargs {
			prompt login
			hd example.com
		}
		provider google {
			client_id g-id
			client_secret g-secret
			server_metadata_url https://accounts.google.com/.well-known/openid-configuration
			client_kwargs {
				scope "openid email"
			}
		}
		expose_tokens id access
		optional
	}`)
	var m OIDCAuth
	if err := m.UnmarshalCaddyfile(d); err != nil {
		t.Fatal(err)
	}
	if m.SecretsFile != ".streamlit/secrets.toml" || m.RedirectURI != "https://example.com/oauth2callback" ||
		m.CookieSecret != "{env.COOKIE_SECRET}" || len(m.PreviousCookieSecrets) != 2 ||
		m.ClientID != "cid" || m.ClientSecret != "csecret" || !m.Optional ||
		m.ClientKwargs["prompt"] != "login" || m.ClientKwargs["hd"] != "example.com" ||
		len(m.ExposeTokens) != 2 {
		t.Errorf("parsed: %+v", m)
	}
	g := m.Providers["google"]
	if g == nil || g.ClientID != "g-id" || g.ClientSecret != "g-secret" || g.ClientKwargs["scope"] != "openid email" {
		t.Errorf("provider google: %+v", g)
	}
}

func TestUnmarshalCaddyfileErrors(t *testing.T) {
	for _, c := range []struct{ input, want string }{
		{"oidc_auth extra {\n}", "wrong argument count"},
		{"oidc_auth {\n\tclient_id\n}", "client_id needs a value"},
		{"oidc_auth {\n\tclient_id a b\n}", "client_id takes one value"},
		{"oidc_auth {\n\tclinet_id a\n}", `unknown oidc_auth option "clinet_id"`},
		{"oidc_auth {\n\tprovider my_google {\n\t\tclient_id a\n\t}\n}", "not a plain word"},
		{"oidc_auth {\n\tprovider g {\n\t}\n\tprovider g {\n\t}\n}", "configured twice"},
		{"oidc_auth {\n\tprovider g {\n\t\tcookie_secret x\n\t}\n}", `unknown oidc_auth option "cookie_secret"`},
		{"oidc_auth {\n\texpose_tokens refresh\n}", "expose_tokens: unknown token"},
		{"oidc_auth {\n\tclient_kwargs prompt login\n}", "client_kwargs takes a block"},
		{"oidc_auth {\n\toptional yes\n}", "wrong argument count"},
	} {
		var m OIDCAuth
		err := m.UnmarshalCaddyfile(caddyfile.NewTestDispenser(c.input))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.input, err, c.want)
		}
		if err != nil && !strings.Contains(err.Error(), "Testfile:") {
			t.Errorf("%q: error does not name the file and line: %v", c.input, err)
		}
	}
}
