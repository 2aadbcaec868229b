package sitetests_test

import (
	"fmt"
	"testing"

	_ "github.com/caddy-oidc-auth/oidcauth" // the oidc_auth directive

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// siteCaddyfile is a Caddyfile for one site on 127.0.0.1:port protected by
// oidc_auth against the provider at metadataURL; options go inside the
// oidc_auth block, handlers after it. Its storage is the test's own.
func siteCaddyfile(t testing.TB, port int, metadataURL, options, handlers string) string {
	return testsupport.GlobalOptions(t) + fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri http://127.0.0.1:%d/oauth2callback
		cookie_secret %s
		client_id %s
		client_secret %s
		server_metadata_url %s
		%s
	}
	%s
}
`, port, port, testsupport.CookieSecret, testsupport.ClientID, testsupport.ClientSecret, metadataURL, options, handlers)
}
