package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
)

const testSecret = "mint-test-secret-0123456789abcdef"

func testJar(t *testing.T) *cookie.Jar {
	jar, err := siteJar(testSecret, "http://127.0.0.1:8080/oauth2callback", "http://127.0.0.1:5556", "bench")
	if err != nil {
		t.Fatal(err)
	}
	return jar
}

// modelCookie is the Cookie header of a session as oidc_auth would set it.
func modelCookie(t *testing.T) string {
	w := httptest.NewRecorder()
	claims, err := cookie.ClaimsFromJSON([]byte(`{"sub":"alice","email":"alice@example.com","name":"Alice","iss":"http://127.0.0.1:5556"}`))
	if err != nil {
		t.Fatal(err)
	}
	s := &cookie.Session{Provider: "default", Subject: "alice", IDToken: "header.payload.signature", Claims: claims}
	if err := testJar(t).WriteSession(w, nil, s); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, c := range w.Result().Cookies() {
		if c.Path == "/" { // what a page request carries: not the sign-out hint
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	return strings.Join(parts, "; ")
}

func TestMintedCookiesOpenAsDistinctUsers(t *testing.T) {
	var out bytes.Buffer
	if err := mint(&out, testJar(t), modelCookie(t), 3); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3", len(lines))
	}
	jar := testJar(t)
	for i, line := range lines {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Cookie", line)
		s, err := jar.ReadSession(r, time.Now())
		if err != nil {
			t.Fatalf("line %d does not open: %v", i, err)
		}
		want := []string{"user000000", "user000001", "user000002"}[i]
		if s.Subject != want || s.ClaimMap()["email"] != want+"@example.com" || s.ClaimMap()["iss"] != "http://127.0.0.1:5556" {
			t.Errorf("line %d: sub %q, claims %v", i, s.Subject, s.ClaimMap())
		}
		if s.Provider != "default" {
			t.Errorf("line %d: the model's provider was not kept", i)
		}
		if s.IDToken != "" || strings.Contains(line, "_hint") {
			t.Errorf("line %d carries the ID token, which a page request does not", i)
		}
	}
}

func TestMintRefusesAModelItCannotOpen(t *testing.T) {
	other, err := siteJar("another secret", "http://127.0.0.1:8080/oauth2callback", "http://127.0.0.1:5556", "bench")
	if err != nil {
		t.Fatal(err)
	}
	if err := mint(&bytes.Buffer{}, other, modelCookie(t), 1); err == nil {
		t.Error("a model sealed with another secret was accepted")
	}
	elsewhere, _ := siteJar(testSecret, "http://127.0.0.1:8081/oauth2callback", "http://127.0.0.1:5556", "bench")
	if err := mint(&bytes.Buffer{}, elsewhere, modelCookie(t), 1); err == nil {
		t.Error("a model of another site was accepted")
	}
	if err := mint(&bytes.Buffer{}, testJar(t), "theme=dark", 1); err == nil {
		t.Error("a Cookie header without a session was accepted")
	}
}
