package flow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Defaults that follow Streamlit's st.login().
const (
	DefaultScope  = "openid profile email"
	DefaultPrompt = "select_account"

	// wellKnownSuffix is what a server_metadata_url ends with; the issuer is
	// what comes before it (OpenID Connect Discovery 1.0, section 4).
	wellKnownSuffix = "/.well-known/openid-configuration"

	// httpTimeout bounds every call to the provider, so no sign-in hangs.
	httpTimeout = 10 * time.Second
)

// Config describes one OpenID Connect provider as the site's configuration
// names it (Streamlit's [auth] keys).
type Config struct {
	Name         string            // provider name ("default" for the unnamed one); used in errors
	ClientID     string            // client_id (required)
	ClientSecret string            // client_secret; empty for a public client
	MetadataURL  string            // server_metadata_url, ending in /.well-known/openid-configuration
	RedirectURL  string            // redirect_uri: the absolute URL of the callback
	Params       map[string]string // client_kwargs: "scope" and "prompt" replace the defaults; other keys go into the authorization request
	Userinfo     bool              // always fetch userinfo at sign-in and merge it
	HTTPClient   *http.Client      // nil: one with a 10 s timeout and a bounded pool of connections of its own
	Now          func() time.Time  // nil: time.Now
	// OnFetch, when set, hears of every metadata ("metadata") and key set
	// ("jwks") fetch and its outcome, for metrics. It must be quick.
	OnFetch func(kind string, err error)

	// AuthMethod is token_endpoint_auth_method (see AuthMethods); it wins
	// over client_kwargs' token_endpoint_auth_method. Empty: chosen from
	// the provider's metadata (see Provider.tokenAuthMethod).
	AuthMethod string
	ClientKey  *ClientKey // client_private_key, for private_key_jwt; nil: none
}

// reservedParams are authorization parameters the module always sets itself;
// client_kwargs cannot override them. token_endpoint_auth_method and
// code_challenge_method are Authlib client settings that Streamlit users may
// have in client_kwargs: they are honoured (or implied) rather than sent.
var reservedParams = map[string]bool{
	"state":                      true,
	"nonce":                      true,
	"code_challenge":             true,
	"code_challenge_method":      true,
	"code_verifier":              true,
	"response_type":              true,
	"client_id":                  true,
	"client_secret":              true,
	"redirect_uri":               true,
	"token_endpoint_auth_method": true,
}

// Provider is one configured OpenID Connect provider. It is safe for
// concurrent use; build it once, share it, and Close it when done.
type Provider struct {
	cfg            Config
	expectedIssuer string // MetadataURL minus the well-known suffix
	scope          string
	scopes         map[string]bool
	authMethod     string // token_endpoint_auth_method configured (key, else client_kwargs); "": from the metadata
	restrict       restrictions

	ready atomic.Pointer[discovered] // set once discovery succeeded

	// life ends with Close: shared fetches run under it, not under the
	// request that happened to start them.
	life context.Context
	stop context.CancelFunc

	calls singleflight.Group // discovery, shared by concurrent callers

	transport *http.Transport // the one NewProvider made (nil with Config.HTTPClient): Close closes its idle connections

	mu      sync.Mutex // guards the fields below
	lastErr error
	retryAt time.Time
	backoff time.Duration

	// Test hooks: after replaces time.After (nil: time.After); joined hears
	// of every caller that joined a shared call.
	after  func(time.Duration) <-chan time.Time
	joined func(key string)
}

// NewProvider checks cfg and returns a Provider. It makes no network call:
// discovery happens on first use, so a site starts while its provider is down.
func NewProvider(cfg Config) (*Provider, error) {
	if cfg.Name == "" {
		cfg.Name = "default"
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("oidc provider %q: %s", cfg.Name, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(cfg.ClientID) == "" {
		return nil, bad("client_id is required")
	}
	if cfg.MetadataURL == "" {
		return nil, bad("server_metadata_url is required")
	}
	mu, err := checkURL(cfg.MetadataURL)
	if err != nil {
		return nil, bad("server_metadata_url: %v", err)
	}
	if !strings.HasSuffix(mu.Path, wellKnownSuffix) {
		return nil, bad("server_metadata_url %q must end in %s", cfg.MetadataURL, wellKnownSuffix)
	}
	if cfg.RedirectURL == "" {
		return nil, bad("redirect_uri is required")
	}
	if _, err := checkURL(cfg.RedirectURL); err != nil {
		return nil, bad("redirect_uri: %v", err)
	}
	p := &Provider{cfg: cfg, scope: DefaultScope}
	issuerURL := *mu
	issuerURL.Path = strings.TrimSuffix(mu.Path, wellKnownSuffix)
	issuerURL.RawPath = ""
	issuerURL.RawQuery = ""
	issuerURL.Fragment = ""
	p.expectedIssuer = issuerURL.String()

	if s, ok := cfg.Params["scope"]; ok {
		p.scope = strings.Join(strings.Fields(s), " ")
	}
	p.scopes = map[string]bool{}
	for _, s := range strings.Fields(p.scope) {
		p.scopes[s] = true
	}
	if !p.scopes["openid"] {
		return nil, bad("client_kwargs scope %q must include \"openid\"", p.scope)
	}
	if p.authMethod, err = checkAuthMethod(cfg); err != nil {
		return nil, bad("%v", err)
	}
	if p.restrict, err = parseRestrictions(cfg.Params); err != nil {
		return nil, bad("%v", err)
	}
	if m, ok := cfg.Params["code_challenge_method"]; ok && m != "S256" {
		return nil, bad("client_kwargs code_challenge_method %q is not supported: the module always uses S256 PKCE and never a weaker one (remove the key or set it to S256)", m)
	}
	if p.cfg.HTTPClient == nil {
		p.transport = newProviderTransport()
		p.cfg.HTTPClient = &http.Client{Timeout: httpTimeout, Transport: p.transport}
	}
	if p.cfg.Now == nil {
		p.cfg.Now = time.Now
	}
	p.life, p.stop = context.WithCancel(context.Background())
	return p, nil
}

// Name is the provider's configured name ("default" for the unnamed one).
func (p *Provider) Name() string { return p.cfg.Name }

func (p *Provider) now() time.Time { return p.cfg.Now() }

// checkURL accepts absolute http(s) URLs with a host and no user info.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a valid URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("%q must be an absolute http:// or https:// URL", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", raw)
	}
	if u.User != nil {
		return nil, errors.New("must not carry a user name or password")
	}
	return u, nil
}
