// Package oidcauth is a Caddy HTTP handler that signs users in with any
// OpenID Connect provider, as Streamlit's st.login(), st.user and
// st.logout() do, and hands their claims to the handlers that follow.
//
// This package is the Caddy glue: the module and its config, the directive,
// ServeHTTP and one file per route or concern. The logic that needs no Caddy
// lives in flow/, cookie/ and internal/, and none of them imports this
// package. See README's "How it is built" for the map.
package oidcauth
