package sitetests_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// emailRulesSite is a site that admits by email, by email domain, or by
// membership of the group "admins", and shows who got in.
func emailRulesSite(t *testing.T, users ...devprovider.User) site {
	return protectedSite(t, "allow {\n\t\t\temail kate@example.com\n\t\t\temail_domain korp.example\n\t\t\tclaim groups admins\n\t\t}", users...)
}

func verifiedUser(name string, verified any) devprovider.User {
	return devprovider.User{Username: name, Password: name, Claims: map[string]any{
		"email": name + "@korp.example", "email_verified": verified,
	}}
}

// Only a provider that says the address is verified (true, or "true") lets
// a user in by email; "0", 0, "no", "false" and the like do not.
func TestOnlyATrueEmailVerifiedAdmitsByEmail(t *testing.T) {
	users := []devprovider.User{
		verifiedUser("v-bool", true), verifiedUser("v-string", "true"),
		verifiedUser("u-bool", false), verifiedUser("u-string", "false"),
		verifiedUser("u-zero-string", "0"), verifiedUser("u-zero", 0),
		verifiedUser("u-no", "no"), verifiedUser("u-one", 1), verifiedUser("u-yes", "yes"),
		verifiedUser("u-empty", ""), verifiedUser("u-list", []any{true}),
		{Username: "u-admin", Password: "x", Claims: map[string]any{
			"email": "u-admin@korp.example", "email_verified": "0", "groups": []any{"admins"},
		}},
	}
	s := emailRulesSite(t, users...)
	for _, u := range users {
		want := http.StatusForbidden
		if strings.HasPrefix(u.Username, "v-") || u.Username == "u-admin" {
			want = http.StatusOK
		}
		status, body := testsupport.NewBrowser(t, u.Username).Get(s.URL + "/")
		if status != want {
			t.Errorf("%s (email_verified %#v): %d, want %d: %.200s", u.Username, u.Claims["email_verified"], status, want, body)
		}
	}
}

// A provider that says nothing about verification is trusted for the
// address it vouches for, as documented.
func TestMissingEmailVerifiedIsTrusted(t *testing.T) {
	s := emailRulesSite(t)
	s.Provider.SetBehavior(devprovider.Behavior{TamperClaims: func(c map[string]any) { delete(c, "email_verified") }})
	status, body := testsupport.NewBrowser(t, "kate").Get(s.URL + "/")
	if status != http.StatusOK || !strings.Contains(body, "email=kate@example.com") {
		t.Errorf("no email_verified claim: %d %.200s", status, body)
	}
}

// Emails and domains compare case-insensitively in ASCII only: the Kelvin
// sign (U+212A) is not the letter k, whatever Unicode case folding says.
func TestEmailRulesFoldASCIICaseOnly(t *testing.T) {
	kelvin := "\u212A"
	cases := []struct {
		email string
		want  int
	}{
		{"KATE@Example.COM", http.StatusOK},
		{"someone@KORP.example", http.StatusOK},
		{kelvin + "ate@example.com", http.StatusForbidden},
		{"someone@" + kelvin + "orp.example", http.StatusForbidden},
		{"kate@example.co\u1E3F", http.StatusForbidden},
	}
	var users []devprovider.User
	for i, c := range cases {
		users = append(users, devprovider.User{Username: fmt.Sprintf("case%d", i), Password: "x",
			Claims: map[string]any{"email": c.email, "email_verified": true}})
	}
	s := emailRulesSite(t, users...)
	for i, c := range cases {
		status, body := testsupport.NewBrowser(t, users[i].Username).Get(s.URL + "/")
		if status != c.want {
			t.Errorf("email %q: %d, want %d: %.200s", c.email, status, c.want, body)
		}
	}
}
