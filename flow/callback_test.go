package flow

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
)

func TestCallbackErrorFrom(t *testing.T) {
	if e := CallbackErrorFrom(url.Values{"code": {"abc"}, "state": {"s"}}); e != nil {
		t.Fatalf("a successful callback gave %v", e)
	}
	e := CallbackErrorFrom(url.Values{"error": {"access_denied"}, "error_description": {"The user cancelled"}})
	if e == nil || e.Code != "access_denied" || e.Description != "The user cancelled" {
		t.Fatalf("got %#v", e)
	}
	if !strings.Contains(e.Error(), "access_denied") || !strings.Contains(e.Error(), "The user cancelled") {
		t.Errorf("message %q should say what the provider said", e.Error())
	}
	if e.PromptRefused() {
		t.Error("access_denied is not a prompt refusal")
	}

	// Attacker-controlled text is cleaned and clipped.
	e = CallbackErrorFrom(url.Values{"error": {"bad\r\ncode"}, "error_description": {strings.Repeat("x", 5000) + "\x00"}})
	if e.Code != "badcode" {
		t.Errorf("Code = %q, want control characters dropped", e.Code)
	}
	if len(e.Description) > 400 || strings.ContainsRune(e.Description, 0) {
		t.Errorf("Description not clipped/cleaned: %d bytes", len(e.Description))
	}
	// An empty error value still is an error.
	if e := CallbackErrorFrom(url.Values{"error": {""}}); e == nil || e.Code == "" {
		t.Errorf("empty error= gave %#v", e)
	}
}

func TestPromptRefused(t *testing.T) {
	for _, c := range []struct {
		code, desc string
		want       bool
	}{
		{"invalid_request", "unsupported prompt value", true},
		{"invalid_request", "Invalid parameter: prompt", true},
		{"invalid_request", "missing redirect_uri", false},
		{"unsupported_prompt_value", "", true},
		{"access_denied", "prompt", false},
		{"login_required", "", false},
	} {
		e := &CallbackError{Code: c.code, Description: c.desc}
		if got := e.PromptRefused(); got != c.want {
			t.Errorf("%q/%q: PromptRefused = %v, want %v", c.code, c.desc, got, c.want)
		}
	}
	var nilErr *CallbackError
	if nilErr.PromptRefused() {
		t.Error("nil CallbackError must not report a refusal")
	}
}

// FuzzCallbackQuery: any callback query string is handled without a panic,
// and what comes back is printable.
func FuzzCallbackQuery(f *testing.F) {
	for _, s := range []string{"", "error=access_denied", "error=invalid_request&error_description=unsupported+prompt+value", "error=%00%ff&error_description=%0d%0a", "code=x&state=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		q, _ := url.ParseQuery(rawQuery)
		e := CallbackErrorFrom(q)
		if e == nil {
			if q.Has("error") {
				t.Fatalf("%q has an error but gave nil", rawQuery)
			}
			return
		}
		_ = e.PromptRefused()
		for _, r := range e.Error() {
			if unicode.IsControl(r) {
				t.Fatalf("message for %q holds a control character", rawQuery)
			}
		}
	})
}
