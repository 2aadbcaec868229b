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
	// This provider's own callback address, registered at it, on the same
	// site as the top-level redirect_uri. Default: the top-level one.
	RedirectURI string `json:"redirect_uri,omitempty"`
	// Where this provider sends the browser after signing out there.
	// Default: the top-level post_logout_redirect_uri.
	PostLogoutRedirectURI string `json:"post_logout_redirect_uri,omitempty"`
	// How the site authenticates at the token endpoint: client_secret_basic,
	// client_secret_post, client_secret_jwt, private_key_jwt or none. It wins
	// over client_kwargs' token_endpoint_auth_method. Default: from the
	// provider's metadata (see README, "Client authentication with keys").
	TokenEndpointAuthMethod string `json:"token_endpoint_auth_method,omitempty"`
	// A PEM private key file (RSA or EC) that signs private_key_jwt
	// assertions; its public key is served at /auth/jwks.
	ClientPrivateKey string `json:"client_private_key,omitempty"`
}

// providerKey is one key of a provider, under the same name in a
// secrets.toml table, a Caddyfile provider block and the JSON config.
type providerKey struct {
	name string
	// of reaches the key in a named provider; top reaches the same key of
	// the default provider, written directly in [auth] or the directive.
	of  func(*ProviderConfig) slot
	top func(*OIDCAuth) slot
}

// providerKeys is the one list of a provider's keys: the Caddyfile, the
// secrets file, merging the two and building each provider's config all
// read it, so a key added here works everywhere at once.
var providerKeys = []providerKey{
	{"client_id",
		func(p *ProviderConfig) slot { return textSlot(&p.ClientID) },
		func(m *OIDCAuth) slot { return textSlot(&m.ClientID) }},
	{"client_secret",
		func(p *ProviderConfig) slot { return textSlot(&p.ClientSecret) },
		func(m *OIDCAuth) slot { return textSlot(&m.ClientSecret) }},
	{"server_metadata_url",
		func(p *ProviderConfig) slot { return textSlot(&p.ServerMetadataURL) },
		func(m *OIDCAuth) slot { return textSlot(&m.ServerMetadataURL) }},
	{"client_kwargs",
		func(p *ProviderConfig) slot { return tableSlot(&p.ClientKwargs) },
		func(m *OIDCAuth) slot { return tableSlot(&m.ClientKwargs) }},
	{"logout_params",
		func(p *ProviderConfig) slot { return tableSlot(&p.LogoutParams) },
		func(m *OIDCAuth) slot { return tableSlot(&m.LogoutParams) }},
	// The default provider's callback and post-logout address are the
	// top-level ones, which the named providers fall back to.
	{"redirect_uri",
		func(p *ProviderConfig) slot { return textSlot(&p.RedirectURI) },
		func(m *OIDCAuth) slot { return textSlot(&m.RedirectURI) }},
	{"post_logout_redirect_uri",
		func(p *ProviderConfig) slot { return textSlot(&p.PostLogoutRedirectURI) },
		func(m *OIDCAuth) slot { return textSlot(&m.PostLogoutRedirectURI) }},
	{"token_endpoint_auth_method",
		func(p *ProviderConfig) slot { return textSlot(&p.TokenEndpointAuthMethod) },
		func(m *OIDCAuth) slot { return textSlot(&m.TokenEndpointAuthMethod) }},
	{"client_private_key",
		func(p *ProviderConfig) slot { return textSlot(&p.ClientPrivateKey) },
		func(m *OIDCAuth) slot { return textSlot(&m.ClientPrivateKey) }},
}

// lookupProviderKey finds a provider key by the name users write.
func lookupProviderKey(name string) (providerKey, bool) {
	for _, k := range providerKeys {
		if k.name == name {
			return k, true
		}
	}
	return providerKey{}, false
}

// slot is where one key's value is kept: one string, or a table of
// key/value strings such as client_kwargs.
type slot struct {
	text  *string
	table *map[string]string
}

func textSlot(s *string) slot             { return slot{text: s} }
func tableSlot(t *map[string]string) slot { return slot{table: t} }

// fillFrom sets what s leaves empty from src: inline keys override the
// secrets file's, entry by entry for tables.
func (s slot) fillFrom(src slot) {
	if s.text != nil {
		if *s.text == "" {
			*s.text = *src.text
		}
		return
	}
	*s.table = mergeKwargs(*src.table, *s.table)
}

// set copies src's value into s.
func (s slot) set(src slot) {
	if s.text != nil {
		*s.text = *src.text
		return
	}
	*s.table = *src.table
}

// The tokens expose_tokens may name: the ID token and the access token.
const (
	exposeIDToken     = "id"
	exposeAccessToken = "access"
)

func exposableToken(t string) bool { return t == exposeIDToken || t == exposeAccessToken }

// keySource records the file the config's keys came from, and the line of
// each table, so that an error names the key, the file and the line.
type keySource struct {
	file string         // "" when the value came from the Caddyfile/JSON
	line map[string]int // key path ("auth.google") -> line in file
}

func (w keySource) at(tableKey string) string {
	if w.file == "" {
		return ""
	}
	if n := w.line[tableKey]; n > 0 {
		return fmt.Sprintf(" (%s, line %d)", w.file, n)
	}
	return fmt.Sprintf(" (%s)", w.file)
}

var plainWord = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)

// checkProviderName refuses a provider name that is not a plain word, or
// that would stand for the unnamed provider; at (" (file, line 3)") goes
// after the quoted name.
func checkProviderName(name, at string) error {
	if plainWord.MatchString(name) && name != DefaultProviderName {
		return nil
	}
	return fmt.Errorf("provider name %q%s is not a plain word: use letters, digits and '-', starting with a letter (and not %q)", name, at, DefaultProviderName)
}

// httpURL parses raw when it is an absolute http or https URL.
func httpURL(raw string) (*url.URL, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false
	}
	return u, true
}

// hasOwnCallbackPath: a callback needs a path the site's pages and the
// module's /auth/ routes do not use.
func hasOwnCallbackPath(u *url.URL) bool {
	return u.Path != "" && u.Path != "/" && !strings.HasPrefix(u.Path, "/auth/")
}

// sameSite reports whether a and b share scheme, host and port, so that a
// cookie set at one is sent to the other.
func sameSite(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if u.Scheme == "https" {
			return "443"
		}
		return "80"
	}
	return a.Scheme == b.Scheme && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

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
	if m.CookieSecret == "" {
		m.CookieSecret = f.CookieSecret
	}
	if len(m.ExposeTokens) == 0 {
		m.ExposeTokens = f.ExposeTokens
	}
	// [auth]'s redirect_uri and post_logout_redirect_uri are the default
	// provider's as well as the fallback of the named ones.
	def := f.Default
	def.RedirectURI, def.PostLogoutRedirectURI = f.RedirectURI, f.PostLogoutRedirectURI
	for _, k := range providerKeys {
		k.top(m).fillFrom(k.of(&def))
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
		for _, k := range providerKeys {
			k.of(ip).fillFrom(k.of(fp))
		}
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
// as "default". Each has its RedirectURI and PostLogoutRedirectURI
// resolved: its own, else the top-level one (post-logout may stay empty).
func (m *OIDCAuth) providerConfigs() map[string]*ProviderConfig {
	out := map[string]*ProviderConfig{}
	if m.ClientID != "" || m.ServerMetadataURL != "" || m.ClientSecret != "" {
		def := &ProviderConfig{}
		for _, k := range providerKeys {
			k.of(def).set(k.top(m))
		}
		out[DefaultProviderName] = def
	}
	for name, p := range m.Providers {
		if p == nil {
			continue
		}
		c := *p
		if c.RedirectURI == "" {
			c.RedirectURI = m.RedirectURI
		}
		if c.PostLogoutRedirectURI == "" {
			c.PostLogoutRedirectURI = m.PostLogoutRedirectURI
		}
		out[name] = &c
	}
	return out
}

// checkConfig refuses a config that cannot work, naming the key and the
// file it came from, in words a newcomer understands.
func (m *OIDCAuth) checkConfig(src keySource) error {
	if m.RedirectURI == "" {
		return fmt.Errorf("redirect_uri is required%s: the address of this site's callback, such as https://example.com/oauth2callback, registered at the provider", src.at("auth"))
	}
	site, ok := httpURL(m.RedirectURI)
	if !ok {
		return fmt.Errorf("redirect_uri %q%s must be an absolute http or https URL, such as https://example.com/oauth2callback", m.RedirectURI, src.at("auth"))
	}
	if !hasOwnCallbackPath(site) {
		return fmt.Errorf("redirect_uri %q%s needs a path of its own, such as /oauth2callback (not / and not under /auth/)", m.RedirectURI, src.at("auth"))
	}
	if m.PostLogoutRedirectURI != "" {
		if _, ok := httpURL(m.PostLogoutRedirectURI); !ok {
			return fmt.Errorf("post_logout_redirect_uri %q%s must be an absolute http or https URL registered at the provider", m.PostLogoutRedirectURI, src.at("auth"))
		}
	}
	// No cookie_secret: Provision generates one and keeps it in Caddy's
	// storage (secretstore.go), shared by every Caddy on that storage.
	if m.CookieSecret != "" && len(m.CookieSecret) < 16 {
		return fmt.Errorf("cookie_secret%s is too short (%d characters): use at least 16 random characters, for example the output of `openssl rand -base64 32`", src.at("auth"), len(m.CookieSecret))
	}
	for _, t := range m.ExposeTokens {
		if !exposableToken(t) {
			return fmt.Errorf("expose_tokens%s: unknown token %q (use \"id\", \"access\" or both)", src.at("auth"), t)
		}
	}
	// Named providers only: "default" there would replace the unnamed one.
	for _, name := range sortedNames(m.Providers) {
		if err := checkProviderName(name, src.at("auth."+name)); err != nil {
			return err
		}
	}
	provs := m.providerConfigs()
	if len(provs) == 0 {
		return fmt.Errorf("no provider configured%s: set client_id and server_metadata_url, or add a provider (a [auth.NAME] table or a `provider NAME { ... }` block)", src.at("auth"))
	}
	for _, name := range sortedNames(provs) {
		if err := checkProvider(name, provs[name], m.Providers[name], site, src); err != nil {
			return err
		}
	}
	return nil
}

// checkProvider checks one provider's resolved config p; own is what a
// named provider sets itself (nil for the default provider), site the
// top-level redirect_uri.
func checkProvider(name string, p, own *ProviderConfig, site *url.URL, src keySource) error {
	key, label := "auth."+name, "provider "+name
	if name == DefaultProviderName {
		key, label = "auth", "the default provider"
	}
	at := src.at(key)
	if p.ClientID == "" {
		return fmt.Errorf("%s%s has no client_id", label, at)
	}
	if p.ServerMetadataURL == "" {
		return fmt.Errorf("%s%s has no server_metadata_url (the provider's /.well-known/openid-configuration address)", label, at)
	}
	if _, ok := httpURL(p.ServerMetadataURL); !ok {
		return fmt.Errorf("%s%s: server_metadata_url %q must be an absolute http or https URL", label, at, p.ServerMetadataURL)
	}
	if err := checkClientAuth(label, at, p); err != nil {
		return err
	}
	if own == nil {
		return nil // the default provider's addresses are the top-level ones, checked above
	}
	if own.RedirectURI != "" {
		u, ok := httpURL(own.RedirectURI)
		if !ok {
			return fmt.Errorf("%s%s: redirect_uri %q must be an absolute http or https URL, such as %s://%s/oauth2callback/%s", label, at, own.RedirectURI, site.Scheme, site.Host, name)
		}
		if !hasOwnCallbackPath(u) {
			return fmt.Errorf("%s%s: redirect_uri %q needs a path of its own, such as /oauth2callback/%s (not / and not under /auth/)", label, at, own.RedirectURI, name)
		}
		// The identity cookie is set at the callback: on another origin it
		// would never reach the site.
		if !sameSite(u, site) {
			return fmt.Errorf("%s%s: redirect_uri %q must be on the site of the top-level redirect_uri, %s://%s (same scheme, host and port): the sign-in cookie is set at the callback", label, at, own.RedirectURI, site.Scheme, site.Host)
		}
	}
	if own.PostLogoutRedirectURI != "" {
		if _, ok := httpURL(own.PostLogoutRedirectURI); !ok {
			return fmt.Errorf("%s%s: post_logout_redirect_uri %q must be an absolute http or https URL registered at the provider", label, at, own.PostLogoutRedirectURI)
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
