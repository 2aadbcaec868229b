package devprovider

import (
	"slices"
	"testing"
)

func TestDiscoveryDocument(t *testing.T) {
	p := startProvider(t, nil)
	md := metadata(t, p)
	iss := p.Issuer()
	for key, want := range map[string]string{
		"issuer":                 iss,
		"authorization_endpoint": iss + "/authorize",
		"token_endpoint":         iss + "/token",
		"userinfo_endpoint":      iss + "/userinfo",
		"jwks_uri":               iss + "/jwks",
		"end_session_endpoint":   iss + "/end_session",
	} {
		if md[key] != want {
			t.Errorf("%s = %v, want %s", key, md[key], want)
		}
	}
	for key, want := range map[string][]string{
		"response_types_supported":              {"code"},
		"id_token_signing_alg_values_supported": {"RS256", "ES256"},
		"code_challenge_methods_supported":      {"S256"},
		"token_endpoint_auth_methods_supported": {"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"},
	} {
		if got := stringList(md[key]); !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	for _, want := range []string{"openid", "profile", "email"} {
		if !slices.Contains(stringList(md["scopes_supported"]), want) {
			t.Errorf("scopes_supported lacks %s", want)
		}
	}
	for _, want := range []string{"sub", "email", "name", "groups", "sid"} {
		if !slices.Contains(stringList(md["claims_supported"]), want) {
			t.Errorf("claims_supported lacks %s", want)
		}
	}
	if md["backchannel_logout_supported"] != true {
		t.Error("backchannel_logout_supported not true")
	}
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
