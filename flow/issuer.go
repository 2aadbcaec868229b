package flow

import "strings"

// Issuer is the issuer this provider is configured for: its
// server_metadata_url without /.well-known/openid-configuration and without
// a trailing slash. It is known before discovery (which refuses a metadata
// issuer that differs by more than that slash), so sessions, revocations and
// used logout-token ids can be bound to it at start-up.
func (p *Provider) Issuer() string { return strings.TrimSuffix(p.expectedIssuer, "/") }

// ClientID is the client_id this site is registered with at the provider.
func (p *Provider) ClientID() string { return p.cfg.ClientID }
