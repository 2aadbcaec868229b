package sitetests_test

import (
	_ "github.com/caddy-oidc-auth/oidcauth" // the oidc_auth directive

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// siteCaddyfile is testsupport.SiteCaddyfile, the Caddyfile of one site
// protected by oidc_auth.
var siteCaddyfile = testsupport.SiteCaddyfile
