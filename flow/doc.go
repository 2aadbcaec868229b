// Package flow is the OpenID Connect relying party behind oidc_auth, free of Caddy.
//
// A Provider is built from configuration alone (NewProvider never touches the
// network); it discovers the provider's metadata on first use, caches it, and
// retries a failed discovery after a short backoff. It builds authorization URLs
// with state, nonce and PKCE (S256), exchanges codes, verifies ID tokens with its
// own rate-limited key cache, merges userinfo where the ID token is thin,
// refreshes tokens, builds end-session URLs, verifies back-channel logout
// tokens, and verifies the ID tokens and RFC 9068 access tokens API clients
// send as bearer tokens (VerifyBearer, which never waits for a key refetch).
//
// Failures are classified with errors.Is against ErrUnavailable,
// ErrMisconfigured, ErrInvalidToken and ErrRefreshRefused. Messages name the
// provider and say what was wrong; they never contain tokens, codes or secrets.
//
// It must not import Caddy or the module's root package.
package flow
