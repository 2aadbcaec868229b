package oidcauth

import (
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// An idle_timeout that cannot work fails `caddy validate`, naming the key.
func TestCaddyValidateRefusesIdleTimeoutsThatCannotWork(t *testing.T) {
	for _, c := range []struct{ name, line, want string }{
		{"too short", "idle_timeout 4s", "idle_timeout 4s is too short: at least 5s"},
		{"longer than cookie_max_age", "cookie_max_age 1h\n\t\tidle_timeout 2h", "idle_timeout 2h0m0s is longer than cookie_max_age 1h0m0s"},
		{"longer than the default cookie_max_age", "idle_timeout 31d", "idle_timeout 744h0m0s is longer than cookie_max_age"},
		{"negative", "idle_timeout -5m", "idle_timeout -5m0s is too short"},
		{"not a duration", "idle_timeout soon", `idle_timeout "soon"`},
		{"no value", "idle_timeout", "idle_timeout needs a value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := testsupport.Validate(t, "http://localhost:8501 {\n\toidc_auth {\n\t\tredirect_uri http://localhost:8501/oauth2callback\n\t\tcookie_secret 0123456789abcdef0123\n\t\tclient_id x\n\t\tserver_metadata_url http://127.0.0.1:1/.well-known/openid-configuration\n\t\t"+c.line+"\n\t}\n\trespond ok\n}\n")
			if err == nil {
				t.Fatal("validated")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
}

func TestCaddyValidateAcceptsIdleTimeoutUpToCookieMaxAge(t *testing.T) {
	for _, line := range []string{"idle_timeout 5s", "idle_timeout 30m", "cookie_max_age 8h\n\t\tidle_timeout 8h"} {
		err := testsupport.Validate(t, "http://localhost:8501 {\n\toidc_auth {\n\t\tredirect_uri http://localhost:8501/oauth2callback\n\t\tcookie_secret 0123456789abcdef0123\n\t\tclient_id x\n\t\tserver_metadata_url http://127.0.0.1:1/.well-known/openid-configuration\n\t\t"+line+"\n\t}\n\trespond ok\n}\n")
		if err != nil {
			t.Errorf("%q: %v", line, err)
		}
	}
}
