package devprovider

import (
	"encoding/json"
	"testing"
	"time"
)

// authTimeOf signs alice in (with extra authorization parameters) and returns
// the auth_time of her ID token, and whether it has one.
func authTimeOf(t *testing.T, p *Provider, extra ...string) (time.Time, bool) {
	t.Helper()
	st, m := tokenCall(t, p, codeForm(codeFor(t, p, extra...)), false)
	if st != 200 {
		t.Fatalf("token: %d %v", st, m)
	}
	raw, _ := m["id_token"].(string)
	claims := rawClaims(t, raw)
	v, ok := claims["auth_time"]
	if !ok {
		return time.Time{}, false
	}
	n, _ := v.(json.Number)
	if f, isFloat := v.(float64); isFloat {
		return time.Unix(int64(f), 0), true
	}
	secs, _ := n.Int64()
	return time.Unix(secs, 0), true
}

// auth_time is when the user signed in, or as long ago as AuthTimeAge says;
// OmitAuthTime leaves it out; a minimal ID token still carries it when the
// request asked for max_age (OpenID Connect Core 3.1.2.1).
func TestAuthTimeKnobs(t *testing.T) {
	p := startProvider(t, nil)
	before := time.Now().Add(-time.Second)
	if at, ok := authTimeOf(t, p); !ok || at.Before(before.Truncate(time.Second)) || at.After(time.Now()) {
		t.Errorf("auth_time %v (present %v), want about now", at, ok)
	}
	p.SetBehavior(Behavior{AuthTimeAge: time.Hour})
	if at, ok := authTimeOf(t, p); !ok || time.Since(at) < time.Hour-time.Minute || time.Since(at) > time.Hour+time.Minute {
		t.Errorf("with AuthTimeAge 1h: auth_time %v (present %v)", at, ok)
	}
	p.SetBehavior(Behavior{OmitAuthTime: true})
	if _, ok := authTimeOf(t, p, "max_age", "60"); ok {
		t.Error("OmitAuthTime sent auth_time")
	}
	p.SetBehavior(Behavior{MinimalIDToken: true})
	if _, ok := authTimeOf(t, p); ok {
		t.Error("a minimal ID token without max_age carries auth_time")
	}
	if _, ok := authTimeOf(t, p, "max_age", "60"); !ok {
		t.Error("a minimal ID token for a request with max_age lacks auth_time")
	}
}
