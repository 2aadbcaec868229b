package secrets

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// testSchema is the module's provider keys.
var testSchema = Schema{
	ProviderKeys: map[string]Kind{
		"client_id": Text, "client_secret": Text, "server_metadata_url": Text,
		"client_kwargs": Table, "logout_params": Table,
		"redirect_uri": Text, "post_logout_redirect_uri": Text,
	},
	CheckProviderName: func(name string) error {
		if strings.Contains(name, "_") {
			return errors.New("provider name " + name + " is refused")
		}
		return nil
	},
}

func TestParseReadsTheSchemasKeys(t *testing.T) {
	f, err := Parse("secrets.toml", []byte(`
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
client_id = "cid"
client_kwargs = { prompt = "login", max_age = 3600 }
unknown = "x"

[auth.google]
client_id = "g-id"
redirect_uri = "http://localhost:8501/oauth2callback/google"
other = 1
`), testSchema)
	if err != nil {
		t.Fatal(err)
	}
	if f.RedirectURI != "http://localhost:8501/oauth2callback" || f.Default.Text["redirect_uri"] != "" {
		t.Errorf("[auth]'s redirect_uri is the file's, not the default provider's: %+v", f)
	}
	if f.Default.Text["client_id"] != "cid" || !reflect.DeepEqual(f.Default.Tables["client_kwargs"], map[string]string{"prompt": "login", "max_age": "3600"}) {
		t.Errorf("default provider: %+v", f.Default)
	}
	if g := f.Providers["google"]; g.Text["client_id"] != "g-id" || g.Text["redirect_uri"] != "http://localhost:8501/oauth2callback/google" {
		t.Errorf("[auth.google]: %+v", g)
	}
	if want := []string{"auth.google.other", "auth.unknown"}; !reflect.DeepEqual(f.Ignored, want) {
		t.Errorf("ignored %v, want %v", f.Ignored, want)
	}
	if f.Lines["auth"] != 2 || f.Lines["auth.google"] != 8 {
		t.Errorf("table lines: %v", f.Lines)
	}
}

func TestProviderNameErrorNamesFileAndLine(t *testing.T) {
	_, err := Parse("secrets.toml", []byte("[auth]\nx = 1\n\n[auth.my_google]\nclient_id = \"a\"\n"), testSchema)
	if err == nil || !strings.Contains(err.Error(), "secrets_file secrets.toml, line 4: provider name my_google is refused") {
		t.Errorf("refused name: %v", err)
	}
}

func TestSecretsErrorsNameFileAndLine(t *testing.T) {
	cases := []struct {
		name, toml string
		want       []string
	}{
		{"invalid TOML", "[auth]\nredirect_uri = \"x\"\ncookie_secret = oops\n", []string{"secrets.toml", "line 3", "invalid TOML"}},
		{"no auth table", "[server]\nport = 1\n", []string{"secrets.toml", "no [auth] table"}},
		{"auth not a table", "auth = 3\n", []string{"auth must be a table"}},
		{"wrong type", "[auth]\nredirect_uri = 5\n", []string{"secrets.toml", "line 1", "auth.redirect_uri must be a string"}},
		{"kwargs not a table", "[auth.g]\nclient_kwargs = \"prompt=login\"\n", []string{"line 1", "auth.g.client_kwargs must be a table"}},
		{"expose list", "[auth]\nexpose_tokens = [1]\n", []string{"expose_tokens must list strings"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("secrets.toml", []byte(c.toml), testSchema)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestSecretsFileUnreadable(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.toml"), testSchema)
	if err == nil || !strings.Contains(err.Error(), "missing.toml") || !strings.Contains(err.Error(), "secrets_file") {
		t.Errorf("missing file: %v", err)
	}
}
