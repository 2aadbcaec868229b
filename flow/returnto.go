package flow

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxReturnTo keeps return_to small enough for the login-state cookie.
const maxReturnTo = 2048

// CleanReturnTo returns raw when it is a safe path on this site, else "/".
// Safe means: starts with "/", keeps to this host however a browser reads it
// (no "//", "/\", "\/", and none after removing dot segments, decoded or
// not), no control characters raw or percent-encoded, valid UTF-8 and
// percent-encoding, at most 2048 bytes. The query string is kept.
func CleanReturnTo(raw string) string {
	if !safeReturnTo(raw) {
		return "/"
	}
	return raw
}

func safeReturnTo(raw string) bool {
	if raw == "" || len(raw) > maxReturnTo || raw[0] != '/' || !utf8.ValidString(raw) {
		return false
	}
	for _, r := range raw {
		if unicode.IsControl(r) {
			return false
		}
	}
	pathPart := raw
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		pathPart = raw[:i]
	}
	decoded, err := url.PathUnescape(pathPart)
	if err != nil {
		return false
	}
	// The whole string decoded: catches %0a, %00… in the query too.
	all, err := url.PathUnescape(raw)
	if err != nil {
		return false
	}
	for _, r := range all {
		if unicode.IsControl(r) {
			return false
		}
	}
	// Browsers read "\" as "/" in http(s) URLs and resolve "." and ".."
	// (also as %2e), so judge the path the way they will.
	// Both before and after removing them: "//.." names the host ".."
	// before a browser ever gets to resolve the dots.
	for _, p := range []string{pathPart, decoded} {
		p = strings.ReplaceAll(p, `\`, "/")
		for _, q := range []string{p, removeDotSegments(p)} {
			if !strings.HasPrefix(q, "/") || strings.HasPrefix(q, "//") {
				return false
			}
		}
	}
	return true
}

// removeDotSegments is RFC 3986 section 5.2.4, without collapsing "//" (a
// collapse would hide exactly what we look for).
func removeDotSegments(p string) string {
	in := strings.Split(p, "/")
	var out []string
	for i, seg := range in {
		last := i == len(in)-1
		switch seg {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	return strings.Join(out, "/")
}
