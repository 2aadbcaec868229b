package flow

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// maxBody caps what we read from any provider endpoint: metadata, keys and
// userinfo are a few kilobytes; a megabyte is generous and bounds memory.
const maxBody = 1 << 20

// httpStatusError is a non-200 answer. Its text is only the status code.
type httpStatusError struct{ code int }

func (e *httpStatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.code, http.StatusText(e.code))
}

// getJSON GETs url (with a bearer token when given) and returns the body of a
// 200 answer. Network failures and statuses come back as errors whose text
// holds no body, so nothing the provider echoes ends up in a log.
func (p *Provider) getJSON(ctx context.Context, url, bearer string) (body []byte, contentType string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		return nil, "", &httpStatusError{code: resp.StatusCode}
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, "", err
	}
	if len(body) > maxBody {
		return nil, "", fmt.Errorf("answer larger than %d bytes", maxBody)
	}
	return body, resp.Header.Get("Content-Type"), nil
}
