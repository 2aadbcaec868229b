package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/caddy-oidc-auth/oidcauth/internal/claims"
)

// Rules admit a signed-in user when any one rule matches. Without rules
// every signed-in user is admitted. They are the `allow` of the JSON config
// (the module's AllowRules).
type Rules struct {
	// Exact email addresses, compared case-insensitively in ASCII only (the
	// Kelvin sign is not a k).
	Email []string `json:"email,omitempty"`
	// Email domains: the part after the last "@", compared exactly
	// (evilexample.com is not example.com), case-insensitively in ASCII only.
	EmailDomain []string `json:"email_domain,omitempty"`
	// Claim values: the claim equals one of the values, or a list claim
	// (groups, roles) contains one of them exactly.
	Claim map[string][]string `json:"claim,omitempty"`
	// Provider names the user signed in with.
	Provider []string `json:"provider,omitempty"`
}

func (a *Rules) empty() bool {
	return a == nil || (len(a.Email) == 0 && len(a.EmailDomain) == 0 && len(a.Claim) == 0 && len(a.Provider) == 0)
}

// Check refuses rules that can never match as written.
func (a *Rules) Check() error {
	if a == nil {
		return nil
	}
	for _, e := range a.Email {
		if !strings.Contains(e, "@") {
			return fmt.Errorf("allow: email %q is not an email address (for a whole domain use email_domain)", e)
		}
	}
	for _, d := range a.EmailDomain {
		if d == "" || strings.Contains(d, "@") {
			return fmt.Errorf("allow: email_domain %q must be a domain such as example.com", d)
		}
	}
	for name, vals := range a.Claim {
		if name == "" || len(vals) == 0 {
			return fmt.Errorf("allow: claim needs a claim name and at least one value")
		}
	}
	return nil
}

// ClaimNames lists the claims the rules read, so a `claims` filter keeps them.
func (a *Rules) ClaimNames() []string {
	if a.empty() {
		return nil
	}
	var names []string
	if len(a.Email) > 0 || len(a.EmailDomain) > 0 {
		names = append(names, "email", "email_verified")
	}
	for name := range a.Claim {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Admits reports whether the rules let in a user signed in with provider.
// claim looks up one claim; it is called only for the claims a rule reads,
// so a site without rules or admitted by provider reads none. It does not
// escape, so passing a method value such as sess.Claim costs no allocation.
func (a *Rules) Admits(provider string, claim func(name string) (any, bool)) bool {
	if a.empty() {
		return true
	}
	for _, p := range a.Provider {
		if provider == p {
			return true
		}
	}
	if email, ok := verifiedEmail(claim); ok {
		for _, e := range a.Email {
			if asciiEqualFold(email, e) {
				return true
			}
		}
		if at := strings.LastIndexByte(email, '@'); at >= 0 {
			domain := email[at+1:]
			for _, d := range a.EmailDomain {
				if asciiEqualFold(domain, d) {
					return true
				}
			}
		}
	}
	for name, want := range a.Claim {
		if v, _ := claim(name); claimHasAny(v, want) {
			return true
		}
	}
	return false
}

// verifiedEmail returns the user's email unless the provider says anything
// but "verified": a provider that lets users type any address must not let
// them in by that address alone, and only true (or the string "true", as
// some providers send it) means verified; false, "false", 0, "0", "no",
// null... do not. A provider that says nothing (many omit email_verified) is
// trusted for the address it vouches for.
func verifiedEmail(claim func(string) (any, bool)) (string, bool) {
	e, _ := claim("email")
	email, _ := e.(string)
	if email == "" {
		return "", false
	}
	v, present := claim("email_verified")
	if !present {
		return email, true
	}
	switch v := v.(type) {
	case bool:
		return email, v
	case string:
		return email, asciiEqualFold(v, "true")
	}
	return email, false
}

// asciiEqualFold is strings.EqualFold for ASCII letters only: other
// characters must be identical, so no Unicode folding (U+212A KELVIN SIGN
// folds to k, U+017F LONG S to s) lets an address match one it is not.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// claimHasAny: the claim equals one of want, or (a list) contains one exactly.
func claimHasAny(claim any, want []string) bool {
	switch c := claim.(type) {
	case []any:
		for _, e := range c {
			if claimHasAny(e, want) {
				return true
			}
		}
	case nil:
		return false
	default:
		s := claims.String(c)
		for _, w := range want {
			if s == w {
				return true
			}
		}
	}
	return false
}
