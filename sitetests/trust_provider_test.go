package sitetests_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// Tests of what a session trusts from the provider, through real Caddy.

// A provider that rotates its signing key 0.2 s after the module fetched the
// keys still signs the next user in: the unknown kid waits for the next
// allowed key fetch (at most one per 5 s) instead of failing the sign-in.
func TestKeyRotationJustAfterAKeyFetchStillSignsIn(t *testing.T) {
	s := protectedSite(t, "")
	if status, body := testsupport.NewBrowser(t, "alice").Get(s.URL + "/"); status != http.StatusOK || !strings.Contains(body, "alice@example.com") {
		t.Fatalf("first sign-in: %d %.300s", status, body)
	}
	jwks := s.Provider.Counts().JWKS
	time.Sleep(200 * time.Millisecond)
	s.Provider.RotateKeys()
	if status, body := testsupport.NewBrowser(t, "carol").Get(s.URL + "/"); status != http.StatusOK || !strings.Contains(body, "carol@example.net") {
		t.Errorf("sign-in right after the key rotation: %d %.300s", status, body)
	}
	if got := s.Provider.Counts().JWKS - jwks; got != 1 {
		t.Errorf("JWKS fetched %d times after the rotation, want 1", got)
	}
}

// restrictedSite runs a site whose client_kwargs block holds kwargs, against
// a provider that also knows dana (of the hosted domain example.com, signed
// in with acr urn:mfa) and erin (a personal account).
func restrictedSite(t *testing.T, kwargs string) site {
	t.Helper()
	s := protectedSite(t, "client_kwargs {\n\t\t\t"+kwargs+"\n\t\t}",
		devprovider.User{Username: "dana", Claims: map[string]any{"email": "dana@example.com", "name": "Dana", "hd": "example.com", "acr": "urn:mfa"}},
		devprovider.User{Username: "erin", Claims: map[string]any{"email": "erin@mail.example", "name": "Erin"}})
	return s
}

// wantSignInLands: the user's navigation lands on the page naming them.
func wantSignInLands(t *testing.T, s site, user, email string) {
	t.Helper()
	if status, body := testsupport.NewBrowser(t, user).Get(s.URL + "/"); status != http.StatusOK || !strings.Contains(body, email) {
		t.Errorf("%s: %d %.300s", user, status, body)
	}
}

// wantSignInRefused: the sign-in ends on the 403 page that says the account
// does not meet the site's requirements, and the user is not signed in.
func wantSignInRefused(t *testing.T, s site, user, why string) {
	t.Helper()
	b := testsupport.NewBrowser(t, user)
	status, body := b.Get(s.URL + "/")
	if status != http.StatusForbidden || !strings.Contains(body, "<html") || !strings.Contains(body, "cannot sign in here") {
		t.Errorf("%s (%s): status %d, want the 403 page saying this account cannot sign in here: %.300s", user, why, status, body)
	}
	if u := userJSON(t, b, s.URL); u["is_logged_in"] != false {
		t.Errorf("%s (%s) is signed in: %v", user, why, u)
	}
}

// hd, max_age and acr_values in client_kwargs are enforced on the ID token:
// a user who strips hd= from the authorization URL (here: a provider that
// does not restrict by it) is not signed in with a personal account.
func TestClientKwargsRestrictionsAreEnforced(t *testing.T) {
	t.Run("hd", func(t *testing.T) {
		s := restrictedSite(t, "hd example.com")
		wantSignInLands(t, s, "dana", "dana@example.com")
		wantSignInRefused(t, s, "erin", "no hd")
	})
	t.Run("max_age", func(t *testing.T) {
		s := restrictedSite(t, "max_age 300")
		wantSignInLands(t, s, "alice", "alice@example.com")
		s.Provider.SetBehavior(devprovider.Behavior{AuthTimeAge: time.Hour})
		wantSignInRefused(t, s, "alice", "signed in at the provider an hour ago")
		s.Provider.SetBehavior(devprovider.Behavior{OmitAuthTime: true})
		wantSignInRefused(t, s, "alice", "no auth_time")
	})
	t.Run("acr_values", func(t *testing.T) {
		s := restrictedSite(t, `acr_values "urn:mfa urn:hwk"`)
		wantSignInLands(t, s, "dana", "dana@example.com")
		wantSignInRefused(t, s, "alice", "no acr")
	})
}

// token_endpoint_auth_method and code_challenge_method in client_kwargs are
// client settings (as Authlib reads them): the sign-in works, and the
// authorization request carries neither, only the module's S256 PKCE.
func TestClientSettingsInClientKwargsAreNotSentToTheProvider(t *testing.T) {
	s := restrictedSite(t, "token_endpoint_auth_method client_secret_post\n\t\t\tcode_challenge_method S256")
	resp, err := testsupport.NoRedirect(nil).Get(s.URL + "/auth/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	auth, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("/auth/login: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := auth.Query()
	if q.Has("token_endpoint_auth_method") {
		t.Error("token_endpoint_auth_method was sent as an authorization parameter")
	}
	if m := q["code_challenge_method"]; len(m) != 1 || m[0] != "S256" || len(q.Get("code_challenge")) != 43 {
		t.Errorf("PKCE: code_challenge_method %v, code_challenge %q; want S256 once", m, q.Get("code_challenge"))
	}
	wantSignInLands(t, s, "alice", "alice@example.com")
}

// The module never downgrades PKCE: code_challenge_method plain is refused
// when Caddy loads the config, naming the key.
func TestPlainPKCEInClientKwargsIsRefused(t *testing.T) {
	for _, method := range []string{"plain", "s256"} {
		err := testsupport.Validate(t, "http://localhost:8501 {\n\toidc_auth {\n\t\tredirect_uri http://localhost:8501/oauth2callback\n\t\tcookie_secret "+testsupport.CookieSecret+
			"\n\t\tclient_id x\n\t\tserver_metadata_url https://idp.example/.well-known/openid-configuration\n\t\tclient_kwargs {\n\t\t\tcode_challenge_method "+method+"\n\t\t}\n\t}\n\trespond ok\n}\n")
		if err == nil || !strings.Contains(err.Error(), "client_kwargs code_challenge_method") {
			t.Errorf("code_challenge_method %s: %v, want a refusal naming client_kwargs code_challenge_method", method, err)
		}
	}
}
