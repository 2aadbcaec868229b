package devprovider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// A standard relying party (go-oidc + x/oauth2) signs in against the correct provider and
// gets verified claims and userinfo.
func TestStandardRelyingPartySignsIn(t *testing.T) {
	p := startProvider(t, nil)
	c := newRP(t, p)
	tok := c.signIn(t, "bob", "nonce-abcdefghijklmnop")

	id, err := c.verifier.Verify(context.Background(), idToken(t, tok))
	if err != nil {
		t.Fatalf("go-oidc rejects the ID token: %v", err)
	}
	if id.Subject != "bob" || id.Nonce != "nonce-abcdefghijklmnop" || id.Issuer != p.Issuer() {
		t.Errorf("sub=%q nonce=%q iss=%q", id.Subject, id.Nonce, id.Issuer)
	}
	var claims struct {
		Email    string   `json:"email"`
		Verified bool     `json:"email_verified"`
		Name     string   `json:"name"`
		Groups   []string `json:"groups"`
		AuthTime int64    `json:"auth_time"`
		Sid      string   `json:"sid"`
	}
	if err := id.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if claims.Email != "bob@example.org" || !claims.Verified || claims.Name != "Bob Builder" ||
		strings.Join(claims.Groups, ",") != "admins,staff" || claims.AuthTime == 0 || claims.Sid == "" {
		t.Errorf("ID token claims: %+v", claims)
	}

	ui, err := c.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if ui.Subject != "bob" || ui.Email != "bob@example.org" {
		t.Errorf("userinfo sub=%q email=%q", ui.Subject, ui.Email)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"user without name":   {Users: []User{{Password: "x"}}},
		"duplicate user":      {Users: []User{{Username: "a"}, {Username: "a"}}},
		"client without id":   {Clients: []Client{{Secret: "x"}}},
		"duplicate client":    {Clients: []Client{{ID: "a"}, {ID: "a"}}},
		"relative redirect":   {Clients: []Client{{ID: "a", RedirectURIs: []string{"/cb"}}}},
		"issuer not a URL":    {Issuer: "localhost:8080"},
		"issuer with a query": {Issuer: "http://127.0.0.1/?x=1"},
		"negative TTL":        {TokenTTL: -time.Second},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

func TestStartFixesIssuerAndMetadataURL(t *testing.T) {
	p := startProvider(t, nil)
	iss := p.Issuer()
	if !strings.HasPrefix(iss, "http://127.0.0.1:") || strings.HasSuffix(iss, "/") {
		t.Fatalf("issuer %q", iss)
	}
	if p.MetadataURL() != iss+"/.well-known/openid-configuration" {
		t.Errorf("MetadataURL %q", p.MetadataURL())
	}
	if _, err := p.Start(); err == nil {
		t.Error("a second Start succeeded")
	}
	if err := p.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := http.Get(iss + routeDiscovery); err == nil {
		t.Error("still serving after Close")
	}
}

// Behind httptest without a configured issuer, the issuer follows the request's host.
func TestServeHTTPBehindHTTPTest(t *testing.T) {
	p, err := New(Config{Clients: []Client{{ID: testClientID, Secret: testClientSecret}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	defer srv.Close()
	op, err := oidc.NewProvider(context.Background(), srv.URL)
	if err != nil {
		t.Fatalf("discovery behind httptest: %v", err)
	}
	if op.Endpoint().TokenURL != srv.URL+"/token" {
		t.Errorf("token endpoint %q", op.Endpoint().TokenURL)
	}
	if p.Issuer() != "" || p.MetadataURL() != "" {
		t.Errorf("Issuer()=%q MetadataURL()=%q before it is fixed", p.Issuer(), p.MetadataURL())
	}
}

// An issuer with a path and a trailing slash (as Auth0's) is served under that path and
// kept exactly in tokens.
func TestIssuerWithPathAndTrailingSlash(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	base := "http://" + srv.Listener.Addr().String()
	p, err := New(Config{Issuer: base + "/tenant/", Users: DemoUsers(), TrustLoginHint: true,
		Clients: []Client{{ID: testClientID, Secret: testClientSecret}}})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/tenant/", p)
	srv.Start()
	defer srv.Close()
	if p.MetadataURL() != base+"/tenant/.well-known/openid-configuration" {
		t.Fatalf("MetadataURL %q", p.MetadataURL())
	}
	c := newRP(t, p)
	tok := c.signIn(t, "alice", "n-0123456789abcdef")
	id, err := c.verifier.Verify(context.Background(), idToken(t, tok))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if id.Issuer != base+"/tenant/" {
		t.Errorf("iss %q", id.Issuer)
	}
	if c.oauth.Endpoint.TokenURL != base+"/tenant/token" {
		t.Errorf("token endpoint %q", c.oauth.Endpoint.TokenURL)
	}
}

func TestCountsAndLastAuthorize(t *testing.T) {
	p := startProvider(t, nil)
	if p.LastAuthorize() != nil {
		t.Error("LastAuthorize before any request")
	}
	c := newRP(t, p)
	tok := c.signIn(t, "alice", "nonce-0123456789ab")
	if _, err := c.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.verifier.Verify(context.Background(), idToken(t, tok)); err != nil {
		t.Fatal(err)
	}
	got := p.Counts()
	want := Counts{Discovery: 1, JWKS: 1, Authorize: 1, Token: 1, Userinfo: 1}
	if got != want {
		t.Errorf("Counts %+v, want %+v", got, want)
	}
	q := p.LastAuthorize()
	if q.Get("login_hint") != "alice" || q.Get("code_challenge_method") != "S256" || q.Get("client_id") != testClientID {
		t.Errorf("LastAuthorize %v", q)
	}
	q.Set("client_id", "changed")
	if p.LastAuthorize().Get("client_id") != testClientID {
		t.Error("LastAuthorize hands out its own map")
	}
}
