// Package revocation owns what back-channel logout leaves in Caddy's
// storage, shared by every Caddy that uses the same storage: the revoked
// sessions (Store), checked on every request from an in-memory snapshot
// that a goroutine of the Store rereads every RefreshEvery, and the ids of
// the logout tokens already used (UsedJTIs), so a replayed token is refused.
//
// It may use certmagic.Storage and zap; it must not import Caddy, the
// cookie package or the module's root package.
package revocation
