package cookie

import (
	"net/http"
	"strconv"
	"strings"
)

// A session that outgrows one cookie is sealed whole and then cut into
// pieces: name, name_1, name_2, ... The first piece starts with the piece
// count ("3.") so that stale pieces of an earlier, longer session are
// ignored. Since the seal covers the whole, a missing, reordered or foreign
// piece makes it fail to open: every piece is needed.

const (
	// maxSetCookieLine bounds each whole header line, "Set-Cookie: " and
	// attributes included, below the 4096 bytes browsers keep per cookie.
	maxSetCookieLine = 4096
	setCookiePrefix  = len("Set-Cookie: ")
	// maxPieces bounds how many pieces are written or read.
	maxPieces = 32
)

// pieceName is the name of piece k of the cookie called base.
func pieceName(base string, k int) string {
	if k == 0 {
		return base
	}
	return base + "_" + strconv.Itoa(k)
}

// attrLen is the length of the attributes a cookie's Set-Cookie line carries
// after its "name=value".
func attrLen(c *http.Cookie) int {
	e := *c
	e.Value = ""
	return len(e.String()) - len(e.Name) - 1
}

// splitSizes cuts a sealed value of total characters into pieces whose
// Set-Cookie lines stay within maxSetCookieLine, given the base name and the
// attributes' length. It returns each piece's share of the sealed value (the
// first piece also carries the count prefix), or nil when more than
// maxPieces would be needed.
func splitSizes(total int, base string, attrs int) []int {
	for count := 1; count <= maxPieces; count++ {
		sizes := make([]int, count)
		left := total
		for k := range count {
			room := maxSetCookieLine - setCookiePrefix - len(pieceName(base, k)) - 1 - attrs
			if k == 0 {
				room -= len(countPrefix(count))
			}
			sizes[k] = max(min(room, left), 0)
			left -= sizes[k]
		}
		if left == 0 {
			return sizes
		}
	}
	return nil
}

// countPrefix starts the first piece: the number of pieces and a '.', which
// base64url never uses.
func countPrefix(count int) string { return strconv.Itoa(count) + "." }

// splitValue cuts sealed into the values of the pieces.
func splitValue(sealed string, sizes []int) []string {
	values := make([]string, len(sizes))
	off := 0
	for k, n := range sizes {
		values[k] = sealed[off : off+n]
		off += n
	}
	values[0] = countPrefix(len(sizes)) + values[0]
	return values
}

// joinPieces is the sealed value made of the first piece and the others.
func joinPieces(first string, others []string) string {
	if len(others) == 0 {
		return first
	}
	return first + strings.Join(others, "")
}

// headerSize is how many bytes of Cookie request header the pieces take:
// "name=value" each, joined by "; ".
func headerSize(base string, sizes []int) int {
	n := 2 * (len(sizes) - 1)
	for k, size := range sizes {
		n += len(pieceName(base, k)) + 1 + size
	}
	return n + len(countPrefix(len(sizes)))
}

// readPieces finds the session cookie base and its pieces in r's Cookie
// headers, without allocating. It returns the first piece's value without
// the count prefix, and the others in order in rest[:count-1]. found is false
// when there is no base cookie (or an empty one); ok is false when the count
// prefix is malformed or a piece is missing.
func readPieces(r *http.Request, base string, rest *[maxPieces - 1]string) (first string, count int, found, ok bool) {
	// A session of one cookie, the usual kind, is found by searching for
	// its name instead of parsing every cookie before it.
	for _, h := range r.Header["Cookie"] {
		if v, ok := findCookie(h, base); ok {
			if v, one := strings.CutPrefix(v, "1."); one {
				return v, 1, true, true
			}
			break
		}
	}
	return readAllPieces(r, base, rest)
}

// readAllPieces is readPieces by parsing every cookie.
func readAllPieces(r *http.Request, base string, rest *[maxPieces - 1]string) (first string, count int, found, ok bool) {
	var have [maxPieces - 1]bool
	for _, h := range r.Header["Cookie"] {
		for h != "" {
			var name, value string
			name, value, h = nextCookie(h)
			if name == base {
				if !found && value != "" {
					first, found = value, true
				}
			} else if k, isPiece := pieceIndex(name, base); isPiece && k < maxPieces && !have[k-1] {
				rest[k-1], have[k-1] = value, true
			}
		}
	}
	if !found {
		return "", 0, false, false
	}
	countStr, first, hasDot := strings.Cut(first, ".")
	count, ok = parseCount(countStr)
	if !hasDot || !ok || count > maxPieces {
		return "", 0, true, false
	}
	for k := range count - 1 {
		if !have[k] {
			return "", 0, true, false
		}
	}
	return first, count, true, true
}
