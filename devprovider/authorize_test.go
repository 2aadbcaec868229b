package devprovider

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// authParams is a valid authorization request for the test client.
func authParams(extra ...string) url.Values {
	v := url.Values{
		"client_id": {testClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"},
		"scope": {"openid profile email"}, "state": {"st-0123456789abcdef"}, "nonce": {"no-0123456789abcdef"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

type page struct {
	status   int
	body     string
	location string
}

func get(t *testing.T, u string) page {
	t.Helper()
	resp, err := noRedirects.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return readPage(t, resp)
}

func postForm(t *testing.T, u string, form url.Values) page {
	t.Helper()
	resp, err := noRedirects.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return readPage(t, resp)
}

func readPage(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, string(b), resp.Header.Get("Location")}
}

func (pg page) query(t *testing.T) url.Values {
	t.Helper()
	u, err := url.Parse(pg.location)
	if err != nil || pg.location == "" {
		t.Fatalf("no redirect (status %d): %q", pg.status, pg.location)
	}
	return u.Query()
}

func TestAuthorizeShowsDevelopmentSignInForm(t *testing.T) {
	p := startProvider(t, func(c *Config) { c.TrustLoginHint = false })
	pg := get(t, p.Issuer()+"/authorize?"+authParams().Encode())
	if pg.status != http.StatusOK {
		t.Fatalf("status %d", pg.status)
	}
	for _, want := range []string{"development only", `name="username"`, `type="password"`,
		"alice-password", "Sign in as bob", `name="state" value="st-0123456789abcdef"`} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("sign-in page lacks %q", want)
		}
	}
}

func TestAuthorizeFormSignsInWithRightPassword(t *testing.T) {
	p := startProvider(t, func(c *Config) { c.TrustLoginHint = false })
	form := authParams("username", "carol", "password", "carol-password")
	pg := postForm(t, p.Issuer()+"/authorize", form)
	if pg.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", pg.status)
	}
	q := pg.query(t)
	if q.Get("code") == "" || q.Get("state") != "st-0123456789abcdef" || !strings.HasPrefix(pg.location, testRedirect+"?") {
		t.Errorf("redirect %s", pg.location)
	}
}

func TestAuthorizeFormWrongPasswordReshowsForm(t *testing.T) {
	p := startProvider(t, func(c *Config) { c.TrustLoginHint = false })
	for _, form := range []url.Values{
		authParams("username", "alice", "password", "bob-password"),
		authParams("username", "nobody", "password", "x"),
		authParams("username", "alice"),
	} {
		pg := postForm(t, p.Issuer()+"/authorize", form)
		if pg.status != http.StatusUnauthorized || pg.location != "" {
			t.Errorf("%s: status %d location %q", form.Get("username"), pg.status, pg.location)
		}
		if !strings.Contains(pg.body, "Wrong username or password") || !strings.Contains(pg.body, `name="nonce"`) {
			t.Errorf("%s: form not re-shown with its error", form.Get("username"))
		}
	}
}

// An unknown client or redirect URI gets an error page, never a redirect to an unchecked URI.
func TestAuthorizeUntrustedRequestGetsErrorPage(t *testing.T) {
	p := startProvider(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "fixed", RedirectURIs: []string{"https://app.example/cb"}})
	})
	for name, params := range map[string]url.Values{
		"unknown client":         authParams("client_id", "stranger"),
		"non-loopback redirect":  authParams("redirect_uri", "https://evil.example/cb"),
		"unregistered redirect":  authParams("client_id", "fixed", "redirect_uri", "https://app.example/other"),
		"no redirect":            authParams("redirect_uri", ""),
		"redirect with fragment": authParams("redirect_uri", testRedirect+"#x"),
	} {
		pg := get(t, p.Issuer()+"/authorize?"+params.Encode())
		if pg.status != http.StatusBadRequest || pg.location != "" || !strings.Contains(pg.body, "Cannot sign in") {
			t.Errorf("%s: status %d location %q", name, pg.status, pg.location)
		}
	}
	// the registered URI works, and keeps its own query
	p2 := startProvider(t, func(c *Config) {
		c.Clients = []Client{{ID: "fixed", RedirectURIs: []string{"https://app.example/cb?tenant=7"}}}
	})
	q := get(t, p2.Issuer()+"/authorize?"+authParams("client_id", "fixed", "redirect_uri", "https://app.example/cb?tenant=7", "login_hint", "bob").Encode()).query(t)
	if q.Get("tenant") != "7" || q.Get("code") == "" {
		t.Errorf("redirect query %v", q)
	}
}

func TestAuthorizeInvalidRequestsRedirectWithError(t *testing.T) {
	p := startProvider(t, func(c *Config) { c.TrustLoginHint = false })
	for name, tc := range map[string]struct {
		params url.Values
		want   string
	}{
		"token response type": {authParams("response_type", "token"), "unsupported_response_type"},
		"no openid scope":     {authParams("scope", "profile"), "invalid_scope"},
		"plain PKCE":          {authParams("code_challenge", "abc", "code_challenge_method", "plain"), "invalid_request"},
		"PKCE without method": {authParams("code_challenge", "abc"), "invalid_request"},
		"method without PKCE": {authParams("code_challenge_method", "S256"), "invalid_request"},
		"prompt none":         {authParams("prompt", "none"), "login_required"},
	} {
		pg := get(t, p.Issuer()+"/authorize?"+tc.params.Encode())
		q := pg.query(t)
		if q.Get("error") != tc.want || q.Get("state") != "st-0123456789abcdef" || q.Get("error_description") == "" {
			t.Errorf("%s: redirect %s", name, pg.location)
		}
	}
}

func TestTrustLoginHint(t *testing.T) {
	p := startProvider(t, nil)
	if q := get(t, p.Issuer()+"/authorize?"+authParams("login_hint", "alice").Encode()).query(t); q.Get("code") == "" {
		t.Errorf("known hint did not sign in at once: %v", q)
	}
	// an unknown hint without AnyUser falls back to the form, prefilled
	pg := get(t, p.Issuer()+"/authorize?"+authParams("login_hint", "mallory").Encode())
	if pg.status != http.StatusOK || !strings.Contains(pg.body, `value="mallory"`) {
		t.Errorf("unknown hint: status %d", pg.status)
	}
	// a posted form is checked by its password even when a hint rides along
	if pg := postForm(t, p.Issuer()+"/authorize", authParams("login_hint", "alice", "username", "alice", "password", "wrong")); pg.status != http.StatusUnauthorized {
		t.Errorf("posted form with a hint skipped the password: status %d", pg.status)
	}
	// without TrustLoginHint a hint only prefills the form
	p2 := startProvider(t, func(c *Config) { c.TrustLoginHint = false })
	if pg := get(t, p2.Issuer()+"/authorize?"+authParams("login_hint", "alice").Encode()); pg.status != http.StatusOK || pg.location != "" {
		t.Errorf("hint trusted without TrustLoginHint: status %d", pg.status)
	}
}

func TestAnyUserInventsUserFromHint(t *testing.T) {
	p := startProvider(t, func(c *Config) { c.AnyUser = true })
	c := newRP(t, p)
	tok := c.signIn(t, "zoe", "nonce-0123456789ab")
	claims := rawClaims(t, idToken(t, tok))
	if claims["sub"] != "zoe" || claims["email"] != "zoe@example.com" || claims["name"] != "Zoe" {
		t.Errorf("made-up user claims %v", claims)
	}
	// configured users keep their own claims
	if claims := rawClaims(t, idToken(t, c.signIn(t, "alice", "nonce-0123456789ab"))); claims["email"] != "alice@example.com" {
		t.Errorf("alice email %v", claims["email"])
	}
}

func TestAuthorizeRejectsOtherMethods(t *testing.T) {
	p := startProvider(t, nil)
	req, _ := http.NewRequest(http.MethodPut, p.Issuer()+"/authorize", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT: status %d", resp.StatusCode)
	}
}
