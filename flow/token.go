package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// tokenResponse is the token endpoint's answer (RFC 6749 5.1 and 5.2,
// OpenID Connect Core 3.1.3.3), decoded once: x/oauth2 decoded it twice, the
// second time into a map only to find id_token in it.
type tokenResponse struct {
	AccessToken      string    `json:"access_token"`
	TokenType        string    `json:"token_type"`
	RefreshToken     string    `json:"refresh_token"`
	IDToken          string    `json:"id_token"`
	ExpiresIn        expiresIn `json:"expires_in"`
	Error            string    `json:"error"`
	ErrorDescription string    `json:"error_description"`

	Expiry time.Time `json:"-"` // from ExpiresIn; zero when the provider did not say
}

// expiresIn is expires_in in seconds: a number, or a numeric string as some
// providers send it; beyond 2^31-1 it is 2^31-1, as x/oauth2 had it.
type expiresIn int64

func (e *expiresIn) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	i, err := n.Int64()
	if err != nil {
		return err
	}
	*e = expiresIn(min(i, math.MaxInt32))
	return nil
}

// tokenEndpointError is the token endpoint's refusal: an error status, or
// an error code in a 200 answer, as some providers send.
type tokenEndpointError struct {
	status            int
	code, description string
}

func (e *tokenEndpointError) Error() string {
	return fmt.Sprintf("token endpoint: HTTP %d, error %q", e.status, e.code)
}

// maxTokenResponse bounds what is read of a token response.
const maxTokenResponse = 1 << 20

// requestTokens posts form (the grant) to the token endpoint, authenticating
// the client as d.authMethod says, and returns the answer.
func (p *Provider) requestTokens(ctx context.Context, d *discovered, form url.Values) (*tokenResponse, error) {
	secret, inHeader := p.clientCredentials(d.authMethod)
	if !inHeader {
		form.Set("client_id", p.cfg.ClientID)
		if secret != "" {
			form.Set("client_secret", secret)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.md.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if inHeader {
		// RFC 6749 2.3.1: both form-encoded before the Basic encoding.
		req.SetBasicAuth(url.QueryEscape(p.cfg.ClientID), url.QueryEscape(secret))
	}
	resp, err := p.tokenClient(d).Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("reading the token response: %w", err)
	}
	failed := resp.StatusCode < 200 || resp.StatusCode > 299
	tr, err := parseTokenResponse(resp.Header.Get("Content-Type"), body)
	switch {
	case err != nil && failed:
		return nil, &tokenEndpointError{status: resp.StatusCode}
	case err != nil:
		return nil, err
	case failed || tr.Error != "":
		return nil, &tokenEndpointError{status: resp.StatusCode, code: tr.Error, description: tr.ErrorDescription}
	case tr.AccessToken == "":
		return nil, errors.New("the token response has no access_token")
	}
	if tr.ExpiresIn > 0 {
		tr.Expiry = time.Now().Add(time.Duration(tr.ExpiresIn) * time.Second)
	}
	return tr, nil
}

// parseTokenResponse reads a token response: JSON, or a form for providers
// that answer with one (application/x-www-form-urlencoded or text/plain).
func parseTokenResponse(contentType string, body []byte) (*tokenResponse, error) {
	tr := &tokenResponse{}
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" || mt == "text/plain" {
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("the token response is not a form: %w", err)
		}
		n, _ := strconv.Atoi(v.Get("expires_in"))
		*tr = tokenResponse{AccessToken: v.Get("access_token"), TokenType: v.Get("token_type"),
			RefreshToken: v.Get("refresh_token"), IDToken: v.Get("id_token"), ExpiresIn: expiresIn(n),
			Error: v.Get("error"), ErrorDescription: v.Get("error_description")}
		return tr, nil
	}
	if err := json.Unmarshal(body, tr); err != nil {
		return nil, fmt.Errorf("the token response is not JSON: %w", err)
	}
	return tr, nil
}
