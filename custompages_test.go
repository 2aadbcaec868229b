package oidcauth

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/caddy-oidc-auth/oidcauth/internal/pages"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// The README's starting point is examples/custom-pages/pages: each of its
// pages loads and shows what the handler gives it, so the copy a newcomer
// takes cannot rot.
func TestExampleCustomPagesRenderWhatTheHandlerGives(t *testing.T) {
	set, err := pages.Load("examples/custom-pages/pages", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Custom(); len(got) != len(pages.Kinds) {
		t.Fatalf("the example replaces %v, want every page", got)
	}
	r := httptest.NewRequest(http.MethodGet, "https://site.example/auth/login", nil)
	for _, c := range []struct {
		kind   pages.Kind
		status int
		page   pages.Page
		want   []string
	}{
		{pages.Choose, 200, pages.Page{Title: "Sign in", Message: "Choose how to sign in.", Providers: []pages.Link{
			{Href: loginURL("google", "/reports"), Label: "Google", Name: "google"},
			{Href: loginURL("work", "/reports"), Label: "Work", Name: "work"}}},
			[]string{`id="provider-google" href="/auth/login?provider=google&amp;return_to=%2Freports">Continue with Google</a>`, ">Continue with Work</a>",
				`<link rel="stylesheet" href="/brand/site.css">`, "<title>Sign in · site.example</title>"}},
		{pages.Error, 403, pages.Page{Title: "Sign-in was not completed", Message: "The sign-in provider answered: access_denied (<b>no</b>)",
			Link: tryAgain(loginURL("", "/")), Status: 403},
			[]string{"<h1>Sign-in was not completed</h1>", "access_denied (&lt;b&gt;no&lt;/b&gt;)", ">Try again</a>", "Error 403 (Forbidden)"}},
		{pages.Forbidden, 403, pages.Page{Title: "Access denied", User: "eve@example.com", Provider: "google", SignOut: logoutPath,
			Claims: map[string]any{"name": "Eve <Ops>"}, Status: 403},
			[]string{"<strong>eve@example.com</strong> (Eve &lt;Ops&gt;) with google", `href="/auth/logout">Sign out</a>`}},
	} {
		w := httptest.NewRecorder()
		if err := set.Write(w, r, c.kind, c.status, c.page); err != nil {
			t.Fatal(err)
		}
		for _, want := range c.want {
			if !strings.Contains(w.Body.String(), want) {
				t.Errorf("%s lacks %q:\n%s", c.kind, want, w.Body.String())
			}
		}
	}
}

func TestCaddyValidateRefusesPagesThatWouldBreak(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "choose.html"), []byte("<ul>\n{{range .Providers}}\n<li>{{.Label}</li>\n{{end}}\n"), 0o644)
	badField := t.TempDir()
	os.WriteFile(filepath.Join(badField, "forbidden.html"), []byte("<p>\n{{.Email}}</p>\n"), 0o644)
	t.Setenv("OIDCAUTH_TEST_PAGES", filepath.Join(dir, "absent"))
	for _, c := range []struct {
		name, pages string
		want        []string
	}{
		{"does not parse", dir, []string{filepath.Join(dir, "choose.html") + ":3:"}},
		{"a field that does not exist", badField, []string{filepath.Join(badField, "forbidden.html") + ":2:", "Email"}},
		{"no such directory, from the environment", "{env.OIDCAUTH_TEST_PAGES}", []string{"pages: cannot read the directory " + filepath.Join(dir, "absent")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := testsupport.Validate(t, "http://localhost:8501 {\n\toidc_auth {\n\t\tredirect_uri http://localhost:8501/oauth2callback\n\t\tcookie_secret 0123456789abcdef0123\n\t\tclient_id x\n\t\tserver_metadata_url https://idp.example/.well-known/openid-configuration\n\t\tpages "+c.pages+"\n\t}\n\trespond ok\n}\n")
			if err == nil {
				t.Fatal("validated")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestCaddyfilePagesTakesOneDirectory(t *testing.T) {
	for _, c := range []struct{ input, want string }{
		{"oidc_auth {\n\tpages\n}", "pages needs a value"},
		{"oidc_auth {\n\tpages a b\n}", "pages takes one value"},
	} {
		var m OIDCAuth
		if err := m.UnmarshalCaddyfile(caddyfile.NewTestDispenser(c.input)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.input, err, c.want)
		}
	}
	var m OIDCAuth
	if err := m.UnmarshalCaddyfile(caddyfile.NewTestDispenser("oidc_auth {\n\tpages /srv/pages\n}")); err != nil || m.Pages != "/srv/pages" {
		t.Errorf("pages /srv/pages: %v %q", err, m.Pages)
	}
}
