package cookie

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Session is a signed-in user, as kept in the identity cookie. Times are
// kept to the second.
//
// A Session returned by Jar.ReadSession may be shared with other requests
// that carry the same cookie: treat it, and ClaimMap's result, as
// read-only, and change a copy (cp := *s) instead.
type Session struct {
	Provider     string
	Subject      string    // the "sub" claim
	Claims       Claims    // every claim, in the cookie's compact form; read one with Claim
	Created      time.Time // sign-in time
	Expires      time.Time // session end (Max-Age, or token expiry when so configured)
	IDToken      string    // empty when not kept, or kept apart for sign-out (see Jar.ReadIDTokenHint)
	AccessToken  string
	RefreshToken string
	TokenExpiry  time.Time // access-token expiry, zero when unknown
	SID          string    // provider session id ("sid" claim) for back-channel logout
	// Renewed is when the cookie was last written for this session (sign-in,
	// refresh, or a renewal as the user came back), to the millisecond: an
	// idle timeout counts from it. Sealed, so a user cannot move it. A
	// session of format 2 (before idle timeouts) reads it as Created.
	Renewed time.Time

	// binding is the tag of the issuer and client_id the session was issued
	// for; the jar sets it when writing and checks it when reading.
	binding [bindingSize]byte

	// hintLink ties the session to its sign-out hint cookie: random, set
	// when the jar first writes a hint for it, kept by copies, renewals and
	// refreshes. 0: no hint was written.
	hintLink uint64

	// claims points to a *claimCache. It is an unsafe.Pointer used only
	// through sync/atomic (not an atomic.Pointer) so that copying a Session,
	// as callers and the cache do, stays legal for go vet.
	claims unsafe.Pointer
}

// claimCache decodes one Claims once, for every copy of a session that
// still carries them.
type claimCache struct {
	src  Claims
	once sync.Once
	m    map[string]any
}

func (c *claimCache) get() map[string]any {
	c.once.Do(func() { c.m = c.src.Map() })
	return c.m
}

// Claim returns one claim, decoded as encoding/json would with UseNumber,
// without decoding the others: what a placeholder or an allow rule reads.
func (s *Session) Claim(name string) (any, bool) { return s.Claims.Lookup(name) }

// ClaimMap returns every claim decoded, numbers as json.Number so that
// large integers and exact values survive. It decodes once per Session (and
// once for all copies ReadSession hands out for the same cookie), is safe
// for concurrent use, and never returns nil. Do not modify the map.
func (s *Session) ClaimMap() map[string]any {
	for {
		p := atomic.LoadPointer(&s.claims)
		if c := (*claimCache)(p); c != nil && sameSlice(c.src.b, s.Claims.b) {
			return c.get()
		}
		// First call, or the caller replaced Claims since: start afresh.
		c := &claimCache{src: s.Claims}
		if atomic.CompareAndSwapPointer(&s.claims, p, unsafe.Pointer(c)) {
			return c.get()
		}
	}
}

// shareClaimCache attaches the claim cache to s now, so that every copy made
// of s from here on shares one decoding of its claims.
func (s *Session) shareClaimCache() {
	atomic.StorePointer(&s.claims, unsafe.Pointer(&claimCache{src: s.Claims}))
}

// sameSlice reports whether a and b are the very same bytes (not merely equal).
func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// sessionFormat is the first byte of an encoded session; a new layout gets a
// new number so old cookies read as signed out instead of as garbage.
// Format 2 added the client binding, format 3 Renewed (at the end, so a
// format-2 payload is a format-3 one without it), format 4 the compact
// claims instead of their JSON, and the link to the sign-out hint. Formats
// 2 and 3 still open, their claims converted once.
const (
	sessionFormat          = 4
	sessionFormatJSON      = 3
	sessionFormatJSONNoRen = 2
)

// encodeSession lays s out in the versioned binary format.
func encodeSession(s *Session) []byte {
	w := writer{b: make([]byte, 0, encodedSessionCap(s))}
	w.byte(sessionFormat)
	w.b = append(w.b, s.binding[:]...)
	w.str(s.Provider)
	w.str(s.Subject)
	w.bytes(s.Claims.b)
	w.time(s.Created)
	w.time(s.Expires)
	w.str(s.IDToken)
	w.str(s.AccessToken)
	w.str(s.RefreshToken)
	w.time(s.TokenExpiry)
	w.str(s.SID)
	w.millis(s.Renewed)
	w.b = binary.BigEndian.AppendUint64(w.b, s.hintLink)
	return w.b
}

// encodedSessionCap is an upper bound of the encoded size: every length
// prefix and time fits in 10 bytes.
func encodedSessionCap(s *Session) int {
	return 1 + bindingSize + 11*10 + 8 + len(s.Provider) + len(s.Subject) + s.Claims.Size() +
		len(s.IDToken) + len(s.AccessToken) + len(s.RefreshToken) + len(s.SID)
}

// decodeSessionInto reads into a zero s what encodeSession wrote. The
// session's strings and claims alias b, which the session then owns: b must
// never change again. Its claim cache is attached only when copies of it
// will be handed out (shareClaimCache): most sessions opened are read once.
func decodeSessionInto(s *Session, b []byte) error {
	if len(b) < 1+bindingSize {
		return errMalformed
	}
	format := b[0]
	if format != sessionFormat && format != sessionFormatJSON && format != sessionFormatJSONNoRen {
		return errMalformed
	}
	r := newReader(b)
	r.off = 1 + bindingSize
	s.binding = [bindingSize]byte(b[1 : 1+bindingSize])
	s.Provider = r.str()
	s.Subject = r.str()
	claims := r.bytes()
	s.Created = r.time()
	s.Expires = r.time()
	s.IDToken = r.str()
	s.AccessToken = r.str()
	s.RefreshToken = r.str()
	s.TokenExpiry = r.time()
	s.SID = r.str()
	if format == sessionFormatJSONNoRen {
		s.Renewed = s.Created
	} else {
		s.Renewed = r.millis()
	}
	if format == sessionFormat {
		s.hintLink = r.uint64()
	}
	if err := r.done(); err != nil {
		return err
	}
	if format == sessionFormat {
		// Not walked here: the seal vouches for the bytes, and every read
		// of them is bounds-checked (a bad claim reads as absent).
		s.Claims = Claims{b: claims}
	} else {
		c, err := ClaimsFromJSON(claims)
		if err != nil {
			c = Claims{} // as before: claims that were not an object read as none
		}
		s.Claims = c
	}
	return nil
}
