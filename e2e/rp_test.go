package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// tinyRP is the smallest relying party that proves the harness: "/" sends the
// browser to Dex, "/callback" exchanges the code, verifies the ID token and
// shows the user's email in #email. It stands in for Caddy with oidc_auth until
// the tests drive the real module.
type tinyRP struct {
	srv *httptest.Server

	mu       sync.Mutex
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// rpStateCookie holds the state of the sign-in in progress.
const rpStateCookie = "tiny_rp_state"

// newTinyRP starts the relying party on 127.0.0.1; it answers 503 until
// connect gives it a provider. Its redirect URI is RedirectURI().
func newTinyRP(t testing.TB) *tinyRP {
	t.Helper()
	rp := &tinyRP{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", rp.login)
	mux.HandleFunc("GET /callback", rp.callback)
	rp.srv = httptest.NewServer(mux)
	t.Cleanup(rp.srv.Close)
	return rp
}

// URL is the page a browser opens to sign in.
func (rp *tinyRP) URL() string { return rp.srv.URL + "/" }

// RedirectURI is where the provider sends the browser back.
func (rp *tinyRP) RedirectURI() string { return rp.srv.URL + "/callback" }

// connect discovers the provider at issuer and makes the RP use it as client.
func (rp *tinyRP) connect(issuer string, client dexClient) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return fmt.Errorf("discovering %s: %w", issuer, err)
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.oauth = &oauth2.Config{
		ClientID:     client.ID,
		ClientSecret: client.Secret,
		RedirectURL:  rp.RedirectURI(),
		Endpoint:     p.Endpoint(),
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
	rp.verifier = p.Verifier(&oidc.Config{ClientID: client.ID})
	return nil
}

func (rp *tinyRP) config() (*oauth2.Config, *oidc.IDTokenVerifier) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.oauth, rp.verifier
}

func (rp *tinyRP) login(w http.ResponseWriter, r *http.Request) {
	conf, _ := rp.config()
	if conf == nil {
		http.Error(w, "no provider yet", http.StatusServiceUnavailable)
		return
	}
	b := make([]byte, 18)
	rand.Read(b)
	state := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: rpStateCookie, Value: state, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, conf.AuthCodeURL(state), http.StatusFound)
}

var rpSignedIn = template.Must(template.New("").Parse(
	`<!doctype html><title>Signed in</title><p>Signed in as <b id="email">{{.}}</b></p>`))

func (rp *tinyRP) callback(w http.ResponseWriter, r *http.Request) {
	conf, verifier := rp.config()
	c, err := r.Cookie(rpStateCookie)
	if conf == nil || err != nil || c.Value == "" || r.FormValue("state") != c.Value {
		http.Error(w, "unexpected callback: state does not match", http.StatusBadRequest)
		return
	}
	tok, err := conf.Exchange(r.Context(), r.FormValue("code"))
	if err != nil {
		http.Error(w, "code exchange failed: "+err.Error(), http.StatusBadGateway)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idTok, err := verifier.Verify(r.Context(), raw)
	if err != nil {
		http.Error(w, "ID token rejected: "+err.Error(), http.StatusBadGateway)
		return
	}
	var claims struct {
		Email string `json:"email"`
	}
	if err := idTok.Claims(&claims); err != nil {
		http.Error(w, "ID token claims: "+err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	rpSignedIn.Execute(w, claims.Email)
}

func TestTinyRPRefusesCallbackWithoutItsState(t *testing.T) {
	rp := newTinyRP(t)
	resp, err := http.Get(rp.RedirectURI() + "?state=forged&code=x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400", resp.StatusCode)
	}
}
