package cookie

import (
	"net/http"
	"strings"
)

// Reading the Cookie header by hand, instead of r.Cookies(), costs no
// allocation per cookie: a request carries the site's other cookies too, and
// every request that the directive matches looks for the session.

// nextCookie splits the first "name=value" off a Cookie header, trimming the
// optional whitespace around each; rest is what follows the ';'.
func nextCookie(h string) (name, value, rest string) {
	seg := h
	if i := strings.IndexByte(h, ';'); i >= 0 {
		seg, rest = h[:i], h[i+1:]
	}
	name, value, _ = strings.Cut(seg, "=")
	return trimOWS(name), trimOWS(value), rest
}

// findCookie returns the value of the first cookie called name in one
// Cookie header that has a value, as parsing it with nextCookie would, by
// searching for the name: the cookies before it are skipped unparsed.
func findCookie(h, name string) (string, bool) {
	for off := 0; off < len(h); {
		i := strings.Index(h[off:], name)
		if i < 0 {
			return "", false
		}
		start := off + i
		off = start + 1
		// The name must start its cookie: nothing but whitespace back to a
		// ';' or the start of the header...
		k := start
		for k > 0 && (h[k-1] == ' ' || h[k-1] == '\t') {
			k--
		}
		if k > 0 && h[k-1] != ';' {
			continue
		}
		// ...and end at its '=', give or take whitespace.
		e := start + len(name)
		for e < len(h) && (h[e] == ' ' || h[e] == '\t') {
			e++
		}
		if e == len(h) || h[e] != '=' {
			continue
		}
		v := h[e+1:]
		if j := strings.IndexByte(v, ';'); j >= 0 {
			v = v[:j]
		}
		if v = trimOWS(v); v != "" {
			return v, true
		}
	}
	return "", false
}

func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// cookieValue returns the value of the first cookie called name.
func cookieValue(r *http.Request, name string) (string, bool) {
	for _, h := range r.Header["Cookie"] {
		for h != "" {
			var n, v string
			n, v, h = nextCookie(h)
			if n == name {
				return v, true
			}
		}
	}
	return "", false
}

// pieceIndex tells whether name is piece k (k ≥ 1) of the session cookie
// base, that is base + "_" + k in canonical decimal.
func pieceIndex(name, base string) (int, bool) {
	if len(name) <= len(base)+1 || name[:len(base)] != base || name[len(base)] != '_' {
		return 0, false
	}
	return parseCount(name[len(base)+1:])
}

// parseCount reads a small positive decimal without sign or leading zeros,
// so each piece has exactly one name.
func parseCount(s string) (int, bool) {
	if s == "" || len(s) > 4 || s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// stripCookies removes from one Cookie header every cookie whose name ours
// accepts, keeping everything else byte for byte: a removed cookie goes
// together with the ';' before it, and the result never starts with
// whitespace. It reports whether anything was removed; when nothing was, h
// comes back as it was, without allocating.
func stripCookies(h string, ours func(name string) bool) (string, bool) {
	isOurs := func(seg string) bool {
		name, _, _ := strings.Cut(seg, "=")
		return ours(trimOWS(name))
	}
	// Is anything ours, how much is kept, and do the kept cookies lie side
	// by side (ours all before them or all after them, as a session usually
	// is)? Then the kept part is a substring of h.
	found, keep := false, 0
	keptFrom, keptTo := -1, 0 // h[keptFrom:keptTo]: the first to the last kept cookie
	gap := false              // one of ours between two kept cookies
	for off := 0; off <= len(h); {
		end := segmentEnd(h, off)
		if isOurs(h[off:end]) {
			found = true
		} else {
			if keptFrom < 0 {
				keptFrom = off
			} else if keptTo != off-1 {
				gap = true
			}
			keptTo = end
			keep += end - off + 1
		}
		off = end + 1
	}
	if !found {
		return h, false
	}
	if keep == 0 {
		return "", true
	}
	kept := h[keptFrom:keptTo]
	if gap {
		// The kept cookies, joined by the ';' that separated them.
		var b strings.Builder
		b.Grow(keep)
		for off := keptFrom; off <= keptTo; {
			end := segmentEnd(h, off)
			if seg := h[off:end]; !isOurs(seg) {
				if off > keptFrom {
					b.WriteByte(';')
				}
				b.WriteString(seg)
			}
			off = end + 1
		}
		kept = b.String()
	}
	// The result starts at the first kept cookie with something in it.
	return strings.TrimLeft(kept, " \t;"), true
}

// segmentEnd is where the cookie that starts at off in h ends: at the next
// ';', or at the end of h.
func segmentEnd(h string, off int) int {
	if i := strings.IndexByte(h[off:], ';'); i >= 0 {
		return off + i
	}
	return len(h)
}
