// Package e2e holds the browser tests of oidc_auth: a real headless Chromium,
// driven by chromedp, opens a site served by real Caddy with the oidc_auth
// module (run in the test process, caddy_test.go) and signs in at a real
// OpenID provider, Dex, panva's oidc-provider (e2e/oidcprovider, run with
// node) or the project's development provider, by typing into its login
// form, the way a person would.
//
// The tests need the dex binary, Debian's chromium, and node with
// e2e/oidcprovider's node_modules; .ci/install-e2e.sh installs them. Without them the tests skip, unless OIDCAUTH_E2E=1 is set,
// which turns a missing tool into a failure (CI sets it). Screenshots go to
// $OIDCAUTH_ARTIFACTS, by default e2e/artifacts/.
package e2e
