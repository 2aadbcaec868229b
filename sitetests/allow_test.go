package sitetests_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// Two oidc_auth blocks with matchers give /admin stricter rules than the
// rest of the site; one sign-in and one cookie serve both.
func TestAllowRulesPerPathWithOneSignIn(t *testing.T) {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	common := fmt.Sprintf(`redirect_uri %s/oauth2callback
		cookie_secret %s
		client_id %s
		client_secret %s
		server_metadata_url %s`, siteURL, testsupport.CookieSecret, testsupport.ClientID, testsupport.ClientSecret, p.MetadataURL())
	testsupport.StartCaddy(t, testsupport.GlobalOptions(t)+fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	@admin path /admin/*
	@rest not path /admin/*
	oidc_auth @admin {
		%s
		allow {
			claim groups admins
		}
	}
	oidc_auth @rest {
		%s
		allow {
			email_domain example.com example.org example.net
		}
	}
	respond "{http.auth.user.email} at {path}"
}
`, port, common, common))

	alice := testsupport.NewBrowser(t, "alice") // staff, example.com
	if status, body := alice.Get(siteURL + "/docs"); status != 200 || body != "alice@example.com at /docs" {
		t.Errorf("alice /docs: %d %q", status, body)
	}
	authorize := p.Counts().Authorize
	status, body := alice.Get(siteURL + "/admin/panel")
	if status != http.StatusForbidden || !strings.Contains(body, "alice@example.com") || !strings.Contains(body, `href="/auth/logout"`) {
		t.Errorf("alice /admin: %d %.500s", status, body)
	}
	if p.Counts().Authorize != authorize {
		t.Error("a user who is not admitted was sent back to the provider")
	}
	resp := alice.Do("GET", siteURL+"/admin/panel", nil, "application/json")
	if body := testsupport.ReadBody(t, resp); resp.StatusCode != 403 || !strings.HasPrefix(body, "403 Forbidden") {
		t.Errorf("script at /admin: %d %q", resp.StatusCode, body)
	}

	bob := testsupport.NewBrowser(t, "bob") // admins
	if status, body := bob.Get(siteURL + "/admin/panel"); status != 200 || body != "bob@example.org at /admin/panel" {
		t.Errorf("bob /admin: %d %q", status, body)
	}
	if p.Counts().Authorize != authorize+1 {
		t.Errorf("bob needed %d sign-ins, want 1", p.Counts().Authorize-authorize)
	}

	// carol's provider says her email is not verified: no entry by email.
	carol := testsupport.NewBrowser(t, "carol")
	if status, body := carol.Get(siteURL + "/docs"); status != http.StatusForbidden || !strings.Contains(body, "carol@example.net") {
		t.Errorf("carol (email_verified=false): %d %.300s", status, body)
	}
}

func TestClaimsFilterAndCookieMaxAge(t *testing.T) {
	s := protectedSite(t, "claims email\n\t\tcookie_max_age 2h\n\t\tallow {\n\t\t\tclaim groups staff\n\t\t}")
	b := testsupport.NewBrowser(t, "alice")
	if status, body := b.Get(s.URL + "/"); status != 200 || !strings.Contains(body, "email=alice@example.com") {
		t.Fatalf("sign-in: %d %q", status, body)
	}
	u := userJSON(t, b, s.URL)
	for _, kept := range []string{"sub", "email", "email_verified", "groups"} {
		if _, ok := u[kept]; !ok {
			t.Errorf("claim %s dropped: %v", kept, u)
		}
	}
	for _, dropped := range []string{"name", "family_name", "iss", "aud"} {
		if _, ok := u[dropped]; ok {
			t.Errorf("claim %s kept although claims does not list it: %v", dropped, u)
		}
	}
	resp := testsupport.CallbackResponse(t, s.URL, "alice")
	var identity *http.Cookie
	for _, sc := range resp.Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(sc); err == nil && testsupport.IsSessionCookie(c.Name) {
			identity = c
		}
	}
	if identity == nil || identity.MaxAge < 7190 || identity.MaxAge > 7200 {
		t.Errorf("cookie_max_age 2h: identity cookie %v", identity)
	}
}
