package oidcauth

import "github.com/caddy-oidc-auth/oidcauth/internal/access"

// AllowRules admit a signed-in user when any one rule matches (the `allow`
// key): exact emails, email domains, claim values or providers. Without
// rules every signed-in user is admitted. The rules live in
// internal/access; this alias keeps the config's type and JSON keys.
type AllowRules = access.Rules
