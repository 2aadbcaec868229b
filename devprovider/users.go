package devprovider

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DemoUsers are the accounts of the runnable demo; the sign-in page shows their passwords.
// bob is in the "admins" group, alice and bob in "staff".
func DemoUsers() []User {
	return []User{
		{Username: "alice", Password: "alice-password", Claims: map[string]any{
			"name": "Alice Liddell", "given_name": "Alice", "family_name": "Liddell",
			"preferred_username": "alice", "email": "alice@example.com", "email_verified": true,
			"groups": []string{"staff"},
		}},
		{Username: "bob", Password: "bob-password", Claims: map[string]any{
			"name": "Bob Builder", "given_name": "Bob", "family_name": "Builder",
			"preferred_username": "bob", "email": "bob@example.org", "email_verified": true,
			"groups": []string{"admins", "staff"},
		}},
		{Username: "carol", Password: "carol-password", Claims: map[string]any{
			"name": "Carol Danvers", "given_name": "Carol", "family_name": "Danvers",
			"preferred_username": "carol", "email": "carol@example.net", "email_verified": false,
		}},
	}
}

// scopeClaims are the standard claims each scope releases (OpenID Connect Core 5.4).
// A user's claim that no scope lists (groups, custom ones) is always released.
var scopeClaims = map[string][]string{
	"profile": {"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"},
	"email":   {"email", "email_verified"},
	"phone":   {"phone_number", "phone_number_verified"},
	"address": {"address"},
}

// protocolClaims belong to the provider; a user's claims never override them.
var protocolClaims = map[string]bool{
	"iss": true, "aud": true, "exp": true, "iat": true, "nbf": true, "auth_time": true,
	"nonce": true, "sid": true, "azp": true, "at_hash": true, "c_hash": true, "jti": true,
}

// identity is the signed-in user's full claim set: sub and the user's claims.
func identity(u User) map[string]any {
	c := make(map[string]any, len(u.Claims)+2)
	for k, v := range u.Claims {
		if !protocolClaims[k] {
			c[k] = v
		}
	}
	if s, ok := c["sub"].(string); !ok || s == "" {
		c["sub"] = u.Username
	}
	if _, ok := c["email"]; ok {
		if _, set := c["email_verified"]; !set {
			c["email_verified"] = true
		}
	}
	return c
}

// releasedClaims is the part of id the scope allows, sub included.
func releasedClaims(id map[string]any, scope string) map[string]any {
	granted := map[string]bool{}
	scoped := map[string]bool{}
	scopes := strings.Fields(scope)
	for s, claims := range scopeClaims {
		for _, c := range claims {
			scoped[c] = true
			for _, asked := range scopes {
				if asked == s {
					granted[c] = true
				}
			}
		}
	}
	out := make(map[string]any, len(id))
	for k, v := range id {
		if !scoped[k] || granted[k] {
			out[k] = v
		}
	}
	return out
}

// userByHint finds the account for a sign-in by login_hint: a configured user, or with
// AnyUser a made-up one.
func (p *Provider) userByHint(hint string) (User, bool) {
	if u, ok := p.users[hint]; ok {
		return u, true
	}
	if !p.cfg.AnyUser || hint == "" || len(hint) > 200 {
		return User{}, false
	}
	return madeUpUser(hint), true
}

// madeUpUser is the user AnyUser invents for an unknown login_hint.
func madeUpUser(name string) User {
	email := name + "@example.com"
	local := name
	if i := strings.LastIndexByte(name, '@'); i > 0 {
		email, local = name, name[:i]
	}
	r, size := utf8.DecodeRuneInString(local)
	display := string(unicode.ToUpper(r)) + local[size:]
	return User{Username: name, Claims: map[string]any{
		"sub": name, "email": email, "email_verified": true, "name": display,
	}}
}
