package sitetests_test

import (
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

func TestExposedTokensReachPlaceholdersAndUserJSON(t *testing.T) {
	s := protectedSite(t, "expose_tokens id access")
	b := testsupport.NewBrowser(t, "alice")
	if status, _ := b.Get(s.URL + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	u := userJSON(t, b, s.URL)
	tokens, _ := u["tokens"].(map[string]any)
	id, _ := tokens["id"].(string)
	access, _ := tokens["access"].(string)
	if strings.Count(id, ".") != 2 || access == "" {
		t.Errorf("/auth/user tokens = %v, want an ID token (JWT) and an access token", tokens)
	}
}

func TestTokensArePlaceholdersOnlyWhenExposed(t *testing.T) {
	cookieBytes := map[string]int{}
	for _, c := range []struct {
		option             string
		wantID, wantAccess bool
	}{
		{"", false, false},
		{"expose_tokens access", false, true},
		{"expose_tokens id", true, false},
	} {
		t.Run(c.option, func(t *testing.T) {
			p := testsupport.StartProvider(t)
			port := testsupport.FreePort(t)
			testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), c.option, `respond "id=[{http.auth.user.tokens.id}] access=[{http.auth.user.tokens.access}]"`))
			b := testsupport.NewBrowser(t, "bob")
			status, body := b.Get(testsupport.SiteURL(port) + "/")
			if status != 200 {
				t.Fatalf("sign-in: %d", status)
			}
			hasID := !strings.Contains(body, "id=[]")
			hasAccess := !strings.Contains(body, "access=[]")
			if hasID != c.wantID || hasAccess != c.wantAccess {
				t.Errorf("%q: body %q", c.option, body)
			}
			u := userJSON(t, b, testsupport.SiteURL(port))
			_, hasTokens := u["tokens"]
			if hasTokens != (c.wantID || c.wantAccess) {
				t.Errorf("%q: /auth/user tokens present = %v", c.option, hasTokens)
			}
			// An unexposed access token is not kept in the cookie either:
			// the cookie grows by its size only when exposed.
			size := 0
			for _, ck := range b.Cookies(testsupport.SiteURL(port)) {
				size += len(ck.Value)
			}
			cookieBytes[c.option] = size
		})
	}
	if cookieBytes["expose_tokens access"] <= cookieBytes[""] {
		t.Errorf("cookie bytes: %v; an unexposed access token must not be kept", cookieBytes)
	}
}
