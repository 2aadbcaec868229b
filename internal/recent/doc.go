// Package recent owns a bounded in-memory set of keys seen lately: the
// callback refuses a second use of one login state with it, and the
// logout-token id store uses it when Caddy has no storage.
//
// It must not import Caddy or any other package of this module.
package recent
