package flow

import (
	"net/url"
	"strings"
	"unicode"
)

// CallbackError is the provider's error redirect (RFC 6749 section 4.1.2.1):
// the user cancelled (access_denied), the provider refused a parameter, etc.
// Code and Description come from the query string, so they are attacker
// controlled: clipped, control characters dropped; escape them when shown.
type CallbackError struct{ Code, Description string }

func (e *CallbackError) Error() string {
	if e.Description == "" {
		return "the provider refused the sign-in: " + e.Code
	}
	return "the provider refused the sign-in: " + e.Code + ": " + e.Description
}

// CallbackErrorFrom returns the provider's error on the callback query, or nil
// when q has no "error".
func CallbackErrorFrom(q url.Values) *CallbackError {
	if !q.Has("error") {
		return nil
	}
	code := printable(q.Get("error"), 64)
	if code == "" {
		code = "unknown_error"
	}
	return &CallbackError{Code: code, Description: printable(q.Get("error_description"), 300)}
}

// PromptRefused tells a refusal of the prompt value (typically invalid_request
// with "unsupported prompt value", as providers that only know login, consent
// and none answer select_account): start the sign-in once more without the
// default prompt.
func (e *CallbackError) PromptRefused() bool {
	if e == nil {
		return false
	}
	code := strings.ToLower(e.Code)
	desc := strings.ToLower(e.Description)
	if strings.Contains(code, "prompt") {
		return true
	}
	return code == "invalid_request" && strings.Contains(desc, "prompt")
}

// printable drops control characters and clips s to at most n runes.
func printable(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if n == 0 {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			continue
		}
		b.WriteRune(r)
		n--
	}
	return strings.TrimSpace(b.String())
}
