package oidcauth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/flow"
)

// Providers and cookie jars outlive a config reload: a handler whose
// provider is configured as before takes the one already running, with its
// discovery, keys and backoff, so a reload costs the provider no requests;
// one whose jar is configured as before keeps its cache of opened
// sessions. Each handler gives back what it took in Cleanup; the last one
// to give back a provider closes it.
var (
	providerPool = caddy.NewUsagePool()
	jarPool      = caddy.NewUsagePool()
)

// providerPoolKey is everything in a flow.Config that defines the provider:
// two handlers with equal keys behave alike with one shared flow.Provider.
// HTTPClient, Now and OnFetch are left out: the module does not set the
// first two, and OnFetch is routed to the newest handler (fetchSinks).
type providerPoolKey struct {
	Name, ClientID, ClientSecret, MetadataURL, RedirectURL string
	Params                                                 map[string]string
	Userinfo                                               bool
	AuthMethod                                             string
	ClientKey                                              string // the key's thumbprint, never the key
}

func providerPoolKeyOf(cfg flow.Config) providerPoolKey {
	return providerPoolKey{
		Name: cfg.Name, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		MetadataURL: cfg.MetadataURL, RedirectURL: cfg.RedirectURL,
		Params: cfg.Params, Userinfo: cfg.Userinfo,
		AuthMethod: cfg.AuthMethod, ClientKey: clientKeyID(cfg.ClientKey),
	}
}

// jarPoolKey is everything a cookie.Jar is built from, the codec's secrets in
// place of the codec.
type jarPoolKey struct {
	Secrets         []string // cookie_secret, then the previous ones
	Scope, Name     string
	Clients         map[string]cookie.Client
	Secure          bool
	Domain          string
	MaxAge          time.Duration
	IdleTimeout     time.Duration
	CacheSize       int
	MaxSessionBytes int
	SignOutPath     string
}

func jarPoolKeyOf(cfg cookie.JarConfig, secrets []string) jarPoolKey {
	return jarPoolKey{
		Secrets: secrets, Scope: cfg.Scope, Name: cfg.Name, Clients: cfg.Clients,
		Secure: cfg.Secure, Domain: cfg.Domain, MaxAge: cfg.MaxAge, IdleTimeout: cfg.IdleTimeout, CacheSize: cfg.CacheSize, MaxSessionBytes: cfg.MaxSessionBytes,
		SignOutPath: cfg.SignOutPath,
	}
}

// poolKey names v in a pool: a hash, so that the secrets in v are not kept
// (or shown by a debugger) in the clear. JSON sorts map keys, so equal
// values give equal keys.
func poolKey(kind string, v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic("oidc_auth: pool key: " + err.Error()) // plain strings, maps and numbers: cannot fail
	}
	h := sha256.Sum256(data)
	return kind + ":" + hex.EncodeToString(h[:])
}

// pooledProvider is a provider shared by the handlers that configure it
// alike. Its fetches are counted in the metrics of the newest handler that
// holds it: each config load has its own metrics registry.
type pooledProvider struct {
	*flow.Provider

	mu    sync.Mutex
	sinks []*fetchSink // one per handler holding it, newest last
}

type fetchSink struct{ onFetch func(kind string, err error) }

func (pp *pooledProvider) onFetch(kind string, err error) {
	pp.mu.Lock()
	var sink *fetchSink
	if n := len(pp.sinks); n > 0 {
		sink = pp.sinks[n-1]
	}
	pp.mu.Unlock()
	if sink != nil {
		sink.onFetch(kind, err)
	}
}

func (pp *pooledProvider) attach(s *fetchSink) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	pp.sinks = append(pp.sinks, s)
}

func (pp *pooledProvider) detach(s *fetchSink) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	for i, x := range pp.sinks {
		if x == s {
			pp.sinks = append(pp.sinks[:i:i], pp.sinks[i+1:]...)
			return
		}
	}
}

// Destruct closes the provider once no handler holds it: fetches in flight
// end.
func (pp *pooledProvider) Destruct() error { return pp.Close() }

// pooledJar is a cookie jar shared by the handlers that configure it alike.
type pooledJar struct{ *cookie.Jar }

// Destruct has nothing to stop: the jar's cache is only memory.
func (pooledJar) Destruct() error { return nil }

// held is one thing a handler took from a pool, to give back in Cleanup.
type held struct {
	pool   *caddy.UsagePool
	key    string
	detach func() // nil: nothing to undo but the reference
}

// takeProvider is the provider for cfg from the pool, built when no
// handler holds one configured alike. Its fetches count in m's metrics.
func (m *OIDCAuth) takeProvider(cfg flow.Config) (*flow.Provider, error) {
	key := poolKey("provider", providerPoolKeyOf(cfg))
	v, loaded, err := providerPool.LoadOrNew(key, func() (caddy.Destructor, error) {
		pp := new(pooledProvider)
		cfg.OnFetch = pp.onFetch
		p, err := flow.NewProvider(cfg)
		if err != nil {
			return nil, err
		}
		pp.Provider = p
		return pp, nil
	})
	if err != nil {
		return nil, err // the pool kept no reference for a failed build
	}
	pp := v.(*pooledProvider)
	sink := &fetchSink{onFetch: m.metrics.onFetch(cfg.Name)}
	pp.attach(sink)
	m.held = append(m.held, held{pool: providerPool, key: key, detach: func() { pp.detach(sink) }})
	if loaded {
		m.logger.Debug("provider kept from the running config: no new discovery", zap.String("provider", cfg.Name))
	}
	return pp.Provider, nil
}

// takeJar is the cookie jar for cfg (whose codec holds secrets) from the
// pool, built when no handler holds one configured alike.
func (m *OIDCAuth) takeJar(cfg cookie.JarConfig, secrets []string) *cookie.Jar {
	key := poolKey("jar", jarPoolKeyOf(cfg, secrets))
	v, _, _ := jarPool.LoadOrNew(key, func() (caddy.Destructor, error) {
		return pooledJar{cookie.NewJar(cfg)}, nil
	})
	m.held = append(m.held, held{pool: jarPool, key: key})
	return v.(pooledJar).Jar
}

// release gives back everything m took from the pools, once.
func (m *OIDCAuth) release() error {
	var errs []error
	for _, h := range m.held {
		if h.detach != nil {
			h.detach()
		}
		if _, err := h.pool.Delete(h.key); err != nil {
			errs = append(errs, err)
		}
	}
	m.held = nil
	return errors.Join(errs...)
}
