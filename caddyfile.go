package oidcauth

import (
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("oidc_auth", parseCaddyfile)
	// Before basic_auth, like every authentication handler, so no `order`
	// line is needed and the user is known to everything that follows.
	httpcaddyfile.RegisterDirectiveOrder("oidc_auth", httpcaddyfile.Before, "basic_auth")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(OIDCAuth)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	oidc_auth [<matcher>] {
//	    secrets_file        <path>
//	    redirect_uri        <url>
//	    cookie_secret       <secret>
//	    previous_cookie_secrets <secret>...
//	    client_id           <id>
//	    client_secret       <secret>
//	    server_metadata_url <url>
//	    client_kwargs       { <key> <value> ... }
//	    provider <name> {
//	        client_id / client_secret / server_metadata_url / client_kwargs
//	    }
//	    expose_tokens       id|access...
//	    optional
//	}
func (m *OIDCAuth) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		key := d.Val()
		switch key {
		case "secrets_file":
			if err := oneArg(d, &m.SecretsFile); err != nil {
				return err
			}
		case "redirect_uri":
			if err := oneArg(d, &m.RedirectURI); err != nil {
				return err
			}
		case "cookie_secret":
			if err := oneArg(d, &m.CookieSecret); err != nil {
				return err
			}
		case "previous_cookie_secrets":
			m.PreviousCookieSecrets = append(m.PreviousCookieSecrets, d.RemainingArgs()...)
			if len(m.PreviousCookieSecrets) == 0 {
				return d.ArgErr()
			}
		case "expose_tokens":
			m.ExposeTokens = append(m.ExposeTokens, d.RemainingArgs()...)
			if len(m.ExposeTokens) == 0 {
				return d.Err("expose_tokens needs one or both of: id access")
			}
			for _, t := range m.ExposeTokens {
				if t != "id" && t != "access" {
					return d.Errf("expose_tokens: unknown token %q (use id, access or both)", t)
				}
			}
		case "optional":
			if d.NextArg() {
				return d.ArgErr()
			}
			m.Optional = true
		case "provider":
			var name string
			if err := oneArg(d, &name); err != nil {
				return err
			}
			if !plainWord.MatchString(name) || name == DefaultProviderName {
				return d.Errf("provider name %q is not a plain word: use letters, digits and '-', starting with a letter (and not %q)", name, DefaultProviderName)
			}
			if m.Providers == nil {
				m.Providers = map[string]*ProviderConfig{}
			}
			if _, dup := m.Providers[name]; dup {
				return d.Errf("provider %q is configured twice", name)
			}
			p := &ProviderConfig{}
			for nesting := d.Nesting(); d.NextBlock(nesting); {
				if err := unmarshalProviderKey(d, p); err != nil {
					return err
				}
			}
			m.Providers[name] = p
		default:
			p := ProviderConfig{ClientID: m.ClientID, ClientSecret: m.ClientSecret, ServerMetadataURL: m.ServerMetadataURL, ClientKwargs: m.ClientKwargs}
			if err := unmarshalProviderKey(d, &p); err != nil {
				return err
			}
			m.ClientID, m.ClientSecret, m.ServerMetadataURL, m.ClientKwargs = p.ClientID, p.ClientSecret, p.ServerMetadataURL, p.ClientKwargs
		}
	}
	return nil
}

// unmarshalProviderKey reads one provider key: client_id, client_secret,
// server_metadata_url or a client_kwargs block.
func unmarshalProviderKey(d *caddyfile.Dispenser, p *ProviderConfig) error {
	switch d.Val() {
	case "client_id":
		return oneArg(d, &p.ClientID)
	case "client_secret":
		return oneArg(d, &p.ClientSecret)
	case "server_metadata_url":
		return oneArg(d, &p.ServerMetadataURL)
	case "client_kwargs":
		if d.NextArg() {
			return d.Err("client_kwargs takes a block: client_kwargs { prompt login }")
		}
		if p.ClientKwargs == nil {
			p.ClientKwargs = map[string]string{}
		}
		for nesting := d.Nesting(); d.NextBlock(nesting); {
			key := d.Val()
			var val string
			if err := oneArg(d, &val); err != nil {
				return err
			}
			p.ClientKwargs[key] = val
		}
		return nil
	}
	return d.Errf("unknown oidc_auth option %q", d.Val())
}

// oneArg reads exactly one argument for the current key.
func oneArg(d *caddyfile.Dispenser, dst *string) error {
	key := d.Val()
	if !d.NextArg() {
		return d.Errf("%s needs a value", key)
	}
	*dst = d.Val()
	if d.NextArg() {
		return d.Errf("%s takes one value, got more: %q", key, d.Val())
	}
	return nil
}

// Interface guard
var _ caddyfile.Unmarshaler = (*OIDCAuth)(nil)
