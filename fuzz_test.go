package oidcauth

import (
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

// FuzzSecretsFile: any file content is either refused with an error or
// gives a config whose check answers; never a panic.
func FuzzSecretsFile(f *testing.F) {
	f.Add("[auth]\nredirect_uri = \"http://localhost:8501/oauth2callback\"\ncookie_secret = \"0123456789abcdef0\"\nclient_id = \"a\"\nserver_metadata_url = \"https://idp/.well-known/openid-configuration\"\n")
	f.Add("[auth]\n[auth.google]\nclient_id = \"g\"\nclient_kwargs = { prompt = \"login\", max_age = 3 }\n")
	f.Add("[auth.\"x y\"]\nclient_id = 1\n")
	f.Add("auth = [1, 2]\n")
	f.Add("[auth]\nredirect_uri = \"https://a/cb\"\n[auth.g]\nclient_id = \"g\"\nredirect_uri = \"https://a:1/g\"\npost_logout_redirect_uri = \"/x\"\n")
	f.Fuzz(func(t *testing.T, data string) {
		sf, err := parseSecrets("fuzz.toml", []byte(data))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		m := &OIDCAuth{}
		m.mergeSecrets(sf)
		_ = m.checkConfig(sf.src)
	})
}

// FuzzCaddyfileDirective: any oidc_auth block parses or fails with an
// error; never a panic.
func FuzzCaddyfileDirective(f *testing.F) {
	f.Add("oidc_auth {\n\tsecrets_file s.toml\n\tallow {\n\t\tclaim groups admins\n\t}\n}")
	f.Add("oidc_auth {\n\tprovider g {\n\t\tclient_kwargs {\n\t\t\tprompt login\n\t\t}\n\t}\n\tcookie_max_age 7d\n}")
	f.Add("oidc_auth {\n\texpose_tokens id access\n\toptional\n}")
	f.Add("oidc_auth {\n\tprovider g {\n\t\tredirect_uri https://a/g\n\t\tpost_logout_redirect_uri {env.X}\n\t}\n}")
	f.Fuzz(func(t *testing.T, input string) {
		tokens, err := caddyfile.Tokenize([]byte(input), "Caddyfile")
		if err != nil {
			return
		}
		var m OIDCAuth
		_ = m.UnmarshalCaddyfile(caddyfile.NewDispenser(tokens))
	})
}
