package devprovider

import (
	"testing"
)

// With IssParameter the provider says so in discovery and names itself in
// every authorization response, success and error; without, it does neither.
func TestIssParameterOnEveryAuthorizationResponse(t *testing.T) {
	p := startProvider(t, func(c *Config) { c.IssParameter = true })
	if md := metadata(t, p); md["authorization_response_iss_parameter_supported"] != true {
		t.Errorf("authorization_response_iss_parameter_supported = %v, want true", md["authorization_response_iss_parameter_supported"])
	}
	ok := get(t, p.Issuer()+"/authorize?"+authParams("login_hint", "alice").Encode()).query(t)
	if ok.Get("code") == "" || ok.Get("iss") != p.Issuer() {
		t.Errorf("success response %v should carry code and iss=%s", ok, p.Issuer())
	}
	refused := get(t, p.Issuer()+"/authorize?"+authParams("login_hint", "alice", "response_type", "token").Encode()).query(t)
	if refused.Get("error") == "" || refused.Get("iss") != p.Issuer() {
		t.Errorf("error response %v should carry error and iss=%s", refused, p.Issuer())
	}

	plain := startProvider(t, nil)
	if _, says := metadata(t, plain)["authorization_response_iss_parameter_supported"]; says {
		t.Error("a provider without IssParameter advertises it")
	}
	if q := get(t, plain.Issuer()+"/authorize?"+authParams("login_hint", "alice").Encode()).query(t); q.Has("iss") {
		t.Errorf("a provider without IssParameter sent iss: %v", q)
	}
}
