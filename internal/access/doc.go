// Package access owns the allow rules: who may enter once signed in, by
// exact email, email domain, claim value or provider, and the checks that
// refuse rules which could never match as written.
//
// It reads a user as a provider name and a claims map, so it must not
// import Caddy, the cookie package or the module's root package.
package access
