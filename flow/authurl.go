package flow

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/url"
	"slices"

	"golang.org/x/oauth2"
)

// AuthRequest is the per-sign-in secret state: it goes into the login-state
// cookie when the sign-in starts and comes back for Exchange.
type AuthRequest struct {
	State, Nonce, Verifier string // fresh random each sign-in
	OmitDefaultPrompt      bool   // send no default prompt (the retry after a provider refused it)
	// LoginHint is who the site asks to sign in (login_hint); a
	// login_hint in client_kwargs wins over it. The caller bounds it.
	LoginHint string
}

// NewAuthRequest returns fresh random values: state and nonce of 32 random
// bytes, and a PKCE verifier of 43 characters (RFC 7636), all base64url.
func NewAuthRequest() AuthRequest {
	return AuthRequest{State: randomString(), Nonce: randomString(), Verifier: randomString()}
}

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand aborts the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// check refuses an AuthRequest that was not made by NewAuthRequest (or came
// back from a cookie mangled): too short to be unguessable.
func (r AuthRequest) check() error {
	if len(r.State) < 16 || len(r.Nonce) < 16 {
		return errors.New("state and nonce must be at least 16 characters")
	}
	if len(r.Verifier) < 43 || len(r.Verifier) > 128 {
		return errors.New("PKCE verifier must be 43 to 128 characters")
	}
	return nil
}

// AuthCodeURL discovers the provider on first use (cached) and returns the
// URL to send the browser to: response_type=code, client_id, redirect_uri,
// scope, state, nonce and an S256 PKCE challenge, plus client_kwargs. The
// default prompt (select_account) is sent only where the provider's
// prompt_values_supported allows it or is absent, and not when
// req.OmitDefaultPrompt; a prompt in client_kwargs is always sent as given.
// sentDefaultPrompt says whether the default prompt went out, so a caller can
// retry once without it if the provider refuses it anyway.
func (p *Provider) AuthCodeURL(ctx context.Context, req AuthRequest) (authURL string, sentDefaultPrompt bool, err error) {
	if err := req.check(); err != nil {
		return "", false, p.newError(ErrInvalidToken, err, "bad sign-in request")
	}
	d, err := p.discover(ctx)
	if err != nil {
		return "", false, err
	}
	u, err := url.Parse(d.md.AuthorizationEndpoint)
	if err != nil {
		return "", false, p.newError(ErrMisconfigured, nil, "authorization_endpoint is not a valid URL")
	}
	q := u.Query() // keep the endpoint's own parameters
	for k, v := range p.cfg.Params {
		if !reservedParams[k] && k != "scope" && k != "prompt" {
			q.Set(k, v)
		}
	}
	if _, fixed := p.cfg.Params["login_hint"]; req.LoginHint != "" && !fixed {
		q.Set("login_hint", req.LoginHint)
	}
	q.Set("response_type", "code")
	q.Set("client_id", p.cfg.ClientID)
	q.Set("redirect_uri", p.cfg.RedirectURL)
	q.Set("scope", p.scope)
	q.Set("state", req.State)
	q.Set("nonce", req.Nonce)
	q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(req.Verifier))
	q.Set("code_challenge_method", "S256")
	if prompt, ok := p.cfg.Params["prompt"]; ok {
		if prompt != "" {
			q.Set("prompt", prompt) // the site asked for it: always as given
		} else {
			q.Del("prompt")
		}
	} else if !req.OmitDefaultPrompt && promptAllowed(d.md.PromptValues, DefaultPrompt) {
		q.Set("prompt", DefaultPrompt)
		sentDefaultPrompt = true
	}
	u.RawQuery = q.Encode()
	return u.String(), sentDefaultPrompt, nil
}

// promptAllowed: the provider lists the value, or does not list any.
func promptAllowed(supported *[]string, value string) bool {
	return supported == nil || slices.Contains(*supported, value)
}
