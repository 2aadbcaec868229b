package oidcauth

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// /auth/login?login_hint=...: an app says who should sign in, and the
// provider's sign-in page starts with that account. The value is request
// input, often an email address: it is bounded, passed on only when clean,
// and never logged. A login_hint set in client_kwargs is the site's own
// choice and wins.

// maxLoginHint bounds a login_hint, in bytes: room for any email address
// (254) or user name, not for a payload.
const maxLoginHint = 256

// loginHintOf is the login_hint q asks for, or "" when it is missing, too
// long, not UTF-8 or holds control characters: such a hint is dropped and
// the sign-in goes on without it, as an unsafe return_to is.
func loginHintOf(q url.Values) string {
	hint := q.Get("login_hint")
	if hint == "" || len(hint) > maxLoginHint || !utf8.ValidString(hint) {
		return ""
	}
	if strings.IndexFunc(hint, unicode.IsControl) >= 0 {
		return ""
	}
	return hint
}

// withLoginHint is the sign-in link href carrying hint, when there is one.
func withLoginHint(href, hint string) string {
	if hint == "" {
		return href
	}
	sep := "?"
	if strings.Contains(href, "?") {
		sep = "&"
	}
	return href + sep + url.Values{"login_hint": {hint}}.Encode()
}
