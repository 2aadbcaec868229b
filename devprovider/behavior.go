package devprovider

import (
	"net/http"
	"time"
)

// Behavior makes the provider misbehave on purpose, so that a relying party can be tested
// against the ways real providers go wrong. The zero Behavior is a correct provider.
type Behavior struct {
	// Alg signs ID and logout tokens: "RS256" (default), "ES256", "none" (unsigned) or
	// "HS256" (HMAC keyed with the client secret). Any other value makes signing fail.
	Alg            string
	BreakSignature bool // flip bits in the signature
	OmitKid        bool // no "kid" in the token header
	// TamperClaims edits the ID-token claims just before signing (delete "sub", set
	// "nonce", "aud"...).
	TamperClaims func(claims map[string]any)
	// MetadataIssuer is advertised as "issuer" in discovery instead of the real one (mix-up).
	MetadataIssuer  string
	GarbageMetadata bool          // discovery answers 200 with invalid JSON
	Down            bool          // every endpoint answers 503
	Delay           time.Duration // every endpoint waits this long first (until the request is cancelled)
	// AuthorizeError makes /authorize redirect back with error=<this>, error_description and state.
	AuthorizeError string
	// PromptValuesSupported is advertised as prompt_values_supported when set.
	PromptValuesSupported []string
	// RejectPrompt makes /authorize answer error=invalid_request, "unsupported prompt
	// value", when the request's prompt holds this value.
	RejectPrompt string
	// ExtraJWKS are published after the real keys (e.g. {"kty":"OKP-unknown"}); clients
	// must ignore what they cannot use.
	ExtraJWKS []map[string]any
	// MinimalIDToken: the ID token carries only iss, sub, aud, exp, iat and nonce; profile
	// and email claims are only at userinfo.
	MinimalIDToken bool
	UserinfoSub    string // userinfo answers this sub instead of the user's
	// AuthMethods is token_endpoint_auth_methods_supported, and the token endpoint accepts
	// only these; default ["client_secret_basic", "client_secret_post",
	// "client_secret_jwt", "private_key_jwt"].
	AuthMethods  []string
	NoEndSession bool // omit end_session_endpoint from discovery
	// AuthTimeAge makes sign-ins claim (auth_time) that the user authenticated this long
	// before: a session older than a relying party's max_age.
	AuthTimeAge time.Duration
	// OmitAuthTime leaves auth_time out of ID tokens, even when max_age asks for it.
	OmitAuthTime bool
}

// gate applies Delay and Down before any endpoint answers. It reports whether the
// endpoint should go on.
func (b *Behavior) gate(w http.ResponseWriter, r *http.Request) bool {
	if b.Delay > 0 {
		t := time.NewTimer(b.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false
		}
	}
	if b.Down {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "devprovider: down on purpose (Behavior.Down)", http.StatusServiceUnavailable)
		return false
	}
	return true
}

func (b *Behavior) authMethods() []string {
	if len(b.AuthMethods) > 0 {
		return b.AuthMethods
	}
	return []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"}
}

func (b *Behavior) allowsAuthMethod(m string) bool {
	for _, x := range b.authMethods() {
		if x == m {
			return true
		}
	}
	return false
}

func (b *Behavior) alg() string {
	if b.Alg == "" {
		return "RS256"
	}
	return b.Alg
}
