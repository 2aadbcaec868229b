package oidcauth

import (
	"net/url"
	"strings"
	"testing"
)

func TestLoginHintOfKeepsOnlyCleanBoundedHints(t *testing.T) {
	for hint, want := range map[string]string{
		"bob@example.org":        "bob@example.org",
		"Zoë":                    "Zoë",
		strings.Repeat("a", 256): strings.Repeat("a", 256),
		strings.Repeat("a", 257): "",
		"bob\n":                  "",
		"bob\x00":                "",
		"bob\u2028x":             "bob\u2028x", // a line separator is not a control character; it is only passed on, URL-encoded
		"\xff":                   "",
		"bob\u0085":              "",
	} {
		if got := loginHintOf(url.Values{"login_hint": {hint}}); got != want {
			t.Errorf("loginHintOf(%q) = %q, want %q", hint, got, want)
		}
	}
}

func TestWithLoginHint(t *testing.T) {
	if got := withLoginHint("/auth/login?provider=a", "b@x&y"); got != "/auth/login?provider=a&login_hint=b%40x%26y" {
		t.Errorf("got %q", got)
	}
	if got := withLoginHint("/auth/login", ""); got != "/auth/login" {
		t.Errorf("got %q", got)
	}
}
