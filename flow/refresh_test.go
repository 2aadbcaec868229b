package flow

import (
	"context"
	"net/http"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

func TestRefresh(t *testing.T) {
	r := newRig(t, nil)
	first, err := r.signIn(t)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	next, err := r.p.Refresh(ctx, first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if next.AccessToken == "" || next.AccessToken == first.AccessToken {
		t.Error("no new access token")
	}
	if next.RefreshToken == "" || next.RefreshToken == first.RefreshToken {
		t.Error("the provider rotated the refresh token; the new one must come back")
	}
	if next.Subject != "alice" || next.Claims["email"] != "alice@example.com" || next.IDToken == "" {
		t.Errorf("refreshed identity: %q %v", next.Subject, next.Claims)
	}
	// The rotated-out refresh token is refused: the user must sign in again.
	_, err = r.p.Refresh(ctx, first.RefreshToken)
	wantClass(t, err, ErrRefreshRefused)
	_, err = r.p.Refresh(ctx, "")
	wantClass(t, err, ErrRefreshRefused)
	_, err = r.p.Refresh(ctx, "never-issued")
	wantClass(t, err, ErrRefreshRefused)
}

// A refreshed ID token is verified like any other.
func TestRefreshVerifiesTheNewIDToken(t *testing.T) {
	r := newRig(t, nil)
	first, err := r.signIn(t)
	if err != nil {
		t.Fatal(err)
	}
	r.dev.SetBehavior(devprovider.Behavior{BreakSignature: true})
	_, err = r.p.Refresh(context.Background(), first.RefreshToken)
	wantClass(t, err, ErrInvalidToken)
}

func TestRefreshProviderDown(t *testing.T) {
	r := newRig(t, nil)
	first, err := r.signIn(t)
	if err != nil {
		t.Fatal(err)
	}
	r.dev.SetBehavior(devprovider.Behavior{Down: true})
	_, err = r.p.Refresh(context.Background(), first.RefreshToken)
	wantClass(t, err, ErrUnavailable)
}

// A refresh response without an ID token: new tokens, no claims (the caller
// keeps the ones from sign-in), and the old refresh token when none came.
func TestRefreshWithoutIDToken(t *testing.T) {
	srv := metadataServerWith(t, nil, map[string]http.HandlerFunc{
		"/token": func(w http.ResponseWriter, r *http.Request) {
			if r.PostFormValue("grant_type") != "refresh_token" || r.PostFormValue("refresh_token") != "rt-1" {
				http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"at-2","token_type":"Bearer","expires_in":60}`))
		},
	})
	p := mustProvider(t, Config{ClientID: "c", ClientSecret: "s", MetadataURL: srv.URL + wellKnownSuffix, RedirectURL: testRedirect})
	id, err := p.Refresh(context.Background(), "rt-1")
	if err != nil {
		t.Fatal(err)
	}
	if id.AccessToken != "at-2" || id.RefreshToken != "rt-1" || id.TokenExpiry.IsZero() {
		t.Errorf("tokens: %+v", id)
	}
	if id.Claims != nil || id.IDToken != "" || id.Subject != "" {
		t.Errorf("claims must be left to the caller: %+v", id)
	}
}
