package oidcauth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/flow"
	"github.com/caddy-oidc-auth/oidcauth/internal/pages"
)

// The chooser names the unnamed provider by its issuer's host, which a
// user recognizes, and a named one by its name.
func TestChooserNamesEachProviderSoAUserKnowsIt(t *testing.T) {
	m := &OIDCAuth{names: []string{DefaultProviderName, "google"}, providers: map[string]*flow.Provider{}}
	for name, metadata := range map[string]string{
		DefaultProviderName: "https://login.example.com/realms/staff/.well-known/openid-configuration",
		"google":            "https://accounts.google.com/.well-known/openid-configuration",
	} {
		p, err := flow.NewProvider(flow.Config{Name: name, ClientID: "id", MetadataURL: metadata, RedirectURL: "https://site.example/oauth2callback"})
		if err != nil {
			t.Fatal(err)
		}
		m.providers[name] = p
	}
	w := httptest.NewRecorder()
	if err := m.renderChooser(w, httptest.NewRequest(http.MethodGet, "https://site.example/auth/login", nil), "/", ""); err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	for _, want := range []string{">Sign in with login.example.com</a>", ">Sign in with Google</a>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the chooser lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "default provider") {
		t.Error("the chooser still names a provider \"the default provider\"")
	}
}

// Each way on says where it leads, whatever its address looks like.
func TestErrorPageLinksSayWhereTheyLead(t *testing.T) {
	for _, c := range []struct {
		next *pages.Link
		want string
	}{
		{tryAgain(loginURL("google", "/reports")), ">Try again</a>"},
		{backTo("/reports"), ">Go to the page you asked for</a>"},
		{homePage(), `href="/">Go to the home page</a>`},
	} {
		w := httptest.NewRecorder()
		if err := (&OIDCAuth{}).renderError(w, httptest.NewRequest(http.MethodGet, "https://site.example/oauth2callback", nil), http.StatusBadRequest, "Sign-in failed", "x", c.next); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("the page lacks %q:\n%s", c.want, w.Body.String())
		}
	}
}
