package flow

import (
	"context"
	"net/url"
)

// CheckAuthorizationResponse is the RFC 9207 mix-up defence, for the callback
// query q before its code goes anywhere. When q carries iss, it must equal
// the provider's metadata issuer exactly (a simple string comparison, no
// normalisation); when it carries none and the metadata says
// authorization_response_iss_parameter_supported, the response is refused.
// Refusals are ErrMixUp. It discovers the provider if needed (cached), so a
// discovery failure is the usual ErrUnavailable or ErrMisconfigured.
func (p *Provider) CheckAuthorizationResponse(ctx context.Context, q url.Values) error {
	d, err := p.discover(ctx)
	if err != nil {
		return err
	}
	want := d.md.Issuer
	if !q.Has("iss") {
		if d.md.IssParameter {
			return p.newError(ErrMixUp, nil, "the authorization response has no iss, though issuer %q always sends it", want)
		}
		return nil
	}
	if got := q.Get("iss"); got != want || len(q["iss"]) != 1 {
		return p.newError(ErrMixUp, nil, "the authorization response comes from issuer %q, not %q", printable(got, 200), want)
	}
	return nil
}

// IssParameterSupported tells, from the cached discovery only (no network),
// whether the provider's authorization responses always carry iss. known is
// false before discovery has succeeded.
func (p *Provider) IssParameterSupported() (supported, known bool) {
	d := p.ready.Load()
	if d == nil {
		return false, false
	}
	return d.md.IssParameter, true
}
