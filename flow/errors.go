package flow

import (
	"errors"
	"fmt"
)

// Error classes. Every error this package returns from a Provider method
// matches exactly one of them with errors.Is (CallbackError aside), so a
// handler can pick the status code without reading messages.
var (
	// ErrUnavailable: the provider could not be reached, timed out, answered
	// 5xx or sent metadata/keys that cannot be read, or discovery is in its
	// retry backoff. Worth a 502/503 page; a later request may succeed.
	ErrUnavailable = errors.New("identity provider unavailable")

	// ErrMisconfigured: the provider and this configuration do not fit
	// together (issuer mix-up, wrong client credentials, no usable signing
	// algorithm). Worth a 502 page naming the provider; retrying won't help.
	ErrMisconfigured = errors.New("identity provider misconfigured")

	// ErrInvalidToken: an ID token or logout token failed verification, or the
	// token endpoint refused the authorization code.
	ErrInvalidToken = errors.New("invalid token")

	// ErrCodeRefused narrows ErrInvalidToken (errors.Is matches both): the
	// callback itself cannot be used — the token endpoint refused the code
	// (replayed, expired, PKCE mismatch) or there was no code. The user's
	// request is at fault, not the provider: worth a 400 and a fresh sign-in.
	ErrCodeRefused = fmt.Errorf("%w: authorization code refused", ErrInvalidToken)

	// ErrRestricted narrows ErrInvalidToken (errors.Is matches both): a valid
	// ID token that does not meet what client_kwargs restricts (hd, max_age,
	// acr_values): the user may sign in with another account, or afresh.
	ErrRestricted = fmt.Errorf("%w: sign-in does not meet the site's restrictions", ErrInvalidToken)

	// ErrMixUp: the authorization response names another issuer than the
	// provider the sign-in was started with, or carries no iss where the
	// provider promises one (RFC 9207). The callback is not to be trusted:
	// worth a 400, and its code must go nowhere.
	ErrMixUp = errors.New("authorization response from another issuer (possible mix-up attack)")

	// ErrClosed narrows ErrUnavailable (errors.Is matches both): the
	// provider was closed, because the configuration that built it was
	// unloaded. Only requests still running on the old configuration see it.
	ErrClosed = fmt.Errorf("%w: provider closed", ErrUnavailable)

	// ErrRefreshRefused: the provider no longer accepts the refresh token
	// (invalid_grant and the like); the user must sign in again.
	ErrRefreshRefused = errors.New("refresh token refused")
)

// flowError carries the provider's name, the error class and a cause. Its
// message is built only from text this package chose, plus causes that are
// known to be free of tokens and secrets.
type flowError struct {
	provider string
	class    error
	msg      string
	cause    error
}

func (e *flowError) Error() string {
	s := fmt.Sprintf("oidc provider %q: %s", e.provider, e.msg)
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

// Is makes errors.Is(err, ErrUnavailable) and friends work; a narrower class
// (ErrCodeRefused) also matches the class it wraps.
func (e *flowError) Is(target error) bool {
	return errors.Is(e.class, target)
}

func (e *flowError) Unwrap() error { return e.cause }

// newError builds a classified error for provider p.
func (p *Provider) newError(class error, cause error, format string, args ...any) error {
	return &flowError{provider: p.cfg.Name, class: class, msg: fmt.Sprintf(format, args...), cause: cause}
}
