package devprovider

import (
	"net/http"
	"testing"
)

func TestUnknownRouteIs404(t *testing.T) {
	p := startProvider(t, nil)
	for _, path := range []string{"/nope", "/", "/authorize/extra", "/.well-known/other"} {
		if pg := get(t, p.Issuer()+path); pg.status != http.StatusNotFound {
			t.Errorf("%s: status %d", path, pg.status)
		}
	}
	if c := p.Counts(); c != (Counts{}) {
		t.Errorf("unknown routes counted: %+v", c)
	}
}

func TestRouteStripsIssuerPath(t *testing.T) {
	p := &Provider{}
	for _, tc := range []struct{ issuer, path, route string }{
		{"http://h", "/token", "/token"},
		{"http://h/", "/token", "/token"},
		{"http://h/realms/dev", "/realms/dev/jwks", "/jwks"},
		{"http://h/realms/dev/", "/realms/dev/jwks", "/jwks"},
	} {
		if got, ok := p.route(tc.issuer, tc.path); !ok || got != tc.route {
			t.Errorf("route(%q, %q) = %q, %v", tc.issuer, tc.path, got, ok)
		}
	}
	if _, ok := p.route("http://h/realms/dev", "/realms/other/jwks"); ok {
		t.Error("a path outside the issuer was routed")
	}
}
