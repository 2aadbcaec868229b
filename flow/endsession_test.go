package flow

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

func TestEndSessionURL(t *testing.T) {
	r := newRig(t, nil)
	id, err := r.signIn(t)
	if err != nil {
		t.Fatal(err)
	}
	u, ok, err := r.p.EndSessionURL(context.Background(), id.IDToken, "http://127.0.0.1:9/", nil)
	if err != nil || !ok {
		t.Fatalf("ok %v, err %v", ok, err)
	}
	if !strings.HasPrefix(u, r.dev.Issuer()+"/end_session?") {
		t.Errorf("URL %q is not the provider's end_session_endpoint", u)
	}
	q := mustQuery(t, u)
	if q.Get("client_id") != testClientID || q.Get("post_logout_redirect_uri") != "http://127.0.0.1:9/" || q.Get("id_token_hint") != id.IDToken {
		t.Errorf("query %v", q)
	}
	// The provider accepts it and sends the browser back.
	resp, err := noRedirects.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "http://127.0.0.1:9/" {
		t.Errorf("provider answered %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// No hint, no redirect: those parameters are left out.
	u, _, _ = r.p.EndSessionURL(context.Background(), "", "", nil)
	if q := mustQuery(t, u); q.Has("id_token_hint") || q.Has("post_logout_redirect_uri") || q.Get("client_id") != testClientID {
		t.Errorf("query %v", q)
	}
}

func TestEndSessionURLParamsAndEndpointQuery(t *testing.T) {
	srv := metadataServer(t, func(md map[string]any) {
		md["end_session_endpoint"] = "https://login.example/logout?tenant=acme&returnTo=x"
	})
	p := mustProvider(t, Config{ClientID: "c", MetadataURL: srv.URL + wellKnownSuffix, RedirectURL: testRedirect})
	u, ok, err := p.EndSessionURL(context.Background(), "hint", "https://site.example/",
		map[string]string{"state": "s1", "returnTo": "https://site.example/bye", "id_token_hint": ""})
	if err != nil || !ok {
		t.Fatalf("ok %v, err %v", ok, err)
	}
	q := mustQuery(t, u)
	if !strings.HasPrefix(u, "https://login.example/logout?") {
		t.Errorf("URL %q", u)
	}
	for k, want := range map[string]string{
		"tenant": "acme", "returnTo": "https://site.example/bye", "state": "s1",
		"client_id": "c", "post_logout_redirect_uri": "https://site.example/",
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if q.Has("id_token_hint") {
		t.Error("an empty param value must remove the parameter")
	}
}

func TestEndSessionURLWithoutEndpoint(t *testing.T) {
	r := newRig(t, nil)
	r.dev.SetBehavior(devprovider.Behavior{NoEndSession: true})
	u, ok, err := r.p.EndSessionURL(context.Background(), "hint", "http://127.0.0.1:9/", nil)
	if err != nil || ok || u != "" {
		t.Fatalf("got %q, %v, %v; want \"\", false, nil", u, ok, err)
	}
}

func TestEndSessionURLProviderDown(t *testing.T) {
	r := newRig(t, nil)
	r.dev.SetBehavior(devprovider.Behavior{Down: true})
	_, ok, err := r.p.EndSessionURL(context.Background(), "", "", nil)
	wantClass(t, err, ErrUnavailable)
	if ok {
		t.Error("ok with an error")
	}
}
