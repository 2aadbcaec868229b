package flow

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanReturnToDomain is CleanReturnTo for a site that shares its sign-in
// with every site under domain (cookie_domain): raw is kept when
// CleanReturnTo keeps it, or when it is an absolute http(s) URL whose host
// is domain or a name under it ("https" only when httpsOnly), so that one
// callback site can send each user back to the site they came from.
//
// The authority must be a plain host name with an optional port: no
// userinfo ("https://example.com@evil.com"), no backslash, no
// percent-encoding, no IP literal, no empty label and no trailing dot, so
// that a browser cannot read another host into it. Anything else is "/".
// domain is lower case, without a leading dot.
func CleanReturnToDomain(raw, domain string, httpsOnly bool) string {
	if safeReturnTo(raw) {
		return raw
	}
	if domain != "" && safeAbsoluteReturnTo(raw, domain, httpsOnly) {
		return raw
	}
	return "/"
}

func safeAbsoluteReturnTo(raw, domain string, httpsOnly bool) bool {
	if len(raw) > maxReturnTo || !utf8.ValidString(raw) {
		return false
	}
	var rest string
	switch {
	case strings.HasPrefix(raw, "https://"):
		rest = raw[len("https://"):]
	case strings.HasPrefix(raw, "http://") && !httpsOnly:
		rest = raw[len("http://"):]
	default:
		return false
	}
	// The whole string, raw and decoded: no control characters anywhere
	// (browsers drop tabs and newlines, which would join what we split).
	all, err := url.PathUnescape(raw)
	if err != nil {
		return false
	}
	for _, s := range []string{raw, all} {
		for _, r := range s {
			if unicode.IsControl(r) {
				return false
			}
		}
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	host, port, hasPort := strings.Cut(authority, ":")
	if hasPort && !validPort(port) {
		return false
	}
	return UnderDomain(host, domain)
}

// UnderDomain reports whether host, a plain DNS name (letters, digits,
// "-" and "." only, in any case, no empty label), is domain or a name under
// it. domain is lower case, without a leading dot.
func UnderDomain(host, domain string) bool {
	if host == "" || domain == "" || len(host) > 253 {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	host = strings.ToLower(host)
	return host == domain || strings.HasSuffix(host, "."+domain)
}

func validPort(p string) bool {
	if p == "" || len(p) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
		n = n*10 + int(p[i]-'0')
	}
	return n >= 1 && n <= 65535
}
