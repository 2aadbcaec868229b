package cookie

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"net/http"
	"strings"
	"time"
)

// The ID token a session keeps only for sign-out's id_token_hint is about
// half of a session's bytes, and is needed on one request: the sign-out. When
// the jar has a SignOutPath it goes into a cookie of its own, scoped to that
// path, so the browser sends it there and nowhere else; the identity cookie
// that travels with every request stays small.
//
// The hint cookie is sealed with a key of its own and bound to the session
// it belongs to (its client tag, subject, sign-in time and a random link
// both carry), so a hint from another sign-in, even a valid one of this
// site and the same user, is not used.

const (
	hintFormat = 1
	// hintMaxPieces: an ID token that needs more than two cookies (8 KB)
	// is not kept; sign-out then goes without the hint.
	hintMaxPieces = 2
	hintSuffix    = "_hint"
)

// hintName is the hint cookie's name. A __Host- cookie must have Path=/, so
// the hint of a __Host- session is __Secure- instead: sent over https only,
// as the session is.
func hintName(session string) string {
	if rest, ok := strings.CutPrefix(session, "__Host-"); ok {
		return "__Secure-" + rest + hintSuffix
	}
	return session + hintSuffix
}

// isHint tells whether name is the hint cookie or a piece of it.
func (j *Jar) isHint(name string) bool {
	if j.signOutPath == "" {
		return false
	}
	if name == j.hintName {
		return true
	}
	_, ok := pieceIndex(name, j.hintName)
	return ok
}

func (j *Jar) hintCookie(name, value string, maxAge int) *http.Cookie {
	c := j.cookie(name, value, maxAge)
	c.Path = j.signOutPath
	return c
}

// hintPayload is what the hint cookie seals: the ID token, and what ties it
// to its session.
func hintPayload(s *Session, tag [bindingSize]byte, link uint64) []byte {
	w := writer{b: make([]byte, 0, 1+bindingSize+3*10+len(s.Subject)+len(s.IDToken))}
	w.byte(hintFormat)
	w.b = append(w.b, tag[:]...)
	w.str(s.Subject)
	w.time(s.Created)
	w.b = binary.BigEndian.AppendUint64(w.b, link)
	w.str(s.IDToken)
	return w.b
}

// randomLink is a session's fresh hintLink, never 0.
func randomLink() uint64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:]) // never fails since Go 1.24
		if v := binary.BigEndian.Uint64(b[:]); v != 0 {
			return v
		}
	}
}

// writeHint sets the hint cookie for s (whose IDToken is not empty), as laid
// out in l, to last as long as s can: until its Expires. It reports false,
// writing nothing, when the ID token is too large to keep.
func (j *Jar) writeHint(w http.ResponseWriter, s *Session, l sessionLayout, now time.Time) bool {
	maxAge := int(l.ends.Sub(now) / time.Second)
	if maxAge < 1 {
		return false
	}
	payload := hintPayload(s, l.tag, l.link)
	sizes := splitSizes(b64.EncodedLen(sealOverhead+len(payload)), j.hintName, attrLen(j.hintCookie(j.hintName, "", maxAge)))
	if sizes == nil || len(sizes) > hintMaxPieces {
		return false
	}
	sealed := j.hintSealer.seal(payload, l.ends)
	for k, v := range splitValue(sealed, sizes) {
		j.setCookie(w, j.hintCookie(pieceName(j.hintName, k), v, maxAge))
	}
	for k := len(sizes); k < hintMaxPieces; k++ {
		// A longer hint of an earlier sign-in may have left a piece; the
		// browser does not send it here, so expire it blindly.
		j.setCookie(w, j.hintCookie(pieceName(j.hintName, k), "", -1))
	}
	return true
}

// clearHint expires the hint cookie and its pieces. They are not sent
// outside the sign-out path, so every possible piece is expired.
func (j *Jar) clearHint(w http.ResponseWriter) {
	if j.signOutPath == "" {
		return
	}
	for k := range hintMaxPieces {
		j.setCookie(w, j.hintCookie(pieceName(j.hintName, k), "", -1))
	}
}

// ReadIDTokenHint returns the ID token kept for signing s out, from the hint
// cookie r carries (a request to the SignOutPath), or s.IDToken when the
// session holds it itself. It is empty when there is none, or when the hint
// does not open or belongs to another sign-in than s.
func (j *Jar) ReadIDTokenHint(r *http.Request, s *Session, now time.Time) string {
	if s.IDToken != "" || j.signOutPath == "" {
		return s.IDToken
	}
	var rest [maxPieces - 1]string
	first, count, found, ok := readPieces(r, j.hintName, &rest)
	if !found || !ok || count > hintMaxPieces {
		return ""
	}
	payload, err := j.hintSealer.open(joinPieces(first, rest[:count-1]), now)
	if err != nil || len(payload) < 1+bindingSize || payload[0] != hintFormat {
		return ""
	}
	rd := newReader(payload)
	rd.off = 1 + bindingSize
	subject, created, link, idToken := rd.str(), rd.time(), rd.uint64(), rd.str()
	if rd.done() != nil || s.hintLink == 0 || link != s.hintLink ||
		subtle.ConstantTimeCompare(payload[1:1+bindingSize], s.binding[:]) != 1 ||
		subject != s.Subject || created.Unix() != s.Created.Unix() {
		return ""
	}
	return idToken
}
