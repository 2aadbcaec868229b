package oidcauth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/goleak"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/devprovider"
	"github.com/caddy-oidc-auth/oidcauth/flow"
	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// poolSite is a site on 127.0.0.1 protected by oidc_auth against its own
// development provider, run by in-process Caddy.
type poolSite struct {
	url      string
	port     int
	provider *devprovider.Provider
}

func protectedSite(t *testing.T) poolSite {
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, testsupport.SiteCaddyfile(t, port, p.MetadataURL(), "", `respond "{http.auth.user.email}"`))
	return poolSite{url: testsupport.SiteURL(port), port: port, provider: p}
}

// pooled lists what pool holds.
func pooled[T any](pool *caddy.UsagePool) []T {
	var out []T
	pool.Range(func(_, v any) bool {
		out = append(out, v.(T))
		return true
	})
	return out
}

// A reload that keeps the provider's config keeps the provider: a signed-in
// user's next request and a new sign-in fetch neither metadata nor keys
// again. A reload that changes it builds a new provider, which fetches
// both, and closes the old one.
func TestReloadKeepsProvidersConfiguredAlike(t *testing.T) {
	s := protectedSite(t)
	alice := testsupport.NewBrowser(t, "alice")
	if status, _ := alice.Get(s.url + "/"); status != 200 {
		t.Fatalf("sign-in: %d", status)
	}
	before := s.provider.Counts()
	if before.Discovery != 1 || before.JWKS != 1 {
		t.Fatalf("one sign-in fetched metadata %d and keys %d times, want 1 and 1", before.Discovery, before.JWKS)
	}
	old := pooled[*pooledProvider](providerPool)
	if len(old) != 1 {
		t.Fatalf("%d providers pooled, want 1", len(old))
	}

	testsupport.ReloadCaddy(t, testsupport.SiteCaddyfile(t, s.port, s.provider.MetadataURL(), "", `respond "again {http.auth.user.email}"`), alice.Client)
	alice.User = ""
	if status, body := alice.Get(s.url + "/"); status != 200 || body != "again alice@example.com" {
		t.Fatalf("signed-in user after the reload: %d %q", status, body)
	}
	if status, body := testsupport.NewBrowser(t, "bob").Get(s.url + "/"); status != 200 || body != "again bob@example.org" {
		t.Fatalf("sign-in after the reload: %d %q", status, body)
	}
	if c := s.provider.Counts(); c.Discovery != before.Discovery || c.JWKS != before.JWKS {
		t.Errorf("after a reload with the same provider: metadata fetched %d, keys %d times; want %d and %d",
			c.Discovery, c.JWKS, before.Discovery, before.JWKS)
	}

	testsupport.ReloadCaddy(t, testsupport.SiteCaddyfile(t, s.port, s.provider.MetadataURL(), "userinfo", `respond "changed {http.auth.user.email}"`), alice.Client)
	if status, body := testsupport.NewBrowser(t, "carol").Get(s.url + "/"); status != 200 || !strings.HasPrefix(body, "changed carol@") {
		t.Fatalf("sign-in after a reload with another provider config: %d %q", status, body)
	}
	if c := s.provider.Counts(); c.Discovery != before.Discovery+1 || c.JWKS != before.JWKS+1 {
		t.Errorf("after a reload with another provider config: metadata fetched %d, keys %d times; want %d and %d",
			c.Discovery, c.JWKS, before.Discovery+1, before.JWKS+1)
	}
	if n := len(pooled[*pooledProvider](providerPool)); n != 1 {
		t.Errorf("%d providers pooled, want 1: the old one was not given back", n)
	}
	if _, _, err := old[0].AuthCodeURL(context.Background(), flow.NewAuthRequest()); !errors.Is(err, flow.ErrClosed) {
		t.Errorf("the provider no config holds any more: %v, want it closed", err)
	}
}

// A reload that keeps the jar's config keeps its cache: a cookie opened
// before the reload is answered from the cache after it, not decrypted.
func TestReloadKeepsTheSessionCache(t *testing.T) {
	s := protectedSite(t)
	b := testsupport.NewBrowser(t, "alice")
	for range 3 { // the sign-in, then twice more: the cache admits a cookie on its second sighting
		if status, _ := b.Get(s.url + "/"); status != 200 {
			t.Fatalf("signed-in request: %d", status)
		}
	}
	jars := pooled[pooledJar](jarPool)
	if len(jars) != 1 {
		t.Fatalf("%d jars pooled, want 1", len(jars))
	}
	opened := jars[0].Opened()

	testsupport.ReloadCaddy(t, testsupport.SiteCaddyfile(t, s.port, s.provider.MetadataURL(), "", `respond "again {http.auth.user.email}"`), b.Client)
	b.User = ""
	if status, body := b.Get(s.url + "/"); status != 200 || body != "again alice@example.com" {
		t.Fatalf("after the reload: %d %q", status, body)
	}
	after := pooled[pooledJar](jarPool)
	if len(after) != 1 || after[0].Jar != jars[0].Jar {
		t.Fatalf("after the reload %d jars pooled, the same one: %v; want the one from before", len(after), len(after) == 1 && after[0].Jar == jars[0].Jar)
	}
	if got := after[0].Opened(); got != opened {
		t.Errorf("the cookie was decrypted %d more times after the reload, want 0 (answered from the cache)", got-opened)
	}
}

// Cleanup ends the fetches the handler started for requests that have
// gone: the discovery request is cancelled and no goroutine is left.
func TestCleanupEndsTheFetchesItStarted(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	arrived, ended := make(chan struct{}, 1), make(chan struct{}, 1)
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done() // a provider that never answers
		ended <- struct{}{}
	}))
	defer idp.Close()
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	m := &OIDCAuth{RedirectURI: "http://127.0.0.1:9/oauth2callback", CookieSecret: testsupport.CookieSecret,
		ClientID: testsupport.ClientID, ServerMetadataURL: idp.URL + "/.well-known/openid-configuration"}
	if err := m.Provision(ctx); err != nil {
		t.Fatal(err)
	}

	reqCtx, giveUp := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer giveUp()
	r := httptest.NewRequestWithContext(reqCtx, "GET", "/auth/login", nil)
	_ = m.ServeHTTP(httptest.NewRecorder(), r, nil) // gives up; the shared discovery goes on
	wait(t, "the discovery request", arrived)

	if err := m.Cleanup(); err != nil {
		t.Fatal(err)
	}
	wait(t, "the discovery request cancelled by Cleanup", ended)
	if err := m.Cleanup(); err != nil {
		t.Errorf("a second Cleanup: %v", err)
	}
	idp.Close()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

func wait[T any](t *testing.T, what string, ch <-chan T) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("never happened: %s", what)
	}
}

// The pool keys cover every field of the configs they stand for, so a new
// field cannot make two different providers or jars share one.
func TestPoolKeysCoverTheirConfigs(t *testing.T) {
	for _, c := range []struct {
		config, key any
		outside     []string // fields that do not define it
	}{
		{flow.Config{}, providerPoolKey{}, []string{"HTTPClient", "Now", "OnFetch"}},
		{cookie.JarConfig{}, jarPoolKey{}, []string{"Codec"}},
	} {
		ct, kt := reflect.TypeOf(c.config), reflect.TypeOf(c.key)
		for i := range ct.NumField() {
			name := ct.Field(i).Name
			if _, ok := kt.FieldByName(name); !ok && !slices.Contains(c.outside, name) {
				t.Errorf("%s.%s is not part of %s", ct, name, kt)
			}
		}
	}
}
