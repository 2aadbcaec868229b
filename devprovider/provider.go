package devprovider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// User is an account the provider can sign in.
type User struct {
	Username, Password string
	// Claims are the user's claims: "sub" defaults to Username; email, name, groups...
	// "email_verified" defaults to true when "email" is set.
	Claims map[string]any
}

// Client is a relying party registered with the provider.
type Client struct {
	ID, Secret string
	// RedirectURIs are the exact redirect URIs allowed. Empty: any http(s) URI on
	// 127.0.0.1, localhost or [::1], which is what local development needs.
	RedirectURIs []string
	// PostLogoutURIs, when set, are the only post_logout_redirect_uri values
	// the end-session endpoint accepts, compared exactly, as Auth0, Okta,
	// Keycloak and Entra ID check their lists. Empty: any URI on the origin
	// of a redirect URI.
	PostLogoutURIs []string
	// FrontchannelLogoutURI, when set, is framed by the sign-out page (OpenID
	// Connect Front-Channel Logout 1.0) with the issuer and the sid of the
	// session named by id_token_hint.
	FrontchannelLogoutURI string
	// PublicKey (*rsa.PublicKey or *ecdsa.PublicKey) verifies the client's
	// private_key_jwt assertions; without it, the keys at JWKSURI do (fetched at
	// each use). With either, the client must authenticate with an assertion
	// or its secret, never with its client_id alone.
	PublicKey any
	JWKSURI   string
}

// Config sets up a Provider.
type Config struct {
	Addr    string // listen address for Start, default "127.0.0.1:0"
	Issuer  string // default "http://<listen addr>" (no trailing slash); may carry a path or a trailing slash
	Users   []User
	Clients []Client
	// TrustLoginHint makes /authorize?login_hint=<username> sign that user in at once, with
	// no form: for tests and load tests.
	TrustLoginHint bool
	// AnyUser, with TrustLoginHint, turns an unknown login_hint into a user
	// (sub=name, email=name@example.com, name=Name).
	AnyUser  bool
	TokenTTL time.Duration // ID and access token lifetime, default 1h
	// IssParameter makes the provider advertise
	// authorization_response_iss_parameter_supported and add iss (its issuer) to every
	// authorization response, success and error alike (RFC 9207).
	IssParameter bool
}

// Provider is an OpenID Connect provider. It is safe for concurrent use.
type Provider struct {
	cfg        Config
	users      map[string]User
	clients    map[string]Client
	behavior   atomic.Pointer[Behavior]
	keys       atomic.Pointer[keySet]
	store      *grantStore
	counts     counters
	clientAuth clientAuthState // client assertion jtis, last method (clientjwt.go)

	mu            sync.Mutex // guards issuer, server, lastAuthorize
	issuer        string
	server        *http.Server
	lastAuthorize url.Values
}

// Counts tells how many requests reached each endpoint (misbehaving answers included).
type Counts struct {
	Discovery, JWKS, Authorize, Token, Userinfo, EndSession int64
}

type counters struct {
	discovery, jwks, authorize, token, userinfo, endSession atomic.Int64
}

// New checks cfg and builds a provider with fresh signing keys. Serve it with Start, or
// mount it (it is an http.Handler), e.g. behind httptest.NewServer. When served without
// Start and without Config.Issuer, the issuer is taken from each request's Host.
func New(cfg Config) (*Provider, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.TokenTTL < 0 {
		return nil, fmt.Errorf("devprovider: TokenTTL %v is negative", cfg.TokenTTL)
	}
	if cfg.Issuer != "" {
		if err := checkIssuer(cfg.Issuer); err != nil {
			return nil, err
		}
	}
	p := &Provider{
		cfg:     cfg,
		users:   make(map[string]User, len(cfg.Users)),
		clients: make(map[string]Client, len(cfg.Clients)),
		store:   newGrantStore(),
		issuer:  cfg.Issuer,
	}
	users := make([]User, 0, len(cfg.Users))
	for i, u := range cfg.Users {
		if u.Username == "" {
			return nil, fmt.Errorf("devprovider: user %d has no Username", i)
		}
		if _, dup := p.users[u.Username]; dup {
			return nil, fmt.Errorf("devprovider: user %q is listed twice", u.Username)
		}
		// Copy the claims so that the caller's later edits cannot race with sign-ins.
		u.Claims = maps.Clone(u.Claims)
		p.users[u.Username] = u
		users = append(users, u)
	}
	p.cfg.Users = users
	for i, c := range cfg.Clients {
		if c.ID == "" {
			return nil, fmt.Errorf("devprovider: client %d has no ID", i)
		}
		if _, dup := p.clients[c.ID]; dup {
			return nil, fmt.Errorf("devprovider: client %q is listed twice", c.ID)
		}
		for _, ru := range c.RedirectURIs {
			if u, err := url.Parse(ru); err != nil || u.Scheme == "" || u.Host == "" {
				return nil, fmt.Errorf("devprovider: client %q: redirect URI %q is not an absolute URL", c.ID, ru)
			}
		}
		p.clients[c.ID] = c
	}
	ks, err := newKeySet()
	if err != nil {
		return nil, err
	}
	p.keys.Store(ks)
	p.behavior.Store(&Behavior{})
	return p, nil
}

func checkIssuer(iss string) error {
	u, err := url.Parse(iss)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("devprovider: Issuer %q must be an http(s) URL without query or fragment", iss)
	}
	return nil
}

// Start listens on Config.Addr and serves in the background. It returns the issuer, which
// is fixed from then on.
func (p *Provider) Start() (issuer string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.server != nil {
		return "", errors.New("devprovider: already started")
	}
	ln, err := net.Listen("tcp", p.cfg.Addr)
	if err != nil {
		return "", fmt.Errorf("devprovider: listen on %s: %w", p.cfg.Addr, err)
	}
	if p.issuer == "" {
		p.issuer = "http://" + ln.Addr().String()
	}
	p.server = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go p.server.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Close
	return p.issuer, nil
}

// Close stops the server started by Start. Closing a provider never started is a no-op.
func (p *Provider) Close() error {
	p.mu.Lock()
	srv := p.server
	p.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return srv.Close()
	}
	return nil
}

// Issuer is the issuer identifier: Config.Issuer, or the one Start chose. Empty when neither
// is known yet.
func (p *Provider) Issuer() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.issuer
}

// MetadataURL is the discovery document's URL (the server_metadata_url of a relying party).
func (p *Provider) MetadataURL() string {
	iss := p.Issuer()
	if iss == "" {
		return ""
	}
	return strings.TrimSuffix(iss, "/") + "/.well-known/openid-configuration"
}

// SetBehavior makes the provider misbehave as b says, atomically; the zero Behavior is a
// correct provider.
func (p *Provider) SetBehavior(b Behavior) {
	p.behavior.Store(&b)
}

// Counts tells how many requests reached each endpoint so far.
func (p *Provider) Counts() Counts {
	c := &p.counts
	return Counts{
		Discovery: c.discovery.Load(), JWKS: c.jwks.Load(), Authorize: c.authorize.Load(),
		Token: c.token.Load(), Userinfo: c.userinfo.Load(), EndSession: c.endSession.Load(),
	}
}

// LastAuthorize is the query of the latest GET authorization request (nil before the first).
func (p *Provider) LastAuthorize() url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lastAuthorize == nil {
		return nil
	}
	return cloneValues(p.lastAuthorize)
}

func (p *Provider) recordAuthorize(q url.Values) {
	p.mu.Lock()
	p.lastAuthorize = cloneValues(q)
	p.mu.Unlock()
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// issuerFor is the issuer to use while answering r: the fixed one, else one made from r's Host.
func (p *Provider) issuerFor(r *http.Request) string {
	if iss := p.Issuer(); iss != "" {
		return iss
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// endpoint is the URL of one of the provider's routes, under the issuer.
func endpoint(issuer, route string) string {
	return strings.TrimSuffix(issuer, "/") + route
}

func (p *Provider) behaviorNow() *Behavior { return p.behavior.Load() }
