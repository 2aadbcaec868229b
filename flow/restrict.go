package flow

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// restrictions are what client_kwargs asks the provider for that the ID token
// must then prove: asking alone is not enough, since the user can edit the
// authorization URL (strip hd=, max_age=...) before the provider sees it.
type restrictions struct {
	hd     string        // Google's hosted domain; "*": any hosted domain
	maxAge time.Duration // max_age; < 0: none asked
	acr    []string      // acr_values, any one of them
}

// parseRestrictions reads hd, max_age and acr_values from client_kwargs.
func parseRestrictions(params map[string]string) (restrictions, error) {
	r := restrictions{hd: params["hd"], maxAge: -1, acr: strings.Fields(params["acr_values"])}
	if s, ok := params["max_age"]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n < 0 || n > int64(100*365*24*time.Hour/time.Second) {
			return r, fmt.Errorf("client_kwargs max_age %q must be a whole number of seconds", s)
		}
		r.maxAge = time.Duration(n) * time.Second
	}
	if _, ok := params["acr_values"]; ok && len(r.acr) == 0 {
		return r, fmt.Errorf("client_kwargs acr_values is empty")
	}
	return r, nil
}

// checkRestrictions refuses an ID token that does not meet what client_kwargs
// asked for. At sign-in every restriction applies; on a refresh (signIn
// false) max_age does not (a refreshed token keeps the first auth_time) and
// hd and acr are checked only when the token carries them, since the
// sign-in already proved them.
func (p *Provider) checkRestrictions(claims map[string]any, signIn bool) error {
	r := p.restrict
	if r.hd != "" {
		hd, present := claims["hd"]
		got, _ := hd.(string)
		switch {
		case !present && !signIn:
		case r.hd == "*" && got == "":
			return p.newError(ErrRestricted, nil, "ID token has no hd, though client_kwargs asks for a hosted domain (hd *)")
		case r.hd != "*" && got != r.hd:
			return p.newError(ErrRestricted, nil, "ID token hd %q is not %q from client_kwargs", printable(got, 100), r.hd)
		}
	}
	if len(r.acr) > 0 {
		acr, present := claims["acr"]
		got, _ := acr.(string)
		switch {
		case !present && !signIn:
		case !present:
			return p.newError(ErrRestricted, nil, "ID token has no acr, though client_kwargs asks for acr_values %q", strings.Join(r.acr, " "))
		case !slices.Contains(r.acr, got):
			return p.newError(ErrRestricted, nil, "ID token acr %q is not one of acr_values %q from client_kwargs", printable(got, 100), strings.Join(r.acr, " "))
		}
	}
	if r.maxAge >= 0 && signIn {
		at, ok := numericDate(claims["auth_time"])
		if !ok {
			return p.newError(ErrRestricted, nil, "ID token has no auth_time, though client_kwargs asks for max_age (OpenID Connect Core 3.1.2.1)")
		}
		if age := p.now().Sub(at); age > r.maxAge+iatLeeway {
			return p.newError(ErrRestricted, nil, "the user signed in at the provider %s ago (auth_time %s), longer than max_age %s",
				age.Round(time.Second), at.UTC().Format(time.RFC3339), r.maxAge)
		}
	}
	return nil
}

// numericDate reads a JWT NumericDate (seconds since the epoch, maybe with a
// fraction) as decodeObject leaves it.
func numericDate(v any) (time.Time, bool) {
	var f float64
	switch n := v.(type) {
	case json.Number:
		x, err := n.Float64()
		if err != nil {
			return time.Time{}, false
		}
		f = x
	case float64:
		f = n
	default:
		return time.Time{}, false
	}
	if f <= 0 || f > 1e11 {
		return time.Time{}, false
	}
	return time.Unix(0, 0).Add(time.Duration(f * float64(time.Second))), true
}
