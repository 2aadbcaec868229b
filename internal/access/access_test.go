package access

import (
	"encoding/json"
	"strings"
	"testing"
)

// claimsOf returns a lookup of claims as the module reads them from a
// cookie: through JSON, numbers as json.Number.
func claimsOf(claims map[string]any) func(string) (any, bool) {
	raw, _ := json.Marshal(claims)
	decoded := func() map[string]any {
		m := map[string]any{}
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.UseNumber()
		if err := d.Decode(&m); err != nil || m == nil {
			return map[string]any{}
		}
		return m
	}()
	return func(name string) (any, bool) {
		v, ok := decoded[name]
		return v, ok
	}
}

func TestAllowRules(t *testing.T) {
	rules := &Rules{
		Email:       []string{"Alice@Example.com"},
		EmailDomain: []string{"example.org"},
		Claim:       map[string][]string{"groups": {"admins"}, "tier": {"gold"}, "level": {"3"}},
		Provider:    []string{"corp"},
	}
	for _, c := range []struct {
		name     string
		provider string
		claims   map[string]any
		want     bool
	}{
		{"exact email, any case", "g", map[string]any{"email": "alice@example.COM"}, true},
		{"other email", "g", map[string]any{"email": "mallory@example.com"}, false},
		{"domain", "g", map[string]any{"email": "bob@example.org"}, true},
		{"domain is not a suffix match", "g", map[string]any{"email": "eve@evilexample.org"}, false},
		{"subdomain is not the domain", "g", map[string]any{"email": "eve@mail.example.org"}, false},
		{"last @ decides", "g", map[string]any{"email": "eve@example.org@evil.com"}, false},
		{"unverified email does not match", "g", map[string]any{"email": "alice@example.com", "email_verified": false}, false},
		{"unverified as a string", "g", map[string]any{"email": "bob@example.org", "email_verified": "false"}, false},
		{"verified as 0 is not verified", "g", map[string]any{"email": "bob@example.org", "email_verified": json.Number("0")}, false},
		{"null is not verified", "g", map[string]any{"email": "bob@example.org", "email_verified": nil}, false},
		{"verified as the string true", "g", map[string]any{"email": "bob@example.org", "email_verified": "true"}, true},
		{"verified email matches", "g", map[string]any{"email": "alice@example.com", "email_verified": true}, true},
		{"unverified email, but a group rule matches", "g", map[string]any{"email": "x@y.z", "email_verified": false, "groups": []any{"admins"}}, true},
		{"group in list", "g", map[string]any{"groups": []any{"staff", "admins"}}, true},
		{"group prefix is not membership", "g", map[string]any{"groups": []any{"admins-readonly"}}, false},
		{"string claim equality", "g", map[string]any{"tier": "gold"}, true},
		{"string claim inequality", "g", map[string]any{"tier": "golden"}, false},
		{"number claim", "g", map[string]any{"level": float64(3)}, true},
		{"provider", "corp", map[string]any{}, true},
		{"nothing matches", "g", map[string]any{"email": "z@z.z", "groups": []any{"staff"}}, false},
	} {
		if got := rules.Admits(c.provider, claimsOf(c.claims)); got != c.want {
			t.Errorf("%s: admits = %v, want %v", c.name, got, c.want)
		}
	}
	var none *Rules
	if !none.Admits("g", claimsOf(nil)) {
		t.Error("no rules must admit every signed-in user")
	}
}

func TestAllowRulesCheck(t *testing.T) {
	for _, bad := range []*Rules{
		{Email: []string{"example.com"}},
		{EmailDomain: []string{"@example.com"}},
		{Claim: map[string][]string{"groups": nil}},
	} {
		if bad.Check() == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

func TestASCIIEqualFold(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"Kate@Example.COM", "kate@example.com", true},
		{"\u212Aate@example.com", "kate@example.com", false}, // Kelvin sign
		{"\u017Fam@example.com", "sam@example.com", false},   // long s
		{"kate@example.com", "kate@example.co", false},
		{"", "", true},
	} {
		if got := asciiEqualFold(c.a, c.b); got != c.want {
			t.Errorf("asciiEqualFold(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

type fakeSession struct {
	provider string
	claims   map[string]any
}

func (s *fakeSession) Claim(name string) (any, bool) {
	v, ok := s.claims[name]
	return v, ok
}

// The rules run on every request: passing the session's Claim method must
// not cost an allocation.
func TestAdmitsDoesNotAllocate(t *testing.T) {
	rules := &Rules{EmailDomain: []string{"example.org"}, Claim: map[string][]string{"groups": {"admins"}}}
	sess := &fakeSession{provider: "g", claims: map[string]any{"email": "bob@example.org", "groups": []any{"staff"}}}
	if n := testing.AllocsPerRun(100, func() { rules.Admits(sess.provider, sess.Claim) }); n != 0 {
		t.Errorf("%v allocations per check, want 0", n)
	}
}
