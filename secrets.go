package oidcauth

import (
	"fmt"

	"github.com/caddy-oidc-auth/oidcauth/internal/secrets"
)

// secretsFile is the [auth] table of a Streamlit secrets.toml, mapped onto
// the config's types.
type secretsFile struct {
	RedirectURI           string
	CookieSecret          string
	PostLogoutRedirectURI string
	ExposeTokens          []string
	Default               ProviderConfig             // keys directly in [auth]
	Providers             map[string]*ProviderConfig // [auth.NAME] tables
	Ignored               []string                   // keys we do not know, for a warning
	src                   keySource
}

// loadSecretsFile reads path, a Streamlit secrets.toml (secrets_file).
func loadSecretsFile(path string) (*secretsFile, error) {
	f, err := secrets.Load(path, secretsSchema())
	if err != nil {
		return nil, err
	}
	return fromSecretsFile(f), nil
}

func parseSecrets(path string, data []byte) (*secretsFile, error) {
	f, err := secrets.Parse(path, data, secretsSchema())
	if err != nil {
		return nil, err
	}
	return fromSecretsFile(f), nil
}

// secretsSchema tells the reader the provider keys, from providerKeys.
func secretsSchema() secrets.Schema {
	s := secrets.Schema{
		ProviderKeys: make(map[string]secrets.Kind, len(providerKeys)),
		CheckProviderName: func(name string) error {
			return checkProviderName(name, fmt.Sprintf(" in [auth.%s]", name))
		},
	}
	for _, k := range providerKeys {
		kind := secrets.Text
		if k.of(&ProviderConfig{}).table != nil {
			kind = secrets.Table
		}
		s.ProviderKeys[k.name] = kind
	}
	return s
}

func fromSecretsFile(f *secrets.File) *secretsFile {
	out := &secretsFile{
		RedirectURI:           f.RedirectURI,
		CookieSecret:          f.CookieSecret,
		PostLogoutRedirectURI: f.PostLogoutRedirectURI,
		ExposeTokens:          f.ExposeTokens,
		Providers:             make(map[string]*ProviderConfig, len(f.Providers)),
		Ignored:               f.Ignored,
		src:                   keySource{file: f.Path, line: f.Lines},
	}
	setProviderKeys(&out.Default, f.Default)
	for name, fp := range f.Providers {
		p := &ProviderConfig{}
		setProviderKeys(p, fp)
		out.Providers[name] = p
	}
	return out
}

// setProviderKeys copies the keys one table of the file sets into p.
func setProviderKeys(p *ProviderConfig, from secrets.Provider) {
	for _, k := range providerKeys {
		s := k.of(p)
		if s.text != nil {
			if v, ok := from.Text[k.name]; ok {
				*s.text = v
			}
		} else if v, ok := from.Tables[k.name]; ok {
			*s.table = v
		}
	}
}
