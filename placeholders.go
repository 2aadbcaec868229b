package oidcauth

import (
	"strconv"
	"strings"

	"github.com/caddyserver/caddy/v2"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/internal/claims"
)

const userPrefix = "http.auth.user."

// placeholders resolves {http.auth.user.*} lazily: claims are looked up only
// when a later handler asks for one, so a request that uses none costs no
// decoding. Every key under the prefix is answered, empty when unknown or
// anonymous, so a placeholder always replaces a value a client sent.
func (m *OIDCAuth) placeholders(sess *cookie.Session) caddy.ReplacerFunc {
	return func(key string) (any, bool) {
		if !strings.HasPrefix(key, userPrefix) {
			return nil, false
		}
		return m.userValue(sess, key[len(userPrefix):]), true
	}
}

// userValue is the string a placeholder stands for.
func (m *OIDCAuth) userValue(sess *cookie.Session, name string) string {
	if name == "is_logged_in" {
		return strconv.FormatBool(sess != nil)
	}
	if sess == nil {
		return ""
	}
	switch name {
	case "id":
		return sess.Subject
	case "provider":
		return sess.Provider
	case "tokens.id":
		if m.exposeID {
			return sess.IDToken
		}
		return ""
	case "tokens.access":
		if m.exposeAccess {
			return sess.AccessToken
		}
		return ""
	}
	if s, ok := sess.Claims.LookupString(name); ok {
		return s // most claims: no decoding, no copy
	}
	v, _ := sess.Claim(name)
	return claims.String(v)
}
