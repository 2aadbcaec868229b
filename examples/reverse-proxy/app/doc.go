// Command app is the upstream of the reverse-proxy example: it greets the
// user that Caddy's oidc_auth signed in, from the headers Caddy sets.
//
// It imports the standard library only: it stands for any app behind
// reverse_proxy, which knows nothing of oidc_auth but the headers.
package main
