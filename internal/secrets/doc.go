// Package secrets owns reading the [auth] table of a Streamlit
// secrets.toml: its own keys (redirect_uri, cookie_secret,
// post_logout_redirect_uri, expose_tokens), the provider keys directly in
// [auth] and in each [auth.NAME] table, and errors that name the key, the
// file and the line. Which provider keys exist is the caller's list (a
// Schema), so the module keeps one list of them.
//
// It must not import Caddy or the module's root package.
package secrets
