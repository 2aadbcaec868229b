package sitetests_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// Open-redirect vectors: as return_to on /auth/login and as the page first
// asked for. Each sign-in is completed, and the callback's Location must
// stay on the site.

// redirectVectors are values that browsers (or careless parsers) read as
// another host, or as a script.
var redirectVectors = []string{
	"//evil.example",
	`/\evil.example`,
	`\/evil.example`,
	"/\t/evil.example",
	"/\r/evil.example",
	"/\n/evil.example",
	"/%09/evil.example",
	"/%0d/evil.example",
	"/%0a/evil.example",
	"/%5cevil.example",
	"/%2f/evil.example",
	"///evil.example",
	"/.//evil.example",
	"//..",
	"//../evil.example",
	"/./%2fevil.example",
	"/x/..//evil.example",
	`/..\/evil.example`,
	"/%2e%2e%2f%2fevil.example",
	"https://evil.example",
	"http://127.0.0.1.evil.example",
	"http://127.0.0.1@evil.example",
	"javascript:alert(1)",
	"  //evil.example",
	" /\\evil.example",
	"\t//evil.example",
}

// onSite reports whether a Location stays on this site as a browser reads
// it: a path with a single leading "/" (no scheme, no host), no space or
// control characters (which browsers strip first), and still no "//" or
// "/\" at the start once percent-decoded, "\" read as "/" and dot segments
// resolved.
func onSite(loc string) bool {
	if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) {
		return false
	}
	for _, c := range loc {
		if c < 0x21 || c == 0x7f {
			return false
		}
	}
	pathPart := loc
	if i := strings.IndexAny(loc, "?#"); i >= 0 {
		pathPart = loc[:i]
	}
	decoded, err := url.PathUnescape(pathPart)
	if err != nil {
		return false
	}
	for _, p := range []string{pathPart, decoded} {
		p = rfcRemoveDotSegments(strings.ReplaceAll(p, `\`, "/"))
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\t\r\n") {
			return false
		}
	}
	return true
}

// rfcRemoveDotSegments is the algorithm of RFC 3986 section 5.2.4, step by
// step as the RFC writes it, as browsers apply it to a Location.
func rfcRemoveDotSegments(in string) string {
	var out []string // segments, each with its leading "/"
	pop := func() {
		if len(out) > 0 {
			out = out[:len(out)-1]
		}
	}
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			pop()
		case in == "/..":
			in = "/"
			pop()
		case in == "." || in == "..":
			in = ""
		default:
			end := strings.IndexByte(in[1:], '/') + 1
			if end == 0 {
				end = len(in)
			}
			out = append(out, in[:end])
			in = in[end:]
		}
	}
	return strings.Join(out, "")
}

func TestOnSiteJudgesLocations(t *testing.T) {
	for _, loc := range []string{"/", "/docs?a=1", "/a/b?next=//x", "/a/../b", "/a//b"} {
		if !onSite(loc) {
			t.Errorf("onSite(%q) = false", loc)
		}
	}
	for _, loc := range append([]string{"", "/%2f%2fevil", "/%5c%5cevil", "/./%2f/evil"}, redirectVectors...) {
		if onSite(loc) {
			t.Errorf("onSite(%q) = true", loc)
		}
	}
}

func TestUnsafeReturnToLandsOnTheSite(t *testing.T) {
	s := protectedSite(t, "")
	addr := strings.TrimPrefix(s.URL, "http://")
	completed := 0
	for _, v := range redirectVectors {
		// As a query value, encoded the way a client would (the value is v).
		completed += checkLanding(t, s, "return_to="+v, getRaw(t, addr, "/auth/login?return_to="+url.QueryEscape(v)))
		// Percent-encoded once more: the value holds v's bytes encoded.
		completed += checkLanding(t, s, "return_to (encoded)="+v, getRaw(t, addr, "/auth/login?return_to="+url.QueryEscape(url.PathEscape(v))))
		// Raw, as a hostile client sends it; the HTTP server may refuse it.
		completed += checkLanding(t, s, "raw return_to="+v, getRaw(t, addr, "/auth/login?return_to="+v))
	}
	if completed < 2*len(redirectVectors) {
		t.Errorf("only %d of %d sign-ins reached the callback", completed, 3*len(redirectVectors))
	}
	t.Logf("%d sign-ins with a hostile return_to completed", completed)
}

func TestUnsafeFirstPageLandsOnTheSite(t *testing.T) {
	s := protectedSite(t, "")
	addr := strings.TrimPrefix(s.URL, "http://")
	completed := 0
	for _, v := range redirectVectors {
		// The hostile value as the request target, byte for byte.
		resp := getRaw(t, addr, v)
		if resp.StatusCode == http.StatusFound {
			loc := resp.Header.Get("Location")
			if !strings.HasPrefix(loc, testsupport.LoginPath+"?") && loc != testsupport.LoginPath {
				t.Errorf("page %q: redirected to %q, want %s", v, loc, testsupport.LoginPath)
				continue
			}
			resp = getRaw(t, addr, loc)
		}
		if resp.StatusCode == http.StatusOK {
			// An absolute-form target for another host reaches no site:
			// Caddy answers its empty default, never the protected page.
			if body := testsupport.ReadBody(t, resp); body != "" {
				t.Errorf("page %q: 200 without a sign-in: %.100q", v, body)
			}
		}
		completed += checkLanding(t, s, "page "+v, resp)
	}
	// Percent-encoded in the path, which every client can send, and the
	// absolute form naming this very site.
	for _, v := range []string{"/%2f%2fevil.example", "/%5c%5cevil.example", "/%09/evil.example", "/%2e/%2fevil.example",
		s.URL + "//evil.example", s.URL + `/\evil.example`} {
		resp := getRaw(t, addr, v)
		if resp.StatusCode != http.StatusFound {
			t.Errorf("page %q: %d, want a redirect to sign in", v, resp.StatusCode)
			continue
		}
		completed += checkLanding(t, s, "page "+v, getRaw(t, addr, resp.Header.Get("Location")))
	}
	if completed < len(redirectVectors)/2 {
		t.Errorf("only %d hostile first pages led to a completed sign-in", completed)
	}
	t.Logf("%d sign-ins from a hostile first page completed", completed)
}

// getRaw opens target on addr as a browser navigation, byte for byte.
func getRaw(t *testing.T, addr, target string) *http.Response {
	t.Helper()
	return sendRawRequest(t, addr, target, http.Header{"Accept": {"text/html"}})
}

// checkLanding takes the answer to a /auth/login request through the
// provider and the callback, and checks that the callback lands on the
// site. It returns 1 when the sign-in completed, 0 when the request was
// refused before it started (by the HTTP server, as malformed).
func checkLanding(t *testing.T, s site, what string, start *http.Response) int {
	t.Helper()
	if start.StatusCode >= 500 {
		t.Errorf("%s: %d", what, start.StatusCode)
		return 0
	}
	if start.StatusCode != http.StatusFound {
		// Go's HTTP server refuses control characters and malformed targets
		// with 400 before Caddy sees them; nothing can redirect then. Caddy
		// answers a request for another host (an absolute-form target)
		// without any route: no redirect either.
		if loc := start.Header.Get("Location"); loc != "" {
			t.Errorf("%s: %d with Location %q", what, start.StatusCode, loc)
		}
		t.Logf("%q: answered %d before any sign-in", what, start.StatusCode)
		return 0
	}
	ls := loginStartFrom(t, start)
	cb := authorizeAs(t, ls, "alice")
	resp := getWithCookies(t, cb.String(), ls.cookie)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || len(testsupport.IdentityCookies(resp)) == 0 {
		t.Errorf("%s: the callback answered %d (Location %q), want a completed sign-in", what, resp.StatusCode, loc)
		return 0
	}
	if !onSite(loc) {
		t.Errorf("%s: the sign-in landed on %q, off the site", what, loc)
	} else if loc != "/" {
		t.Errorf("%s: the sign-in landed on %q, want / (an unsafe return_to is dropped)", what, loc)
	}
	return 1
}
