package oidcauth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/flow"
	"github.com/caddy-oidc-auth/oidcauth/internal/pages"
	"github.com/caddy-oidc-auth/oidcauth/internal/recent"
	"github.com/caddy-oidc-auth/oidcauth/internal/revocation"
)

func init() {
	caddy.RegisterModule(OIDCAuth{})
}

// DefaultCookieMaxAge is how long a sign-in lasts, as in Streamlit.
const DefaultCookieMaxAge = 30 * 24 * time.Hour

// maxSessionBytes bounds the identity cookies, all pieces together.
const maxSessionBytes = 12 << 10

// loginStateTTL bounds how long a user may take at the provider's sign-in
// page: the login-state cookie's lifetime, and how long a used state is
// remembered against replays.
const loginStateTTL = cookie.DefaultLoginTTL

// OIDCAuth signs users in with OpenID Connect and sets the
// {http.auth.user.*} placeholders for the handlers that follow.
//
// Its keys are those of the [auth] table of a Streamlit secrets.toml, which
// it can also read (secrets_file); keys given here override the file's.
type OIDCAuth struct {
	// A Streamlit secrets.toml whose [auth] table configures this handler.
	SecretsFile string `json:"secrets_file,omitempty"`
	// The callback address registered at the provider, such as
	// https://example.com/oauth2callback. Its path is served by this handler.
	RedirectURI string `json:"redirect_uri,omitempty"`
	// The secret that seals the cookies. Keep it stable: changing it signs
	// everyone out (unless the old one is listed in previous_cookie_secrets).
	CookieSecret string `json:"cookie_secret,omitempty"`
	// Former cookie secrets that still open cookies sealed with them.
	PreviousCookieSecrets []string `json:"previous_cookie_secrets,omitempty"`

	// The unnamed ("default") provider, as the keys directly in [auth].
	ClientID          string            `json:"client_id,omitempty"`
	ClientSecret      string            `json:"client_secret,omitempty"`
	ServerMetadataURL string            `json:"server_metadata_url,omitempty"`
	ClientKwargs      map[string]string `json:"client_kwargs,omitempty"`
	// Parameters for the default provider's end-session endpoint.
	LogoutParams map[string]string `json:"logout_params,omitempty"`
	// Where the provider sends the browser after signing out there; it must
	// be registered at the provider. Default: redirect_uri, as Streamlit
	// sends it (the callback then sends the browser on to the site root).
	PostLogoutRedirectURI string `json:"post_logout_redirect_uri,omitempty"`
	// Named providers, as [auth.NAME] tables.
	Providers map[string]*ProviderConfig `json:"providers,omitempty"`
	// The default provider's token_endpoint_auth_method and client_private_key.
	TokenEndpointAuthMethod string `json:"token_endpoint_auth_method,omitempty"`
	ClientPrivateKey        string `json:"client_private_key,omitempty"`

	// Which tokens the following handlers and /auth/user may see: "id", "access".
	ExposeTokens []string `json:"expose_tokens,omitempty"`
	// Let anonymous requests through (identified as not signed in) instead
	// of sending them to sign in.
	Optional bool `json:"optional,omitempty"`
	// Who may enter once signed in; without rules, every signed-in user.
	Allow *AllowRules `json:"allow,omitempty"`
	// Keep only these ID-token claims in the cookie ("sub" and the claims
	// the allow rules read are always kept). Empty: every claim.
	Claims []string `json:"claims,omitempty"`
	// Always fetch the provider's userinfo at sign-in and merge its claims.
	Userinfo bool `json:"userinfo,omitempty"`
	// How long a sign-in lasts. Default: 30 days, as Streamlit.
	CookieMaxAge caddy.Duration `json:"cookie_max_age,omitempty"`
	// End the session when the ID token expires instead of after
	// cookie_max_age (whichever comes first).
	ExpireWithToken bool `json:"expire_with_token,omitempty"`
	// Also end a sign-in after this long without a request (sliding
	// expiration; at least 5s, at most cookie_max_age). Default: off.
	IdleTimeout caddy.Duration `json:"idle_timeout,omitempty"`
	// Share the sign-in with every site under this domain (such as
	// example.com) that runs oidc_auth with the same provider, client_id and
	// cookie_secret: the cookies are set for the domain (cookiedomain.go).
	CookieDomain string `json:"cookie_domain,omitempty"`
	// Also accept "Authorization: Bearer <JWT>" from API clients and
	// scripts: tokens of the configured providers, for these audiences.
	Bearer *BearerConfig `json:"bearer,omitempty"`
	// A directory of html/template files replacing the built-in pages:
	// choose.html, error.html, forbidden.html (see README, "Your own pages").
	Pages string `json:"pages,omitempty"`

	providers    map[string]*flow.Provider
	names        []string // provider names, default first
	jar          *cookie.Jar
	sessionVar   string            // the request variable of the session this handler reads (chain.go)
	readVar      string            // the request variable saying its cookie was read
	callbacks    []string          // every callback path served, one per distinct redirect_uri path
	callbackOf   map[string]string // provider name -> its callback path
	issuerKeys   map[string]string // provider name -> storage key of its issuer (revocations, jtis)
	issWarned    *sync.Map         // provider names warned of a shared callback without RFC 9207
	postLogout   map[string]string // provider name -> where its end-session endpoint sends the browser back
	exposeID     bool
	exposeAccess bool
	usedStates   *recent.Set
	refreshes    *refresher
	metrics      *metrics
	revoked      *revocation.Store            // back-channel sign-outs, shared through storage
	logoutJTIs   *revocation.UsedJTIs         // logout tokens already used
	logoutParams map[string]map[string]string // per provider
	keepClaims   map[string]bool              // nil: keep every claim
	maxAge       time.Duration
	idle         time.Duration // idle_timeout, 0 when off (idle.go)
	renewals     *recent.Set   // cookies renewed a moment ago (idle.go)
	pages        *pages.Set    // the site's own pages; nil: the built-in ones
	logger       *zap.Logger
	held         []held             // what Provision took from the pools (pool.go)
	life         context.Context    // bounds work detached from any request (refreshes)
	endLife      context.CancelFunc // ends life, in Cleanup

	// One refresh per session across the instances on one storage.
	sharedRefreshes *sharedRefreshes

	cookieDomain string // cookie_domain, settled; "" for host-only cookies
	domainHTTPS  bool   // with cookie_domain: return_to URLs must be https

	bearers *bearerCache // verified bearer tokens (bearer.go); nil without bearer
	realm   string       // the site's host, named by every 401's challenge

	clientKeys []*flow.ClientKey // every provider's client_private_key, for /auth/jwks
	jwks       []byte            // their public halves, as a JWK Set
}

// CaddyModule returns the Caddy module information.
func (OIDCAuth) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.oidc_auth",
		New: func() caddy.Module { return new(OIDCAuth) },
	}
}

// Provision builds the handler from its config, one step after another.
// It does no network work, so Caddy starts (and `caddy validate` passes)
// while a provider is down: discovery happens on first use. Providers and
// the cookie jar come from pools, so a reload that keeps their config keeps
// their discovery, keys and session cache.
func (m *OIDCAuth) Provision(ctx caddy.Context) error {
	m.logger = ctx.Logger()
	m.life, m.endLife = context.WithCancel(context.Background())
	m.expandEnv()
	src, err := m.loadSecretsFile()
	if err != nil {
		return err
	}
	if err := m.check(src); err != nil {
		return err
	}
	if err := m.sessionOptions(); err != nil {
		return err
	}
	if err := m.loadPages(); err != nil {
		return err
	}
	if err := m.provisionStorage(ctx); err != nil {
		return err
	}
	m.metrics = newMetrics(ctx.GetMetricsRegistry())
	clients, err := m.provisionProviders()
	if err != nil {
		return err
	}
	if err := m.provisionJar(clients); err != nil {
		return err
	}
	if err := m.provisionBearer(); err != nil {
		return err
	}
	// What sign-ins and refreshes in progress share.
	m.usedStates = recent.New(4096, loginStateTTL)
	m.refreshes = newRefresher()
	m.sharedRefreshes = newSharedRefreshes(caddyStorage(ctx), m.jar, m.logger, m.life)
	// Last, so nothing can fail after it: Cleanup stops it.
	m.revoked.Start(ctx)
	return nil
}

// loadSecretsFile merges the [auth] table of secrets_file, when set, under
// the keys given inline, and says where each key came from (for errors that
// name the file). Unknown keys are logged, not refused.
func (m *OIDCAuth) loadSecretsFile() (keySource, error) {
	if m.SecretsFile == "" {
		return keySource{}, nil
	}
	f, err := loadSecretsFile(m.SecretsFile)
	if err != nil {
		return keySource{}, err
	}
	for _, key := range f.Ignored {
		m.logger.Warn("secrets_file: ignoring unknown key", zap.String("file", m.SecretsFile), zap.String("key", key))
	}
	m.mergeSecrets(f)
	return f.src, nil
}

// check refuses a config that cannot work, naming the key (and the file it
// came from), before anything is built.
func (m *OIDCAuth) check(src keySource) error {
	if err := m.checkConfig(src); err != nil {
		return err
	}
	if err := m.checkCookieDomain(src); err != nil {
		return err
	}
	return m.Allow.Check()
}

// sessionOptions settles what a session holds and how long it lasts: the
// cookie lifetime, the claims kept, the tokens exposed.
func (m *OIDCAuth) sessionOptions() error {
	m.maxAge = time.Duration(m.CookieMaxAge)
	if m.maxAge == 0 {
		m.maxAge = DefaultCookieMaxAge
	}
	if m.maxAge < time.Minute {
		return fmt.Errorf("cookie_max_age %v is too short: sign-ins would end before users could use them", m.maxAge)
	}
	if err := m.idleOptions(); err != nil {
		return err
	}
	if len(m.Claims) > 0 {
		m.keepClaims = map[string]bool{"sub": true}
		for _, c := range append(m.Claims, m.Allow.ClaimNames()...) {
			m.keepClaims[c] = true
		}
		// email_verified qualifies email: keep them together.
		m.keepClaims["email_verified"] = m.keepClaims["email"]
	}
	for _, t := range m.ExposeTokens {
		m.exposeID = m.exposeID || t == exposeIDToken
		m.exposeAccess = m.exposeAccess || t == exposeAccessToken
	}
	return nil
}

// provisionStorage connects what Caddy's storage shares with every Caddy on
// it: the generated cookie_secret (when none is configured), and the
// sign-out-everywhere stores.
func (m *OIDCAuth) provisionStorage(ctx caddy.Context) error {
	storage := caddyStorage(ctx)
	if m.CookieSecret == "" {
		if err := m.useStoredCookieSecret(ctx, storage); err != nil {
			return err
		}
	}
	m.revoked = revocation.New(storage, m.maxAge, m.logger)
	m.logoutJTIs = revocation.NewUsedJTIs(storage, m.maxAge, m.logger)
	return nil
}

// provisionProviders takes every configured provider from the pool (see
// pool.go) and records its callback path, issuer and sign-out settings. It
// returns the clients a session may be bound to.
func (m *OIDCAuth) provisionProviders() (map[string]cookie.Client, error) {
	configs := m.providerConfigs()
	m.names = sortedNames(configs)
	m.providers = make(map[string]*flow.Provider, len(configs))
	m.logoutParams = make(map[string]map[string]string, len(configs))
	m.callbackOf = make(map[string]string, len(configs))
	m.issuerKeys = make(map[string]string, len(configs))
	m.issWarned = new(sync.Map)
	m.postLogout = make(map[string]string, len(configs))
	clients := make(map[string]cookie.Client, len(configs))
	for _, name := range m.names {
		pc := configs[name]
		key, err := m.loadClientKey(name, pc)
		if err != nil {
			return nil, err
		}
		p, err := m.takeProvider(flow.Config{
			Name:         name,
			ClientID:     pc.ClientID,
			ClientSecret: pc.ClientSecret,
			MetadataURL:  pc.ServerMetadataURL,
			RedirectURL:  pc.RedirectURI,
			Params:       pc.ClientKwargs,
			Userinfo:     m.Userinfo,
			AuthMethod:   pc.TokenEndpointAuthMethod,
			ClientKey:    key,
		})
		if err != nil {
			return nil, fmt.Errorf("provider %s: %w", name, err)
		}
		m.providers[name] = p
		m.logoutParams[name] = pc.LogoutParams
		m.issuerKeys[name] = issuerKey(p.Issuer())
		clients[name] = cookie.Client{Issuer: p.Issuer(), ClientID: p.ClientID()}
		m.addCallback(name, pc.RedirectURI)
		// As Streamlit: the redirect_uri is the one address every provider
		// already has registered, so a provider that checks the
		// post-logout address against its list accepts it unchanged.
		m.postLogout[name] = cmp.Or(pc.PostLogoutRedirectURI, pc.RedirectURI)
	}
	return clients, nil
}

// provisionJar takes the cookie jar for this site from the pool: sessions
// sealed with the cookie secrets, bound to clients, scoped to the
// redirect_uri origin.
func (m *OIDCAuth) provisionJar(clients map[string]cookie.Client) error {
	codec, err := cookie.NewCodec(m.CookieSecret, m.PreviousCookieSecrets...)
	if err != nil {
		return err
	}
	redirect, _ := url.Parse(m.RedirectURI)
	site := siteOf(redirect)
	if m.cookieDomain != "" {
		site = domainSite(m.cookieDomain, redirect.Scheme == "https")
	}
	secrets := append([]string{m.CookieSecret}, m.PreviousCookieSecrets...)
	m.jar = m.takeJar(cookie.JarConfig{
		Codec:   codec,
		Name:    site.cookieName,
		Scope:   site.scope,
		Clients: clients,
		Secure:  redirect.Scheme == "https",
		Domain:  m.cookieDomain,
		MaxAge:  m.maxAge,
		// The idle deadline is sealed in the cookie (idle.go).
		IdleTimeout: m.idle,
		// Caddy reads at most 16 KiB of request headers by default: leave
		// room for the site's own cookies and the other headers.
		MaxSessionBytes: maxSessionBytes,
		// The ID token, kept for sign-out's id_token_hint, travels only to
		// the sign-out route, unless expose_tokens hands it on with every
		// request.
		SignOutPath: signOutPathUnless(m.exposeID),
	}, secrets)
	m.sessionVar, m.readVar = chainVars(chainKeyOf(site, m.CookieSecret, m.PreviousCookieSecrets, clients, m.idle), site.cookieName)
	return nil
}

// Validate makes sure Provision left a handler that can serve.
func (m *OIDCAuth) Validate() error {
	if len(m.providers) == 0 || m.jar == nil {
		return errors.New("oidc_auth: no provider configured")
	}
	return nil
}

// Cleanup stops what Provision started: session refreshes still running
// end, the goroutine that follows the sign-outs other Caddys record in the
// shared storage stops, and the pooled providers and jar are given back; the
// last handler to give back a provider closes it, which ends its discovery
// and key fetches. A reload that keeps a provider's config hands it on
// instead.
func (m *OIDCAuth) Cleanup() error {
	if m.endLife != nil {
		m.endLife()
	}
	if m.revoked != nil {
		m.revoked.Stop()
	}
	return m.release()
}

// Interface guards
var (
	_ caddy.Provisioner           = (*OIDCAuth)(nil)
	_ caddy.Validator             = (*OIDCAuth)(nil)
	_ caddy.CleanerUpper          = (*OIDCAuth)(nil)
	_ caddyhttp.MiddlewareHandler = (*OIDCAuth)(nil)
)
