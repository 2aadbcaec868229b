package oidcauth

import (
	"strings"

	"github.com/caddyserver/caddy/v2"
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
//	    logout_params       { <key> <value> ... }
//	    post_logout_redirect_uri <url>
//	    provider <name> {
//	        client_id / client_secret / server_metadata_url / client_kwargs / logout_params
//	        redirect_uri / post_logout_redirect_uri    # default: the top-level ones
//	    }
//	    expose_tokens       id|access...
//	    optional
//	    allow {
//	        email        <address>...
//	        email_domain <domain>...
//	        claim        <name> <value>...
//	        provider     <name>...
//	    }
//	    claims            <name>...
//	    userinfo
//	    cookie_max_age    <duration>
//	    expire_with_token
//	    idle_timeout      <duration>
//	    cookie_domain     <domain>
//	    bearer            [<audience>...]
//	    pages             <dir>
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
		case "cookie_domain":
			if err := oneArg(d, &m.CookieDomain); err != nil {
				return err
			}
		case "pages":
			if err := oneArg(d, &m.Pages); err != nil {
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
				// A placeholder ({env.TOKENS}) is checked once expanded.
				if !exposableToken(t) && !strings.HasPrefix(t, "{") {
					return d.Errf("expose_tokens: unknown token %q (use id, access or both)", t)
				}
			}
		case "optional", "userinfo", "expire_with_token":
			if d.NextArg() {
				return d.ArgErr()
			}
			switch key {
			case "optional":
				m.Optional = true
			case "userinfo":
				m.Userinfo = true
			default:
				m.ExpireWithToken = true
			}
		case "bearer":
			if m.Bearer == nil {
				m.Bearer = &BearerConfig{}
			}
			m.Bearer.Audiences = append(m.Bearer.Audiences, d.RemainingArgs()...)
			if d.NextBlock(d.Nesting()) {
				return d.Err("bearer takes audiences, not a block: bearer https://api.example.com")
			}
		case "claims":
			m.Claims = append(m.Claims, d.RemainingArgs()...)
			if len(m.Claims) == 0 {
				return d.Err("claims needs the names of the claims to keep, such as: claims email name groups")
			}
		case "cookie_max_age":
			var v string
			if err := oneArg(d, &v); err != nil {
				return err
			}
			dur, err := caddy.ParseDuration(v)
			if err != nil {
				return d.Errf("cookie_max_age %q: %v (use a duration such as 12h or 7d)", v, err)
			}
			m.CookieMaxAge = caddy.Duration(dur)
		case "idle_timeout":
			if err := durationArg(d, key, &m.IdleTimeout); err != nil {
				return err
			}
		case "allow":
			if d.NextArg() {
				return d.Err("allow takes a block: allow { email_domain example.com }")
			}
			if m.Allow == nil {
				m.Allow = &AllowRules{}
			}
			for nesting := d.Nesting(); d.NextBlock(nesting); {
				if err := unmarshalAllowRule(d, m.Allow); err != nil {
					return err
				}
			}
		case "provider":
			var name string
			if err := oneArg(d, &name); err != nil {
				return err
			}
			if err := checkProviderName(name, ""); err != nil {
				return d.Err(err.Error())
			}
			if m.Providers == nil {
				m.Providers = map[string]*ProviderConfig{}
			}
			if _, dup := m.Providers[name]; dup {
				return d.Errf("provider %q is configured twice", name)
			}
			p := &ProviderConfig{}
			for nesting := d.Nesting(); d.NextBlock(nesting); {
				k, ok := lookupProviderKey(d.Val())
				if !ok {
					return d.Errf("unknown oidc_auth option %q", d.Val())
				}
				if err := unmarshalSlot(d, k.of(p)); err != nil {
					return err
				}
			}
			m.Providers[name] = p
		default:
			// The default provider's keys (and redirect_uri,
			// post_logout_redirect_uri), directly in the directive.
			k, ok := lookupProviderKey(key)
			if !ok {
				return d.Errf("unknown oidc_auth option %q", key)
			}
			if err := unmarshalSlot(d, k.top(m)); err != nil {
				return err
			}
		}
	}
	return nil
}

// unmarshalSlot reads the value of one of providerKeys: one argument, or a
// block of key/value lines.
func unmarshalSlot(d *caddyfile.Dispenser, s slot) error {
	if s.text != nil {
		return oneArg(d, s.text)
	}
	return unmarshalParams(d, s.table)
}

// unmarshalAllowRule reads one line of an allow block.
func unmarshalAllowRule(d *caddyfile.Dispenser, a *AllowRules) error {
	rule := d.Val()
	args := d.RemainingArgs()
	switch rule {
	case "email":
		a.Email = append(a.Email, args...)
	case "email_domain":
		a.EmailDomain = append(a.EmailDomain, args...)
	case "provider":
		a.Provider = append(a.Provider, args...)
	case "claim":
		if len(args) < 2 {
			return d.Err("allow: claim needs a claim name and at least one value: claim groups admins")
		}
		if a.Claim == nil {
			a.Claim = map[string][]string{}
		}
		a.Claim[args[0]] = append(a.Claim[args[0]], args[1:]...)
		return nil
	default:
		return d.Errf("allow: unknown rule %q (use email, email_domain, claim or provider)", rule)
	}
	if len(args) == 0 {
		return d.Errf("allow: %s needs at least one value", rule)
	}
	return nil
}

// unmarshalParams reads a block of "key value" lines (value "" allowed).
func unmarshalParams(d *caddyfile.Dispenser, dst *map[string]string) error {
	name := d.Val()
	if d.NextArg() {
		return d.Errf("%s takes a block: %s { key value }", name, name)
	}
	if *dst == nil {
		*dst = map[string]string{}
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		key := d.Val()
		var val string
		if err := oneArg(d, &val); err != nil {
			return err
		}
		(*dst)[key] = val
	}
	return nil
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
