package oidcauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
)

// The token request of a sign-in carries none of the browser request's
// context values: in Caddy they hold the replacer, and through it the
// response writer and its connection's buffers, and Go's HTTP client may
// keep a finished request's context a while (a wait for a connection to
// the provider, done but still queued): after a burst of a thousand
// simultaneous sign-ins that kept megabytes of finished requests alive.
// The request's end still ends the token request.
func TestTokenRequestsCarryNoneOfTheBrowserRequestsValues(t *testing.T) {
	f := newBenchFixture(t)
	tokenCtx := make(chan context.Context, 1)
	f.tr.seen = func(r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/token") {
			tokenCtx <- r.Context()
		}
	}
	t.Run("values", func(t *testing.T) {
		cb := f.prepareCallback(t, "alice", true)
		if cb.Context().Value(caddy.ReplacerCtxKey) == nil {
			t.Fatal("the callback request has no replacer: the test proves nothing")
		}
		rec := httptest.NewRecorder()
		if err := f.m.ServeHTTP(rec, cb, benchNext); err != nil || rec.Code != http.StatusFound {
			t.Fatalf("callback: %d %v", rec.Code, err)
		}
		ctx := <-tokenCtx
		if ctx.Value(caddy.ReplacerCtxKey) != nil {
			t.Error("the token request's context holds the browser request's replacer")
		}
		if ctx.Err() == nil {
			t.Error("the token request's context was not ended with the callback")
		}
	})
	t.Run("cancellation", func(t *testing.T) {
		cb := f.prepareCallback(t, "alice", true)
		reqCtx, leave := context.WithCancel(cb.Context())
		cb = cb.WithContext(reqCtx)
		done := make(chan int)
		go func() {
			rec := httptest.NewRecorder()
			_ = f.m.ServeHTTP(rec, cb, benchNext)
			done <- rec.Code
		}()
		ctx := <-tokenCtx // the token request is under way (the transport answers it after this)
		leave()           // the browser goes away
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("the browser request ended, the token request's context did not")
		}
		<-done
	})
}

// A refresh, shared by every request that needs it, carries none of the
// request's values either: the refresh_token grant's context holds no
// replacer.
func TestRefreshRequestsCarryNoneOfTheBrowserRequestsValues(t *testing.T) {
	f := newBenchFixture(t)
	tokenCtx := make(chan context.Context, 1)
	cookies := f.signIn(t, "alice")
	f.tr.seen = func(r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/token") {
			tokenCtx <- r.Context()
		}
	}
	// alice's access token has expired and her session holds a refresh
	// token: the next page request refreshes it.
	r, _ := benchRequest(benchSite+"/", cookies)
	sess, err := f.m.jar.ReadSession(r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sess.RefreshToken, sess.TokenExpiry = "refresh-token-of-alice", time.Now().Add(-time.Minute)
	rec := httptest.NewRecorder()
	if err := f.m.jar.WriteSession(rec, nil, sess); err != nil {
		t.Fatal(err)
	}
	page, repl := benchRequest(benchSite+"/index.html", benchCookies(rec.Header()))
	if page.Context().Value(caddy.ReplacerCtxKey) != repl {
		t.Fatal("the page request has no replacer: the test proves nothing")
	}
	_ = f.m.ServeHTTP(httptest.NewRecorder(), page, benchNext)
	select {
	case ctx := <-tokenCtx:
		if ctx.Value(caddy.ReplacerCtxKey) != nil {
			t.Error("the refresh request's context holds the browser request's replacer")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no refresh_token grant was sent")
	}
}
