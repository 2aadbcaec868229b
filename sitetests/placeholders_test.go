package sitetests_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// Two users whose group lists differ by one comma reach the page and the
// upstream as different values; plain words read as they always have.
func TestListPlaceholdersKeepDifferentListsApart(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "X-Groups=%s", r.Header.Get("X-Groups"))
	}))
	t.Cleanup(upstream.Close)
	users := []devprovider.User{
		{Username: "comma", Password: "x", Claims: map[string]any{"groups": []any{"staff", "x,admins"}}},
		{Username: "three", Password: "x", Claims: map[string]any{"groups": []any{"staff", "x", "admins"}}},
		{Username: "number", Password: "x", Claims: map[string]any{"groups": []any{1}}},
		{Username: "numeral", Password: "x", Claims: map[string]any{"groups": []any{"1"}}},
	}
	p := testsupport.StartProvider(t, users...)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "", fmt.Sprintf(`handle /page {
		respond "groups={http.auth.user.groups}"
	}
	reverse_proxy %s {
		header_up X-Groups {http.auth.user.groups}
	}`, strings.TrimPrefix(upstream.URL, "http://"))))
	siteURL := testsupport.SiteURL(port)

	want := map[string]string{
		"alice": `staff`, "bob": `admins,staff`,
		"comma": `staff,"x,admins"`, "three": `staff,x,admins`,
		"number": `1`, "numeral": `"1"`,
	}
	for user, groups := range want {
		b := testsupport.NewBrowser(t, user)
		if status, body := b.Get(siteURL + "/page"); status != 200 || body != "groups="+groups {
			t.Errorf("%s on a page: %d %q, want groups=%s", user, status, body, groups)
		}
		if status, body := b.Get(siteURL + "/app"); status != 200 || body != "X-Groups="+groups {
			t.Errorf("%s upstream: %d %q, want X-Groups=%s", user, status, body, groups)
		}
	}
}
