package flow

import (
	"errors"
	"strings"
	"testing"
)

func TestErrorsNameProviderAndClass(t *testing.T) {
	p := bareProvider(Config{Name: "okta"})
	cause := errors.New("connection refused")
	err := p.newError(ErrUnavailable, cause, "cannot fetch metadata from %s", "https://x")
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("class wrong: %v", err)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause should stay reachable with errors.Is")
	}
	want := `oidc provider "okta": cannot fetch metadata from https://x: connection refused`
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	refused := p.newError(ErrCodeRefused, nil, "token endpoint refused the code")
	if !errors.Is(refused, ErrCodeRefused) || !errors.Is(refused, ErrInvalidToken) || errors.Is(refused, ErrUnavailable) {
		t.Error("ErrCodeRefused must match itself and ErrInvalidToken only")
	}
	if errors.Is(p.newError(ErrInvalidToken, nil, "bad"), ErrCodeRefused) {
		t.Error("a plain ErrInvalidToken is not ErrCodeRefused")
	}
	if strings.Contains(p.newError(ErrInvalidToken, nil, "bad").Error(), "<nil>") {
		t.Error("a nil cause must not print")
	}
}
