package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeSite is a site and provider in one server, as small as the sign-in
// redirects need: /login sends to /authorize, which sends back to /callback
// naming the login_hint, which sets a session cookie unless failFor names
// that user.
func fakeSite(t *testing.T, failFor string) (*httptest.Server, map[string]int) {
	var mu sync.Mutex
	users := map[string]int{}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "state", Value: "s"})
		http.Redirect(w, r, "/authorize", http.StatusFound)
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/callback?user="+url.QueryEscape(r.URL.Query().Get("login_hint")), http.StatusFound)
	})
	mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		user := r.URL.Query().Get("user")
		if _, err := r.Cookie("state"); err != nil {
			http.Error(w, "no login state", http.StatusBadRequest)
			return
		}
		mu.Lock()
		users[user]++
		mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "state", MaxAge: -1})
		if user != failFor {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: user})
		}
		http.Redirect(w, r, "/page", http.StatusFound)
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		t.Error("the page after the callback was fetched")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, users
}

func TestSignInsAreDistinctUsersReportedAtEachStep(t *testing.T) {
	srv, users := fakeSite(t, "")
	var out bytes.Buffer
	if err := signIns(&out, srv.URL+"/login", "u", 25, 4, 10); err != nil {
		t.Fatal(err)
	}
	if len(users) != 25 {
		t.Errorf("%d distinct users signed in, want 25", len(users))
	}
	for i := range 25 {
		if n := users[fmt.Sprintf("u%06d", i)]; n != 1 {
			t.Errorf("u%06d signed in %d times", i, n)
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var got []string
	for _, l := range lines {
		got = append(got, strings.Fields(l)[1])
	}
	if strings.Join(got, " ") != "10 20 25" {
		t.Errorf("progress lines at %v, want at 10 20 25:\n%s", got, out.String())
	}
}

func TestSignInsStopAtTheFirstFailure(t *testing.T) {
	srv, _ := fakeSite(t, "u000003")
	err := signIns(&bytes.Buffer{}, srv.URL+"/login", "u", 50, 1, 10)
	if err == nil || !strings.Contains(err.Error(), "u000003") {
		t.Fatalf("got %v, want the failure of u000003", err)
	}
}
