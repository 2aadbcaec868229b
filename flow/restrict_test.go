package flow

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// What client_kwargs restricts (hd, max_age, acr_values) is checked on the ID
// token: a user who strips the parameter from the authorization URL, or a
// provider that ignores it, does not get signed in.
func TestClientKwargsRestrictionsAreEnforcedOnTheIDToken(t *testing.T) {
	set := func(k string, v any) func(map[string]any) { return func(c map[string]any) { c[k] = v } }
	del := func(k string) func(map[string]any) { return func(c map[string]any) { delete(c, k) } }
	for _, c := range []struct {
		name   string
		kwargs map[string]string
		b      devprovider.Behavior
		want   string // "" when the sign-in must succeed
	}{
		{"hd matches", map[string]string{"hd": "example.com"}, devprovider.Behavior{TamperClaims: set("hd", "example.com")}, ""},
		{"hd of another domain", map[string]string{"hd": "example.com"}, devprovider.Behavior{TamperClaims: set("hd", "evil.example")}, `hd "evil.example"`},
		{"no hd (a personal account)", map[string]string{"hd": "example.com"}, devprovider.Behavior{}, `hd ""`},
		{"hd * and a hosted domain", map[string]string{"hd": "*"}, devprovider.Behavior{TamperClaims: set("hd", "any.example")}, ""},
		{"hd * and none", map[string]string{"hd": "*"}, devprovider.Behavior{}, "no hd"},
		{"fresh sign-in within max_age", map[string]string{"max_age": "300"}, devprovider.Behavior{}, ""},
		{"max_age 0 and a sign-in just now", map[string]string{"max_age": "0"}, devprovider.Behavior{}, ""},
		{"old sign-in, within the leeway", map[string]string{"max_age": "300"}, devprovider.Behavior{AuthTimeAge: 6 * time.Minute}, ""},
		{"old sign-in beyond max_age", map[string]string{"max_age": "300"}, devprovider.Behavior{AuthTimeAge: time.Hour}, "max_age"},
		{"no auth_time with max_age", map[string]string{"max_age": "300"}, devprovider.Behavior{OmitAuthTime: true}, "no auth_time"},
		{"acr one of acr_values", map[string]string{"acr_values": "urn:mfa urn:phr"}, devprovider.Behavior{TamperClaims: set("acr", "urn:phr")}, ""},
		{"acr not asked for", map[string]string{"acr_values": "urn:mfa"}, devprovider.Behavior{TamperClaims: set("acr", "urn:pwd")}, `acr "urn:pwd"`},
		{"no acr", map[string]string{"acr_values": "urn:mfa"}, devprovider.Behavior{TamperClaims: del("acr")}, "no acr"},
		{"nothing asked, nothing checked", nil, devprovider.Behavior{AuthTimeAge: 24 * time.Hour, TamperClaims: set("hd", "x.example")}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, func(cfg *Config) {
				for k, v := range c.kwargs {
					cfg.Params[k] = v
				}
			})
			r.dev.SetBehavior(c.b)
			id, err := r.signIn(t)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if id != nil {
				t.Fatal("an identity came back with the error")
			}
			wantClass(t, err, ErrInvalidToken)
			if !errors.Is(err, ErrRestricted) {
				t.Errorf("%v is not ErrRestricted", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("message %q should mention %q", err, c.want)
			}
		})
	}
}

// A refreshed ID token keeps the first auth_time: max_age is not checked
// again, and hd/acr, when the refreshed token carries them, still must fit.
func TestRestrictionsOnRefresh(t *testing.T) {
	r := newRig(t, func(cfg *Config) { cfg.Params["max_age"] = "300"; cfg.Params["hd"] = "example.com" })
	r.dev.SetBehavior(devprovider.Behavior{TamperClaims: func(c map[string]any) { c["hd"] = "example.com" }})
	id, err := r.signIn(t)
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(30 * time.Minute) // past max_age, before the tokens expire
	id, err = r.p.Refresh(t.Context(), id.RefreshToken)
	if err != nil {
		t.Fatalf("refresh 30 minutes later: %v", err)
	}
	r.dev.SetBehavior(devprovider.Behavior{TamperClaims: func(c map[string]any) { c["hd"] = "evil.example" }})
	_, err = r.p.Refresh(t.Context(), id.RefreshToken)
	wantClass(t, err, ErrInvalidToken)
}

func TestBadRestrictionsAreRefusedAtConfigTime(t *testing.T) {
	for kwargs, want := range map[string]string{
		"max_age=soon":                "client_kwargs max_age",
		"max_age=-5":                  "client_kwargs max_age",
		"acr_values= ":                "client_kwargs acr_values",
		"code_challenge_method=plain": "client_kwargs code_challenge_method",
	} {
		k, v, _ := strings.Cut(kwargs, "=")
		_, err := NewProvider(Config{ClientID: "c", MetadataURL: "https://idp.example" + wellKnownSuffix, RedirectURL: testRedirect, Params: map[string]string{k: v}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %q", kwargs, err, want)
		}
	}
	if _, err := NewProvider(Config{ClientID: "c", MetadataURL: "https://idp.example" + wellKnownSuffix, RedirectURL: testRedirect,
		Params: map[string]string{"code_challenge_method": "S256", "max_age": "0", "acr_values": "a b", "hd": "*"}}); err != nil {
		t.Errorf("good kwargs refused: %v", err)
	}
}
