package flow

import (
	"net/url"
	"strings"
	"testing"
)

func TestCleanReturnToDomainKeepsSitesUnderTheDomain(t *testing.T) {
	for _, raw := range []string{
		"/dashboard?x=1", // a path on this site, as before
		"https://example.com/",
		"https://app1.example.com",
		"https://app1.example.com/page?q=1#top",
		"https://APP2.Example.com:8443/a/b",
		"https://deep.app2.example.com/",
		"https://app1.example.com?x=1",
	} {
		if got := CleanReturnToDomain(raw, "example.com", true); got != raw {
			t.Errorf("CleanReturnToDomain(%q) = %q, want it kept", raw, got)
		}
	}
	if got := CleanReturnToDomain("http://app1.example.com/", "example.com", false); got != "http://app1.example.com/" {
		t.Errorf("http return_to on an http domain: %q", got)
	}
}

func TestCleanReturnToDomainRefusesEverythingElse(t *testing.T) {
	for _, raw := range []string{
		"https://example.com.evil.com/",
		"https://evilexample.com/",
		"https://example.com@evil.com/",
		"https://user:pw@app1.example.com/",
		"https://app1.example.com\\@evil.com/",
		"https://evil.com\\.example.com/",
		`https:\\app1.example.com/`,
		`https:/\evil.com`,
		"https:evil.com",
		"http://app1.example.com/", // redirect_uri is https
		"HTTPS://evil.com/",
		"javascript://app1.example.com/%0aalert(1)",
		"ftp://app1.example.com/",
		"//app1.example.com/",
		"https://app1.example.com./",
		"https://app1..example.com/",
		"https://.example.com/",
		"https://app1.example.com:/",
		"https://app1.example.com:99999/",
		"https://app1.example.com:80x/",
		"https://[::1]/",
		"https://127.0.0.1/",
		"https://app1.exam%70le.com/",
		"https://app1.example.com%2f@evil.com/",
		"https://app1.example.com/\nSet-Cookie:x=y",
		"https://app1.example.com/%0d%0aSet-Cookie:x=y",
		"https://app1.exa\tmple.com/",
		"https://app1.example.com/bad%zz",
		"https://app1.example.com/" + strings.Repeat("a", 3000),
		"https://caf\u00e9.example.com/",
	} {
		if got := CleanReturnToDomain(raw, "example.com", true); got != "/" {
			t.Errorf("CleanReturnToDomain(%q) = %q, want \"/\"", raw, got)
		}
	}
	// Without a domain, nothing absolute is kept.
	if got := CleanReturnToDomain("https://app1.example.com/", "", true); got != "/" {
		t.Errorf("no domain: %q", got)
	}
}

// checkDomainReturnTo is what FuzzCleanReturnTo asserts of an absolute
// return_to kept for the domain example.com: a browser goes to a host
// under it, over https, with no userinfo.
func checkDomainReturnTo(t *testing.T, raw, got string) {
	t.Helper()
	if got == "/" || got == CleanReturnTo(raw) {
		return
	}
	if got != raw {
		t.Fatalf("CleanReturnToDomain(%q) = %q: neither \"/\" nor the input", raw, got)
	}
	u, err := url.Parse(got)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Opaque != "" {
		t.Fatalf("CleanReturnToDomain(%q) kept a URL that is not plain https: %v", raw, err)
	}
	// The authority ends at the first "/", "?" or "#" (RFC 3986 3.2), as a
	// browser reads it: "https://example.com#@evil" is example.com.
	authority := got[len("https://"):]
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if strings.ContainsAny(authority, `\@%[]`) {
		t.Fatalf("CleanReturnToDomain(%q): authority %q", raw, authority)
	}
	h := strings.ToLower(u.Hostname())
	if h != "example.com" && !strings.HasSuffix(h, ".example.com") {
		t.Fatalf("CleanReturnToDomain(%q) leads to host %q", raw, h)
	}
}
