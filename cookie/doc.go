// Package cookie keeps a signed-in user in the browser without any server
// state: values are sealed (encrypted and authenticated) with a key derived
// from cookie_secret, carry their own expiry, and are split across several
// cookies when they outgrow one.
//
// A Jar holds the two kinds of cookie the module needs: the identity session
// (one or more pieces named oidc_auth, oidc_auth_1, ...) and one short-lived
// login-state cookie per sign-in attempt. Anything that does not open (a
// tampered, truncated, expired or foreign value, a missing piece) reads as
// signed out, never as an error page or a panic.
//
// The package knows nothing of Caddy; it speaks net/http only. It must not
// import Caddy or any other package of this module.
package cookie
