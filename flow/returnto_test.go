package flow

import (
	"strings"
	"testing"
	"unicode"
)

func TestCleanReturnToKeepsSafePaths(t *testing.T) {
	for _, raw := range []string{
		"/",
		"/dashboard",
		"/a/b/c.html",
		"/search?q=cats&page=2",
		"/report?from=2024-01-01&to=2024-02-01#summary",
		"/a/./b",           // stays on this site after the browser resolves it
		"/a/../b",          // likewise
		"/files/%E2%9C%93", // percent-encoded UTF-8
		"/caf\u00e9",
		"/path%20with%20spaces",
		"/q?next=//not-a-host-here", // "//" in the query is just data
		"/a//b",                     // doubled slash inside the path is not a host
	} {
		if got := CleanReturnTo(raw); got != raw {
			t.Errorf("CleanReturnTo(%q) = %q, want it kept", raw, got)
		}
	}
}

func TestCleanReturnToRefusesOffSiteAndControlChars(t *testing.T) {
	for _, raw := range []string{
		"",
		"//evil.example",
		"///evil.example",
		`/\evil.example`,
		`\/evil.example`,
		`\\evil.example`,
		"/.//evil.example",
		"//..", // the host "..", before the dots are resolved
		"//../evil",
		`\\/..`,
		"/./\\evil.example",
		"/a/..//evil.example",
		"/../..//evil.example",
		"/%2e//evil.example",    // %2e is "." to a browser
		"/%2E%2E//evil.example", // and %2E%2E is ".."
		"/%2F%2Fevil.example",   // decodes to "///"
		"/%5Cevil.example",      // decodes to "/\"
		"https://evil.example",
		"http://evil.example/",
		"javascript:alert(1)",
		"JavaScript:alert(1)",
		"data:text/html,hi",
		" /dashboard",
		"\t/dashboard",
		"dashboard",
		"/dash\tboard",
		"/dash\nboard",
		"/dash\rboard",
		"/dash\x00board",
		"/dash\x7fboard",
		"/dash\u0085board", // C1 control (NEL)
		"/dash%09board",
		"/dash%0aboard",
		"/dash%0Dboard",
		"/dash%00board",
		"/dash%7fboard",
		"/ok?x=%0d%0aSet-Cookie:%20a=b", // header splitting through the query
		"/ok?x=\r\nSet-Cookie: a=b",
		"/bad%zzescape",
		"/bad%",
		"/\xff\xfe", // not UTF-8
		"/" + strings.Repeat("a", 3000),
	} {
		if got := CleanReturnTo(raw); got != "/" {
			t.Errorf("CleanReturnTo(%q) = %q, want \"/\"", raw, got)
		}
	}
}

// FuzzCleanReturnTo: whatever comes in, what goes out is "/" or the input,
// and always a path on this site with no control characters.
func FuzzCleanReturnTo(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "//evil", `/\evil`, "/.//evil", "/%2e//x", "/a%0ab", "javascript:x", " /x",
		"https://app1.example.com/x", "https://example.com@evil.com/", "https://example.com.evil.com/", `https://a.example.com\@evil.com`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := CleanReturnTo(raw)
		if got != "/" && got != raw {
			t.Fatalf("CleanReturnTo(%q) = %q: neither \"/\" nor the input", raw, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, `/\`) {
			t.Fatalf("CleanReturnTo(%q) = %q: not a path on this site", raw, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) {
				t.Fatalf("CleanReturnTo(%q) = %q: holds a control character", raw, got)
			}
		}
		// The cookie_domain form: a path as above, or a URL under the domain.
		dom := CleanReturnToDomain(raw, "example.com", true)
		checkDomainReturnTo(t, raw, dom)
		for _, r := range dom {
			if unicode.IsControl(r) {
				t.Fatalf("CleanReturnToDomain(%q) = %q: holds a control character", raw, dom)
			}
		}
	})
}
