package pages

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteSendsThePageWithItsSecurityHeaders(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "http://example.com:8443/x", nil)
	err := Write(w, r, http.StatusBadGateway, Page{
		Title:   "Sign-in failed",
		Message: `The provider answered: <script>alert(1)</script>`,
		Link:    &Link{Href: "/auth/login", Label: "Try again"},
		Status:  http.StatusBadGateway,
	})
	if err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusBadGateway {
		t.Errorf("status %d", w.Code)
	}
	h := w.Header()
	if h.Get("Content-Type") != "text/html; charset=utf-8" || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") ||
		!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("headers: %v", h)
	}
	body := w.Body.String()
	for _, want := range []string{
		"<title>Sign-in failed · example.com</title>",
		`<a class="button primary" href="/auth/login">Try again</a>`,
		"&lt;script&gt;",
		"502 Bad Gateway",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("a message's markup reached the page unescaped")
	}
}

func TestWriteShowsSignInChoicesAndNoStatusWhenNoneIsGiven(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "http://[::1]:8080/", nil)
	if err := Write(w, r, http.StatusOK, Page{Title: "Sign in", Providers: []Link{{Href: "/auth/login?provider=google", Label: "Google"}}}); err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	if !strings.Contains(body, ">Sign in with Google</a>") || !strings.Contains(body, `<p class="site">[::1]</p>`) {
		t.Errorf("chooser page:\n%s", body)
	}
	if strings.Contains(body, `class="status"`) {
		t.Error("a status line without a status")
	}
}

func TestWriteAnswersHEADWithHeadersOnly(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodHead, "http://example.com/", nil)
	if err := Write(w, r, http.StatusForbidden, Page{Title: "Access denied"}); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusForbidden || w.Body.Len() != 0 || w.Header().Get("Content-Type") == "" {
		t.Errorf("HEAD: %d, %d body bytes, headers %v", w.Code, w.Body.Len(), w.Header())
	}
}
