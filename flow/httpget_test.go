package flow

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGetJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"auth":"` + r.Header.Get("Authorization") + `"}`))
		case "/echo-error":
			http.Error(w, "you sent secret-code-123", http.StatusBadRequest)
		case "/huge":
			_, _ = w.Write([]byte(strings.Repeat("x", maxBody+10)))
		}
	}))
	defer srv.Close()
	p := bareProvider(Config{Name: "t", HTTPClient: srv.Client()})
	ctx := context.Background()

	body, ctype, err := p.getJSON(ctx, srv.URL+"/ok", "tok")
	if err != nil || string(body) != `{"auth":"Bearer tok"}` || ctype != "application/json" {
		t.Errorf("got %s %q %v", body, ctype, err)
	}
	_, _, err = p.getJSON(ctx, srv.URL+"/echo-error", "")
	if err == nil || strings.Contains(err.Error(), "secret-code-123") || !strings.Contains(err.Error(), "400") {
		t.Errorf("error %v: want the status, never the body", err)
	}
	if _, _, err = p.getJSON(ctx, srv.URL+"/huge", ""); err == nil {
		t.Error("an answer over the size cap was accepted")
	}
}
