package oidcauth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

func TestCaddyValidateRefusesConfigsThatCannotWork(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.toml")
	os.WriteFile(broken, []byte("[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \n"), 0o600)
	noID := filepath.Join(dir, "noid.toml")
	os.WriteFile(noID, []byte("[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"0123456789abcdef-0123\"\n\n[auth.okta]\nserver_metadata_url = \"https://example.okta.com/.well-known/openid-configuration\"\n"), 0o600)

	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{"no redirect_uri", "cookie_secret 0123456789abcdef0123\n\t\tclient_id x\n\t\tserver_metadata_url https://idp.example/.well-known/openid-configuration", []string{"redirect_uri is required"}},
		{"invalid TOML", "secrets_file " + broken, []string{broken, "line 3", "invalid TOML"}},
		{"missing file", "secrets_file " + filepath.Join(dir, "nope.toml"), []string{"nope.toml", "cannot read"}},
		{"provider without client_id", "secrets_file " + noID, []string{"provider okta", noID + ", line 5", "no client_id"}},
		{"env left empty", "redirect_uri http://localhost:8501/oauth2callback\n\t\tcookie_secret 0123456789abcdef0123\n\t\tclient_id {env.OIDCAUTH_TEST_UNSET_ID}\n\t\tserver_metadata_url https://idp.example/.well-known/openid-configuration", []string{"default provider has no client_id"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := testsupport.Validate(t, "http://localhost:8501 {\n\toidc_auth {\n\t\t"+c.body+"\n\t}\n\trespond ok\n}\n")
			if err == nil {
				t.Fatal("validated")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestCaddyValidatePassesWhileTheProviderIsDown(t *testing.T) {
	t.Setenv("OIDCAUTH_TEST_CLIENT_ID", "from-env")
	err := testsupport.Validate(t, `http://localhost:8501 {
	oidc_auth {
		redirect_uri http://localhost:8501/oauth2callback
		cookie_secret 0123456789abcdef0123
		client_id {env.OIDCAUTH_TEST_CLIENT_ID}
		server_metadata_url http://127.0.0.1:1/.well-known/openid-configuration
	}
	respond ok
}
`)
	if err != nil {
		t.Errorf("a valid config with an unreachable provider: %v", err)
	}
}

func TestExamplesAdaptAndValidate(t *testing.T) {
	files, _ := filepath.Glob("examples/*/Caddyfile")
	if len(files) < 3 {
		t.Fatalf("examples: %v", files)
	}
	t.Setenv("OIDC_COOKIE_SECRET", "example-cookie-secret-0123456789")
	t.Setenv("OIDC_CLIENT_ID", "example-client")
	t.Setenv("OIDC_CLIENT_SECRET", "example-secret")
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			wd, _ := os.Getwd()
			t.Chdir(filepath.Dir(f)) // secrets_file paths are relative to where caddy runs
			defer os.Chdir(wd)
			if err := testsupport.Validate(t, string(data)); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		})
	}
}
