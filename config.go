package oidcauth

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/caddyserver/caddy/v2"
)

// DefaultProviderName names the provider whose keys sit directly in [auth]
// (or directly in the directive), as Streamlit's st.login() without a name.
const DefaultProviderName = "default"

// ProviderConfig is one OpenID Connect provider: the keys of a Streamlit
// [auth.NAME] table.
type ProviderConfig struct {
	// The client ID the provider issued for this site. Required.
	ClientID string `json:"client_id,omitempty"`
	// The client secret. Optional for public clients (PKCE is always used).
	ClientSecret string `json:"client_secret,omitempty"`
	// The provider's discovery document, ending in
	// /.well-known/openid-configuration. Required.
	ServerMetadataURL string `json:"server_metadata_url,omitempty"`
	// Extra authorization parameters. "scope" replaces the default
	// "openid profile email"; "prompt" replaces the default "select_account".
	ClientKwargs map[string]string `json:"client_kwargs,omitempty"`
	// Parameters for the provider's end-session endpoint at sign-out: added,
	// or overriding ours (client_id, post_logout_redirect_uri,
	// id_token_hint); an empty value removes one. Cognito wants logout_uri,
	// Microsoft logout_hint.
	LogoutParams map[string]string `json:"logout_params,omitempty"`
}

// where records the file a value came from, for messages that name it.
type where struct {
	file string         // "" when the value came from the Caddyfile/JSON
	line map[string]int // key path ("auth.google") -> line in file
}

func (w where) at(tableKey string) string {
	if w.file == "" {
		return ""
	}
	if n := w.line[tableKey]; n > 0 {
		return fmt.Sprintf(" (%s, line %d)", w.file, n)
	}
	return fmt.Sprintf(" (%s)", w.file)
}

var plainWord = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)

// expandEnv replaces {env.*} (and Caddy's other global placeholders) in
// every string value of the config, so that secrets and addresses can stay
// out of the file. It walks the exported fields, so a key added to the
// config is expanded without being listed here. Map keys (parameter and
// claim names) are left as written.
func (m *OIDCAuth) expandEnv() {
	expandStrings(reflect.ValueOf(m).Elem(), caddy.NewReplacer())
}

func expandStrings(v reflect.Value, repl *caddy.Replacer) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(repl.ReplaceKnown(v.String(), ""))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			expandStrings(v.Elem(), repl)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				expandStrings(v.Field(i), repl)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			expandStrings(v.Index(i), repl)
		}
	case reflect.Map:
		// Map values cannot be set in place: expand a copy, store it back.
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			expandStrings(e, repl)
			v.SetMapIndex(k, e)
		}
	}
}

// mergeSecrets fills every key that the directive leaves empty from the
// secrets file: inline keys override the file's.
func (m *OIDCAuth) mergeSecrets(f *secretsFile) {
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&m.RedirectURI, f.RedirectURI)
	fill(&m.CookieSecret, f.CookieSecret)
	fill(&m.ClientID, f.Default.ClientID)
	fill(&m.ClientSecret, f.Default.ClientSecret)
	fill(&m.ServerMetadataURL, f.Default.ServerMetadataURL)
	fill(&m.PostLogoutRedirectURI, f.PostLogoutRedirectURI)
	m.ClientKwargs = mergeKwargs(f.Default.ClientKwargs, m.ClientKwargs)
	m.LogoutParams = mergeKwargs(f.Default.LogoutParams, m.LogoutParams)
	if len(m.ExposeTokens) == 0 {
		m.ExposeTokens = f.ExposeTokens
	}
	for name, fp := range f.Providers {
		if m.Providers == nil {
			m.Providers = map[string]*ProviderConfig{}
		}
		ip := m.Providers[name]
		if ip == nil {
			ip = &ProviderConfig{}
			m.Providers[name] = ip
		}
		fill(&ip.ClientID, fp.ClientID)
		fill(&ip.ClientSecret, fp.ClientSecret)
		fill(&ip.ServerMetadataURL, fp.ServerMetadataURL)
		ip.ClientKwargs = mergeKwargs(fp.ClientKwargs, ip.ClientKwargs)
		ip.LogoutParams = mergeKwargs(fp.LogoutParams, ip.LogoutParams)
	}
}

func mergeKwargs(base, over map[string]string) map[string]string {
	if len(base) == 0 {
		return over
	}
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// providerConfigs lists the configured providers by name, the unnamed one
// as "default", in a stable order.
func (m *OIDCAuth) providerConfigs() map[string]*ProviderConfig {
	out := map[string]*ProviderConfig{}
	if m.ClientID != "" || m.ServerMetadataURL != "" || m.ClientSecret != "" {
		out[DefaultProviderName] = &ProviderConfig{
			ClientID:          m.ClientID,
			ClientSecret:      m.ClientSecret,
			ServerMetadataURL: m.ServerMetadataURL,
			ClientKwargs:      m.ClientKwargs,
			LogoutParams:      m.LogoutParams,
		}
	}
	for name, p := range m.Providers {
		if p != nil {
			out[name] = p
		}
	}
	return out
}

// checkConfig refuses a config that cannot work, naming the key and the
// file it came from, in words a newcomer understands.
func (m *OIDCAuth) checkConfig(src where) error {
	if m.RedirectURI == "" {
		return fmt.Errorf("redirect_uri is required%s: the address of this site's callback, such as https://example.com/oauth2callback, registered at the provider", src.at("auth"))
	}
	u, err := url.Parse(m.RedirectURI)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("redirect_uri %q%s must be an absolute http or https URL, such as https://example.com/oauth2callback", m.RedirectURI, src.at("auth"))
	}
	if u.Path == "" || u.Path == "/" || strings.HasPrefix(u.Path, "/auth/") {
		return fmt.Errorf("redirect_uri %q%s needs a path of its own, such as /oauth2callback (not / and not under /auth/)", m.RedirectURI, src.at("auth"))
	}
	if m.PostLogoutRedirectURI != "" {
		if u, err := url.Parse(m.PostLogoutRedirectURI); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("post_logout_redirect_uri %q%s must be an absolute http or https URL registered at the provider", m.PostLogoutRedirectURI, src.at("auth"))
		}
	}
	// No cookie_secret: Provision generates one and keeps it in Caddy's
	// storage (secretstore.go), shared by every Caddy on that storage.
	if m.CookieSecret != "" && len(m.CookieSecret) < 16 {
		return fmt.Errorf("cookie_secret%s is too short (%d characters): use at least 16 random characters, for example the output of `openssl rand -base64 32`", src.at("auth"), len(m.CookieSecret))
	}
	for _, t := range m.ExposeTokens {
		if t != "id" && t != "access" {
			return fmt.Errorf("expose_tokens%s: unknown token %q (use \"id\", \"access\" or both)", src.at("auth"), t)
		}
	}
	provs := m.providerConfigs()
	if len(provs) == 0 {
		return fmt.Errorf("no provider configured%s: set client_id and server_metadata_url, or add a provider (a [auth.NAME] table or a `provider NAME { ... }` block)", src.at("auth"))
	}
	for _, name := range sortedNames(provs) {
		p := provs[name]
		key, label := "auth."+name, "provider "+name
		if name == DefaultProviderName {
			key, label = "auth", "the default provider"
		} else if !plainWord.MatchString(name) || name == DefaultProviderName {
			return fmt.Errorf("provider name %q%s is not a plain word: use letters, digits and '-', starting with a letter", name, src.at(key))
		}
		if p.ClientID == "" {
			return fmt.Errorf("%s%s has no client_id", label, src.at(key))
		}
		if p.ServerMetadataURL == "" {
			return fmt.Errorf("%s%s has no server_metadata_url (the provider's /.well-known/openid-configuration address)", label, src.at(key))
		}
		mu, err := url.Parse(p.ServerMetadataURL)
		if err != nil || (mu.Scheme != "http" && mu.Scheme != "https") || mu.Host == "" {
			return fmt.Errorf("%s%s: server_metadata_url %q must be an absolute http or https URL", label, src.at(key), p.ServerMetadataURL)
		}
	}
	return nil
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	// The unnamed provider first: it is the one st.login() picks by default.
	if i := slices.Index(names, DefaultProviderName); i > 0 {
		names = append([]string{DefaultProviderName}, slices.Delete(names, i, i+1)...)
	}
	return names
}
