package oidcauth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretsSingleProvider(t *testing.T) {
	f, err := parseSecrets("secrets.toml", []byte(`
[server]
port = 8501

[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "xxxxxxxxxxxxxxxxxxxxxxxx"
client_id = "cid"
client_secret = "csecret"
server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"
client_kwargs = { prompt = "login", max_age = 3600 }
expose_tokens = "id"

[connections.db]
url = "ignored"
`))
	if err != nil {
		t.Fatal(err)
	}
	if f.RedirectURI != "http://localhost:8501/oauth2callback" || f.CookieSecret != "xxxxxxxxxxxxxxxxxxxxxxxx" {
		t.Errorf("shared keys: %+v", f)
	}
	if f.Default.ClientID != "cid" || f.Default.ClientSecret != "csecret" ||
		f.Default.ServerMetadataURL != "https://accounts.google.com/.well-known/openid-configuration" {
		t.Errorf("default provider: %+v", f.Default)
	}
	if f.Default.ClientKwargs["prompt"] != "login" || f.Default.ClientKwargs["max_age"] != "3600" {
		t.Errorf("client_kwargs: %v", f.Default.ClientKwargs)
	}
	if len(f.ExposeTokens) != 1 || f.ExposeTokens[0] != "id" {
		t.Errorf("expose_tokens: %v", f.ExposeTokens)
	}
	if len(f.Providers) != 0 {
		t.Errorf("named providers from a single-provider file: %v", f.Providers)
	}
}

func TestSecretsSeveralProviders(t *testing.T) {
	f, err := parseSecrets("secrets.toml", []byte(`
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "xxxxxxxxxxxxxxxxxxxxxxxx"
expose_tokens = ["id", "access"]

[auth.google]
client_id = "g-id"
client_secret = "g-secret"
server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"

[auth.microsoft]
client_id = "m-id"
client_secret = "m-secret"
server_metadata_url = "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
client_kwargs = { prompt = "login", domain_hint = "example.com" }
logout_params = { logout_hint = "x", client_id = "" }
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Providers) != 2 || f.Providers["google"].ClientID != "g-id" || f.Providers["microsoft"].ClientKwargs["domain_hint"] != "example.com" {
		t.Errorf("providers: %+v", f.Providers)
	}
	if lp := f.Providers["microsoft"].LogoutParams; lp["logout_hint"] != "x" || lp["client_id"] != "" || len(lp) != 2 {
		t.Errorf("logout_params: %v", lp)
	}
	if f.Default.ClientID != "" {
		t.Errorf("no default provider expected: %+v", f.Default)
	}
	if len(f.ExposeTokens) != 2 {
		t.Errorf("expose_tokens: %v", f.ExposeTokens)
	}
}

// The reader leaves provider names to the module: its error names the
// file's line and the name.
func TestSecretsProviderNameNamesFileAndLine(t *testing.T) {
	_, err := parseSecrets("secrets.toml", []byte("[auth]\nx = 1\n\n[auth.my_google]\nclient_id = \"a\"\n"))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range []string{"secrets.toml", "line 4", "my_google", "not a plain word"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secrets.toml")
	os.WriteFile(file, []byte("[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"0123456789abcdef0123\"\n\n[auth.google]\nclient_secret = \"s\"\nserver_metadata_url = \"https://accounts.google.com/.well-known/openid-configuration\"\n"), 0o600)
	f, err := loadSecretsFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := &OIDCAuth{}
	m.mergeSecrets(f)
	err = m.checkConfig(f.src)
	if err == nil || !strings.Contains(err.Error(), "provider google") || !strings.Contains(err.Error(), "client_id") ||
		!strings.Contains(err.Error(), file+", line 5") {
		t.Errorf("missing client_id: %v", err)
	}

	good := func() *OIDCAuth {
		return &OIDCAuth{RedirectURI: "https://example.com/oauth2callback", CookieSecret: "0123456789abcdef0123",
			ClientID: "id", ServerMetadataURL: "https://idp.example.com/.well-known/openid-configuration"}
	}
	if err := good().checkConfig(keySource{}); err != nil {
		t.Fatalf("good config refused: %v", err)
	}
	for _, c := range []struct {
		edit func(*OIDCAuth)
		want string
	}{
		{func(m *OIDCAuth) { m.RedirectURI = "" }, "redirect_uri is required"},
		{func(m *OIDCAuth) { m.RedirectURI = "/oauth2callback" }, "absolute http or https URL"},
		{func(m *OIDCAuth) { m.RedirectURI = "https://example.com/" }, "needs a path of its own"},
		{func(m *OIDCAuth) { m.CookieSecret = "short" }, "too short"},
		{func(m *OIDCAuth) { m.ClientID = "" }, "default provider has no client_id"},
		{func(m *OIDCAuth) { m.ServerMetadataURL = "" }, "no server_metadata_url"},
		{func(m *OIDCAuth) { m.ServerMetadataURL = "idp.example.com" }, "server_metadata_url \"idp.example.com\" must be"},
		{func(m *OIDCAuth) { m.ClientID, m.ServerMetadataURL = "", "" }, "no provider configured"},
		{func(m *OIDCAuth) { m.ExposeTokens = []string{"refresh"} }, "expose_tokens"},
		{func(m *OIDCAuth) { m.Providers = map[string]*ProviderConfig{"bad name": {ClientID: "x"}} }, "not a plain word"},
	} {
		m := good()
		c.edit(m)
		err := m.checkConfig(keySource{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want error with %q, got %v", c.want, err)
		}
	}
}

func TestInlineKeysOverrideTheFile(t *testing.T) {
	f, err := parseSecrets("s.toml", []byte("[auth]\nredirect_uri = \"http://a/cb\"\ncookie_secret = \"file-secret-0123456789\"\nclient_id = \"file-id\"\nclient_kwargs = { prompt = \"login\", hd = \"a.com\" }\n[auth.two]\nclient_id = \"two-file\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := &OIDCAuth{ClientID: "inline-id", ClientKwargs: map[string]string{"prompt": "consent"},
		Providers: map[string]*ProviderConfig{"two": {ClientSecret: "inline-secret"}}}
	m.mergeSecrets(f)
	if m.ClientID != "inline-id" || m.RedirectURI != "http://a/cb" || m.ClientKwargs["prompt"] != "consent" || m.ClientKwargs["hd"] != "a.com" {
		t.Errorf("merge: %+v", m)
	}
	if p := m.Providers["two"]; p.ClientID != "two-file" || p.ClientSecret != "inline-secret" {
		t.Errorf("named provider merge: %+v", p)
	}
}
