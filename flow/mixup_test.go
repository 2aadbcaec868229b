package flow

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// RFC 9207: an iss on the authorization response must be the provider's
// issuer, exactly; a provider that promises iss must send it.
func TestCheckAuthorizationResponse(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, nil)
	iss := r.dev.Issuer()
	if _, known := r.p.IssParameterSupported(); known {
		t.Error("IssParameterSupported known before discovery")
	}
	for _, c := range []struct {
		name string
		q    url.Values
		ok   bool
	}{
		{"no iss from a provider that does not promise it", url.Values{"code": {"c"}}, true},
		{"its own iss", url.Values{"code": {"c"}, "iss": {iss}}, true},
		{"another issuer", url.Values{"code": {"c"}, "iss": {"https://evil.example"}}, false},
		{"trailing slash added", url.Values{"code": {"c"}, "iss": {iss + "/"}}, false},
		{"upper case", url.Values{"code": {"c"}, "iss": {strings.ToUpper(iss)}}, false},
		{"empty iss", url.Values{"code": {"c"}, "iss": {""}}, false},
		{"twice", url.Values{"code": {"c"}, "iss": {iss, "https://evil.example"}}, false},
		{"error response from another issuer", url.Values{"error": {"access_denied"}, "iss": {"https://evil.example"}}, false},
	} {
		err := r.p.CheckAuthorizationResponse(ctx, c.q)
		if c.ok && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if !c.ok {
			wantClass(t, err, ErrMixUp)
		}
	}
	err := r.p.CheckAuthorizationResponse(ctx, url.Values{"iss": {"https://evil.example"}})
	if msg := err.Error(); !strings.Contains(msg, iss) || !strings.Contains(msg, "https://evil.example") || !strings.Contains(msg, `"dev"`) {
		t.Errorf("message %q should name the provider, the expected and the received issuer", msg)
	}
	if supported, known := r.p.IssParameterSupported(); supported || !known {
		t.Errorf("IssParameterSupported = %v, %v; want false, true", supported, known)
	}
}

func TestResponseWithoutIssIsRefusedWhenTheProviderPromisesIt(t *testing.T) {
	ctx := context.Background()
	dev := startDev(t, devprovider.Client{ID: testClientID, Secret: testClientSecret}, func(c *devprovider.Config) { c.IssParameter = true })
	r := newRig(t, func(c *Config) { c.MetadataURL = dev.MetadataURL() })
	r.dev = dev

	// A real response carries iss, and passes.
	req := NewAuthRequest()
	q := r.authorize(t, req)
	if err := r.p.CheckAuthorizationResponse(ctx, q); err != nil {
		t.Fatalf("the provider's own response: %v", err)
	}
	if _, err := r.p.Exchange(ctx, q.Get("code"), req); err != nil {
		t.Fatalf("sign-in after the check: %v", err)
	}
	if supported, known := r.p.IssParameterSupported(); !supported || !known {
		t.Errorf("IssParameterSupported = %v, %v; want true, true", supported, known)
	}
	q.Del("iss")
	wantClass(t, r.p.CheckAuthorizationResponse(ctx, q), ErrMixUp)
	wantClass(t, r.p.CheckAuthorizationResponse(ctx, url.Values{"error": {"access_denied"}}), ErrMixUp)
}

// Discovery failures are the usual classes, not a mix-up.
func TestCheckAuthorizationResponseWhileTheProviderIsDown(t *testing.T) {
	r := newRig(t, nil)
	r.dev.SetBehavior(devprovider.Behavior{Down: true})
	wantClass(t, r.p.CheckAuthorizationResponse(context.Background(), url.Values{"iss": {"x"}}), ErrUnavailable)
	if _, known := r.p.IssParameterSupported(); known {
		t.Error("known after a failed discovery")
	}
}
