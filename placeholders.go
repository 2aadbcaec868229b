package oidcauth

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/caddyserver/caddy/v2"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
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
	return claimString(sess.ClaimMap()[name])
}

// claimString renders a claim for a header or a page: a list joined with
// commas, an object as JSON, a number without an exponent.
func claimString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		return v.String()
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = claimString(e)
		}
		return strings.Join(parts, ",")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
