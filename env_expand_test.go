package oidcauth

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// everyKeyFromEnv is a JSON config with {env.*} in every string value, at
// the top level, for the default provider and for a named one.
const everyKeyFromEnv = `{
	"secrets_file": "{env.OIDCAUTH_T}/secrets_file",
	"redirect_uri": "{env.OIDCAUTH_T}/redirect_uri",
	"cookie_secret": "{env.OIDCAUTH_T}/cookie_secret",
	"previous_cookie_secrets": ["{env.OIDCAUTH_T}/previous_cookie_secrets"],
	"client_id": "{env.OIDCAUTH_T}/client_id",
	"client_secret": "{env.OIDCAUTH_T}/client_secret",
	"server_metadata_url": "{env.OIDCAUTH_T}/server_metadata_url",
	"client_kwargs": {"hd": "{env.OIDCAUTH_T}/client_kwargs"},
	"logout_params": {"logout_hint": "{env.OIDCAUTH_T}/logout_params"},
	"post_logout_redirect_uri": "{env.OIDCAUTH_T}/post_logout_redirect_uri",
	"token_endpoint_auth_method": "{env.OIDCAUTH_T}/token_endpoint_auth_method",
	"client_private_key": "{env.OIDCAUTH_T}/client_private_key",
	"providers": {"google": {
		"client_id": "{env.OIDCAUTH_T}/google.client_id",
		"client_secret": "{env.OIDCAUTH_T}/google.client_secret",
		"server_metadata_url": "{env.OIDCAUTH_T}/google.server_metadata_url",
		"redirect_uri": "{env.OIDCAUTH_T}/google.redirect_uri",
		"post_logout_redirect_uri": "{env.OIDCAUTH_T}/google.post_logout_redirect_uri",
		"client_kwargs": {"prompt": "{env.OIDCAUTH_T}/google.client_kwargs"},
		"logout_params": {"logout_uri": "{env.OIDCAUTH_T}/google.logout_params"},
		"token_endpoint_auth_method": "{env.OIDCAUTH_T}/google.token_endpoint_auth_method",
		"client_private_key": "{env.OIDCAUTH_T}/google.client_private_key"
	}},
	"expose_tokens": ["{env.OIDCAUTH_T}/expose_tokens"],
	"bearer": {"audiences": ["{env.OIDCAUTH_T}/bearer.audiences"]},
	"allow": {
		"email": ["{env.OIDCAUTH_T}/allow.email"],
		"email_domain": ["{env.OIDCAUTH_T}/allow.email_domain"],
		"claim": {"groups": ["{env.OIDCAUTH_T}/allow.claim"]},
		"provider": ["{env.OIDCAUTH_T}/allow.provider"]
	},
	"claims": ["{env.OIDCAUTH_T}/claims"],
	"cookie_domain": "{env.OIDCAUTH_T}/cookie_domain",
	"pages": "{env.OIDCAUTH_T}/pages"
}`

func TestEnvExpandsInEveryValue(t *testing.T) {
	t.Setenv("OIDCAUTH_T", "from-env")
	var m OIDCAuth
	if err := json.Unmarshal([]byte(everyKeyFromEnv), &m); err != nil {
		t.Fatal(err)
	}
	m.expandEnv()

	// Every string the config can hold was set above: a field added to the
	// config without a line here fails, so it cannot miss the expansion.
	var strs []string
	walkStrings(t, reflect.ValueOf(m), "", func(path, s string) {
		if s == "" {
			t.Errorf("%s is not set in everyKeyFromEnv: add it", path)
		}
		strs = append(strs, s)
	})
	for _, s := range strs {
		if strings.Contains(s, "{env.") {
			t.Errorf("not expanded: %q", s)
		} else if !strings.HasPrefix(s, "from-env/") {
			t.Errorf("unexpected value %q", s)
		}
	}
	if m.PostLogoutRedirectURI != "from-env/post_logout_redirect_uri" || m.LogoutParams["logout_hint"] != "from-env/logout_params" {
		t.Errorf("default provider sign-out: %q %v", m.PostLogoutRedirectURI, m.LogoutParams)
	}
	g := m.Providers["google"]
	if g.LogoutParams["logout_uri"] != "from-env/google.logout_params" {
		t.Errorf("provider google logout_params: %v", g.LogoutParams)
	}
	if m.Allow.Claim["groups"][0] != "from-env/allow.claim" || m.ExposeTokens[0] != "from-env/expose_tokens" {
		t.Errorf("allow / expose_tokens: %+v %v", m.Allow, m.ExposeTokens)
	}
}

// walkStrings calls f with every string in v's exported fields, with its
// path, so that a test can check each one.
func walkStrings(t *testing.T, v reflect.Value, path string, f func(path, s string)) {
	switch v.Kind() {
	case reflect.String:
		f(path, v.String())
	case reflect.Pointer:
		if v.IsNil() {
			t.Errorf("%s is not set in everyKeyFromEnv: add it", path)
			return
		}
		walkStrings(t, v.Elem(), path, f)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if sf := v.Type().Field(i); sf.IsExported() {
				name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
				walkStrings(t, v.Field(i), strings.TrimPrefix(path+"."+name, "."), f)
			}
		}
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			t.Errorf("%s is not set in everyKeyFromEnv: add it", path)
		}
		if v.Kind() == reflect.Slice {
			for i := 0; i < v.Len(); i++ {
				walkStrings(t, v.Index(i), path, f)
			}
			return
		}
		for _, k := range v.MapKeys() {
			walkStrings(t, v.MapIndex(k), path+"."+k.String(), f)
		}
	}
}
