package cookie

import (
	"bytes"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Session is a signed-in user, as kept in the identity cookie. Times are
// kept to the second.
//
// Sessions returned by Jar.ReadSession are fresh copies: changing one does
// not change what other requests see. ClaimMap's result is shared, though;
// treat it as read-only.
type Session struct {
	Provider     string
	Subject      string    // the "sub" claim
	Claims       []byte    // every claim as one JSON object, exactly as given; decoded only on demand
	Created      time.Time // sign-in time
	Expires      time.Time // session end (Max-Age, or token expiry when so configured)
	IDToken      string    // empty when not kept
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

	// claims points to a *claimCache. It is an unsafe.Pointer used only
	// through sync/atomic (not an atomic.Pointer) so that copying a Session,
	// as callers and the cache do, stays legal for go vet.
	claims unsafe.Pointer
}

// claimCache decodes one Claims slice once, for every copy of a session
// that still carries that slice.
type claimCache struct {
	src  []byte
	once sync.Once
	m    map[string]any
}

func (c *claimCache) get() map[string]any {
	c.once.Do(func() { c.m = decodeClaims(c.src) })
	return c.m
}

// ClaimMap returns Claims decoded from JSON, numbers as json.Number so that
// large integers and exact values survive. It decodes once per Session (and
// once for all copies ReadSession hands out for the same cookie), is safe
// for concurrent use, and never returns nil: Claims that are empty or not a
// JSON object give an empty map. Do not modify the map.
func (s *Session) ClaimMap() map[string]any {
	for {
		p := atomic.LoadPointer(&s.claims)
		if c := (*claimCache)(p); c != nil && sameSlice(c.src, s.Claims) {
			return c.get()
		}
		// First call, or the caller replaced Claims since: start afresh.
		c := &claimCache{src: s.Claims}
		if atomic.CompareAndSwapPointer(&s.claims, p, unsafe.Pointer(c)) {
			return c.get()
		}
	}
}

// sameSlice reports whether a and b are the very same bytes (not merely equal).
func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func decodeClaims(raw []byte) map[string]any {
	m := map[string]any{}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&m); err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

// sessionFormat is the first byte of an encoded session; a new layout gets a
// new number so old cookies read as signed out instead of as garbage.
// Format 2 added the client binding, format 3 Renewed (at the end, so a
// format-2 payload is a format-3 one without it: both still open).
const (
	sessionFormat        = 3
	sessionFormatNoRenew = 2
)

// encodeSession lays s out in the versioned binary format.
func encodeSession(s *Session) []byte {
	w := writer{b: make([]byte, 0, encodedSessionCap(s))}
	w.byte(sessionFormat)
	w.b = append(w.b, s.binding[:]...)
	w.str(s.Provider)
	w.str(s.Subject)
	w.bytes(s.Claims)
	w.time(s.Created)
	w.time(s.Expires)
	w.str(s.IDToken)
	w.str(s.AccessToken)
	w.str(s.RefreshToken)
	w.time(s.TokenExpiry)
	w.str(s.SID)
	w.millis(s.Renewed)
	return w.b
}

// encodedSessionCap is an upper bound of the encoded size: every length
// prefix and time fits in 10 bytes.
func encodedSessionCap(s *Session) int {
	return 1 + bindingSize + 11*10 + len(s.Provider) + len(s.Subject) + len(s.Claims) +
		len(s.IDToken) + len(s.AccessToken) + len(s.RefreshToken) + len(s.SID)
}

// decodeSession reads what encodeSession wrote. The session's strings share
// one allocation and Claims aliases b, which the session then owns.
func decodeSession(b []byte) (*Session, error) {
	if len(b) < 1+bindingSize || (b[0] != sessionFormat && b[0] != sessionFormatNoRenew) {
		return nil, errMalformed
	}
	r := newReader(b)
	r.off = 1 + bindingSize
	s := &Session{
		binding:      [bindingSize]byte(b[1 : 1+bindingSize]),
		Provider:     r.str(),
		Subject:      r.str(),
		Claims:       r.bytes(),
		Created:      r.time(),
		Expires:      r.time(),
		IDToken:      r.str(),
		AccessToken:  r.str(),
		RefreshToken: r.str(),
		TokenExpiry:  r.time(),
		SID:          r.str(),
	}
	if b[0] == sessionFormat {
		s.Renewed = r.millis()
	} else {
		s.Renewed = s.Created
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	// Attach the claim cache now, so every copy handed out shares it.
	s.claims = unsafe.Pointer(&claimCache{src: s.Claims})
	return s, nil
}
