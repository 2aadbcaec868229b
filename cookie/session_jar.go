package cookie

import (
	"net/http"
	"strings"
	"time"
	"unsafe"
)

// sessionLayout is how a session would be written at a given moment.
type sessionLayout struct {
	tag     [bindingSize]byte
	link    uint64    // the session's hintLink
	ends    time.Time // the session's Expires, the default filled in
	payload []byte    // the encoded session
	expires time.Time // sealed inside: the session's End
	maxAge  int       // seconds, for Max-Age
	sizes   []int     // each piece's share of the sealed value; nil if too many
}

// layout encodes s and plans its pieces. A zero Expires means the jar's
// default lifetime from now, a zero Renewed now.
func (j *Jar) layout(s *Session, now time.Time) (sessionLayout, error) {
	client, ok := j.client(s.Provider)
	if !ok {
		return sessionLayout{}, ErrUnknownClient
	}
	cp := *s
	cp.binding = client.tag
	if cp.Claims.Size() > 0 {
		// sub, iss and aud as one byte each: this jar knows them.
		c, err := cp.Claims.compactFor(cp.Subject, &client.Client)
		if err != nil {
			return sessionLayout{}, err
		}
		cp.Claims = c
	}
	if j.signOutPath != "" {
		if cp.IDToken != "" && cp.hintLink == 0 {
			cp.hintLink = randomLink()
		}
		cp.IDToken = "" // kept in the hint cookie
	}
	if cp.Expires.IsZero() {
		cp.Expires = now.Add(j.maxAge)
	}
	if cp.Renewed.IsZero() {
		cp.Renewed = now
	}
	s = &cp
	end := j.End(s)
	l := sessionLayout{
		tag:     client.tag,
		link:    s.hintLink,
		ends:    s.Expires,
		payload: encodeSession(s),
		expires: end,
		maxAge:  int(end.Sub(now) / time.Second),
	}
	sealedLen := b64.EncodedLen(sealOverhead + len(l.payload))
	l.sizes = splitSizes(sealedLen, j.name, attrLen(j.cookie(j.name, "", l.maxAge)))
	return l, nil
}

// SessionSize is how many bytes of Cookie header s would take once written:
// every piece's "name=value" and the "; " between them. A caller over
// MaxSessionBytes can drop the ID token (or claims) to fit.
func (j *Jar) SessionSize(s *Session) int {
	l, err := j.layout(s, time.Now())
	if err != nil || l.sizes == nil {
		// Past maxPieces: a lower bound is enough to say "too large".
		return b64.EncodedLen(sealOverhead+len(l.payload)) + maxPieces*(len(j.name)+5)
	}
	return headerSize(j.name, l.sizes)
}

// WriteSession sets the session cookie(s) for s: sealed whole, then split so
// that each Set-Cookie line stays within 4096 bytes, with Max-Age the time
// left until s ends (s.Expires, the jar's MaxAge from now when Expires is
// zero, or sooner the idle deadline: s.Renewed, now when zero, plus the
// jar's IdleTimeout). With a SignOutPath, a non-empty s.IDToken goes into
// the hint cookie instead (left out when it needs more than two cookies);
// an empty one leaves the hint cookie the browser has as it is.
// Pieces of an earlier, longer session that r carries are expired (r may be
// nil when there is no request to look at). It writes
// nothing and returns ErrTooLarge when the session exceeds MaxSessionBytes,
// ErrExpired when s ends less than a second from now, and
// ErrUnknownClient when s names a provider the jar has no client for.
func (j *Jar) WriteSession(w http.ResponseWriter, r *http.Request, s *Session) error {
	now := time.Now()
	l, err := j.layout(s, now)
	if err != nil {
		return err
	}
	if l.maxAge < 1 {
		return ErrExpired
	}
	if l.sizes == nil || headerSize(j.name, l.sizes) > j.maxSessionBytes {
		return ErrTooLarge
	}
	sealed := j.sessionSealer.seal(l.payload, l.expires)
	for k, v := range splitValue(sealed, l.sizes) {
		j.setCookie(w, j.cookie(pieceName(j.name, k), v, l.maxAge))
	}
	j.expirePieces(w, r, len(l.sizes))
	if j.signOutPath != "" && s.IDToken != "" && !j.writeHint(w, s, l, now) {
		j.clearHint(w) // no hint rather than an older sign-in's
	}
	return nil
}

// ClearSession expires the session cookie, every piece of it r carries,
// and the sign-out hint.
func (j *Jar) ClearSession(w http.ResponseWriter, r *http.Request) {
	j.expire(w, j.name)
	j.expirePieces(w, r, 1)
	j.clearHint(w)
}

// expirePieces expires the pieces numbered from on up that r carries.
func (j *Jar) expirePieces(w http.ResponseWriter, r *http.Request, from int) {
	if r == nil {
		return
	}
	for _, h := range r.Header["Cookie"] {
		for h != "" {
			var name string
			name, _, h = nextCookie(h)
			if k, ok := pieceIndex(name, j.name); ok && k >= from {
				j.expire(w, name)
			}
		}
	}
}

// ReadSession returns the session r carries: ErrNoSession when there is
// none, and for anything that does not open (tampered, expired, a piece
// missing, swapped or from another cookie, sealed for another site, or
// issued for another issuer or client_id than its provider's here) another
// error. Any error means signed out.
//
// A cookie seen recently is answered from a bounded cache without
// decryption, its expiry checked against now on every hit. The Session is
// then the cache's own, shared with every request that carries the same
// cookie: read it, and copy it to change it (as WriteSession and a refresh
// do). Handing out the cached one saves a copy of 272 bytes on every hit.
func (j *Jar) ReadSession(r *http.Request, now time.Time) (*Session, error) {
	var rest [maxPieces - 1]string
	first, count, found, ok := readPieces(r, j.name, &rest)
	if !found {
		return nil, ErrNoSession
	}
	if !ok {
		return nil, ErrInvalid
	}
	others := rest[:count-1]
	var key cacheKey
	if j.cache != nil {
		key = j.cache.keyOf(first)
		if e := j.cache.lookup(key); e != nil && e.matches(first, others) {
			if expired(now, e.expires) {
				j.cache.remove(key)
				return nil, ErrExpired
			}
			return e.session, nil
		}
	}
	sealed := joinPieces(first, others)
	j.opened.add()
	s, err := j.openSession(sealed, now)
	if err != nil {
		return nil, err
	}
	// The seal holds the end as it was when written; a session sealed
	// before idle_timeout was set or shortened ends by the current one.
	end := j.End(s)
	if expired(now, end) {
		return nil, ErrExpired
	}
	if j.cache == nil || !j.cache.admit(key) {
		return s, nil
	}
	if count == 1 {
		// A copy, not a substring: the cache must not keep the request's
		// whole Cookie header alive.
		sealed = strings.Clone(sealed)
	}
	s.shareClaimCache()
	j.cache.put(key, &cacheEntry{value: sealed, session: s, expires: end})
	return s, nil
}

// NewClaims converts the claims of a sign-in with provider as subject into
// the form this jar writes (sub, iss and aud as one byte each), so that
// writing the session does not convert them again. Claims are taken as
// ClaimsFromMap takes them. A provider the jar has no client for gets
// plain compact claims.
func (j *Jar) NewClaims(provider, subject string, m map[string]any) (Claims, error) {
	client, ok := j.client(provider)
	if !ok {
		return ClaimsFromMap(m)
	}
	return compactClaims(m, subject, &client.Client)
}

// sessionBox is a session and the bytes its strings share, in one
// allocation instead of two. It fills Go's 768-byte size class, with the
// 8-byte header the allocator adds to objects over 512 bytes that hold
// pointers: room for the payload of a session of about 430 bytes (a Google
// sign-in takes 320).
type sessionBox struct {
	Session
	buf [sessionBoxRoom]byte
}

const sessionBoxRoom = 768 - 8 - unsafe.Sizeof(Session{})

// openSession opens a sealed session value, into a sessionBox when it fits.
func (j *Jar) openSession(sealed string, now time.Time) (*Session, error) {
	var s *Session
	var buf []byte
	if decodedRoom(len(sealed)) <= int(sessionBoxRoom) {
		box := new(sessionBox)
		s, buf = &box.Session, box.buf[:]
	} else {
		s = new(Session)
	}
	payload, err := j.sessionSealer.openInto(buf, sealed, now)
	if err != nil {
		return nil, err
	}
	if err := j.decodeHere(s, payload); err != nil {
		return nil, err
	}
	return s, nil
}

// decodeHere decodes into s a session this jar sealed: one issued for the
// issuer and client_id its provider has here (ErrInvalid otherwise), with
// claims that read the one-byte stand-ins for its subject and its client's
// issuer and client_id.
func (j *Jar) decodeHere(s *Session, payload []byte) error {
	if decodeSessionInto(s, payload) != nil {
		return ErrInvalid
	}
	// Issued for the issuer and client_id that its provider has on this
	// site. Cached sessions passed this check when they were opened. Both
	// tags are hashes of public names and the seal vouches for the one in
	// the cookie: a plain comparison leaks nothing.
	client, ok := j.client(s.Provider)
	if !ok || client.tag != s.binding {
		return ErrInvalid
	}
	s.Claims.subject = s.Subject
	s.Claims.client = &client.Client
	return nil
}

// Opened is how many session cookies the jar has decrypted (the others were
// answered from its cache): for tests and diagnostics.
func (j *Jar) Opened() uint64 { return j.opened.load() }

// matches reports whether this entry is exactly the value made of first and
// the other pieces, comparing in place rather than joining them.
func (e *cacheEntry) matches(first string, others []string) bool {
	v := e.value
	if len(v) < len(first) || v[:len(first)] != first {
		return false
	}
	v = v[len(first):]
	for _, p := range others {
		if len(v) < len(p) || v[:len(p)] != p {
			return false
		}
		v = v[len(p):]
	}
	return v == ""
}
