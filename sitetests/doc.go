// Package sitetests checks, from outside, a site protected by oidc_auth
// through real Caddy: Caddyfiles (and JSON) as a user writes them, loaded
// into Caddy in the test process or run by the built build/caddy, and
// spoken to over HTTP like a browser, a script or an attacker would. The
// tests know the module only as its users do: the configuration, HTTP and
// its exported API; sessions are forged with the cookie package, as someone
// holding the cookie_secret could.
//
// What they check: sign-in, sign-out and the session check end to end;
// placeholders and /auth/user; access rules; several providers and mix-up
// defences; refresh and token handling; back-channel logout and revocations
// shared by several Caddy servers; logs, metrics, load; and attacks on the
// cookies and the sign-in flow.
//
// The tests that run build/caddy skip, saying why, when it has not been
// built (bash .ci/build-caddy.sh), unless OIDCAUTH_E2E=1, which turns the
// skip into a failure.
package sitetests
