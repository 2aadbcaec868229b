// Package claims owns how one ID-token claim reads as text: the value a
// {http.auth.user.*} placeholder stands for, and what an allow rule compares
// a single-valued claim with. One function renders both, so a rule admits
// exactly the value a user sees in a header or on a page.
//
// It must not import Caddy or any other package of this module.
package claims
