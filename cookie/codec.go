package cookie

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors a caller can tell apart. Every one of them means "not signed in".
var (
	// ErrInvalid: the value was not sealed by this codec for this purpose, or
	// was changed, truncated or spliced since.
	ErrInvalid = errors.New("cookie: invalid or tampered value")
	// ErrExpired: the value opened, but its expiry has passed.
	ErrExpired = errors.New("cookie: expired")
)

const (
	sealVersion = 1  // first byte of every sealed value
	nonceSize   = 12 // AES-GCM standard nonce
	expirySize  = 8  // Unix seconds, big endian, inside the seal
	tagSize     = 16 // AES-GCM tag
	// sealOverhead is what sealing adds to a payload, before base64.
	sealOverhead = 1 + nonceSize + expirySize + tagSize
	// maxSealedChars bounds what Open will even decode: far beyond any
	// cookie a browser sends, small enough that junk costs little.
	maxSealedChars = 64 << 10
	// maxKeyClasses bounds the derived-key cache, in case a caller builds
	// purposes from request data without the ':' that separates the class.
	maxKeyClasses = 64
)

// b64 is cookie-safe (no '=', '+' or '/') and strict, so every change to a
// sealed value changes the bytes it decodes to.
var b64 = base64.RawURLEncoding.Strict()

// hkdfSalt separates this module's keys from anything else that might be
// derived from the same cookie_secret.
var hkdfSalt = []byte("github.com/caddy-oidc-auth/oidcauth/cookie")

// Codec seals values into cookie-safe strings with AES-256-GCM, and opens
// them again. Keys come from cookie_secret through HKDF-SHA256, one key per
// purpose class, so a value sealed for one kind of cookie is useless as
// another. Previous secrets (after a rotation) still open old values; new
// values are always sealed with the current secret.
//
// A Codec is safe for concurrent use.
type Codec struct {
	secrets [][]byte // current first
	keys    sync.Map // purpose class -> []cipher.AEAD, current first
	classes atomic.Int32
}

// NewCodec returns a Codec for secret, which also opens values sealed with
// any of the previous secrets. An empty secret is refused: without one every
// restart would sign everybody out.
func NewCodec(secret string, previous ...string) (*Codec, error) {
	if secret == "" {
		return nil, errors.New("cookie_secret is empty: set it to a long random string")
	}
	c := &Codec{secrets: [][]byte{[]byte(secret)}}
	for i, p := range previous {
		if p == "" {
			return nil, fmt.Errorf("previous cookie_secret #%d is empty", i+1)
		}
		c.secrets = append(c.secrets, []byte(p))
	}
	return c, nil
}

// purposeClass is the part of a purpose before its first ':'. Keys are
// derived per class ("session", "login"); the whole purpose is bound as
// associated data, so "login:A" never opens as "login:B" either.
func purposeClass(purpose string) string {
	if i := strings.IndexByte(purpose, ':'); i >= 0 {
		return purpose[:i]
	}
	return purpose
}

// aeads returns the ciphers for a purpose class, current secret first,
// deriving them on first use.
func (c *Codec) aeads(class string) []cipher.AEAD {
	if v, ok := c.keys.Load(class); ok {
		return v.([]cipher.AEAD)
	}
	list := make([]cipher.AEAD, len(c.secrets))
	for i, s := range c.secrets {
		list[i] = deriveAEAD(s, class)
	}
	if c.classes.Load() >= maxKeyClasses {
		return list // still correct, only not cached
	}
	v, loaded := c.keys.LoadOrStore(class, list)
	if !loaded {
		c.classes.Add(1)
	}
	return v.([]cipher.AEAD)
}

func deriveAEAD(secret []byte, class string) cipher.AEAD {
	key, err := hkdf.Key(sha256.New, secret, hkdfSalt, "oidc_auth cookie v1 "+class, 32)
	if err != nil {
		panic("cookie: HKDF refused a 32-byte key: " + err.Error()) // cannot happen
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("cookie: AES refused a 32-byte key: " + err.Error()) // cannot happen
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("cookie: GCM refused AES: " + err.Error()) // cannot happen
	}
	return aead
}

// Seal encrypts payload for purpose, with expires sealed inside (to the
// second), and returns a cookie-safe string (base64url without padding).
// The key is the one of the purpose's class, the part before its first ':'
// ("session:oidc_auth" → "session"), and the whole purpose is bound as
// associated data: only Open with the very same purpose opens it.
// Each call uses a fresh random nonce, so sealing the same payload twice
// gives two different values.
func (c *Codec) Seal(purpose string, payload []byte, expires time.Time) string {
	return c.purpose(purpose).seal(payload, expires)
}

// Open returns the payload sealed for purpose, or ErrInvalid when value was
// not sealed by this codec (current or previous secret) for this exact
// purpose, or ErrExpired when it was but now is at or past its expiry.
func (c *Codec) Open(purpose, value string, now time.Time) ([]byte, error) {
	return c.purpose(purpose).open(value, now)
}

// sealer is one purpose's keys and associated data, resolved once: a jar
// keeps one for its sessions, so opening a cookie looks nothing up and
// converts nothing.
type sealer struct {
	aeads []cipher.AEAD // current secret first
	aad   []byte        // the purpose
}

func (c *Codec) purpose(purpose string) *sealer {
	return &sealer{aeads: c.aeads(purposeClass(purpose)), aad: []byte(purpose)}
}

func (k *sealer) seal(payload []byte, expires time.Time) string {
	buf := make([]byte, 1+nonceSize, sealOverhead+len(payload))
	buf[0] = sealVersion
	_, _ = rand.Read(buf[1 : 1+nonceSize]) // never fails since Go 1.24
	plain := binary.BigEndian.AppendUint64(buf[1+nonceSize:], uint64(expires.Unix()))
	plain = append(plain, payload...)
	// Seal in place: the ciphertext overwrites the plaintext behind the nonce.
	sealed := k.aeads[0].Seal(plain[:0], buf[1:1+nonceSize], plain, k.aad)
	return b64.EncodeToString(buf[:1+nonceSize+len(sealed)])
}

// open decrypts in place into one buffer, the payload's only allocation.
func (k *sealer) open(value string, now time.Time) ([]byte, error) {
	return k.openInto(nil, value, now)
}

// openInto is open into buf when it has decodedRoom(len(value)) bytes.
func (k *sealer) openInto(buf []byte, value string, now time.Time) ([]byte, error) {
	if len(value) < b64.EncodedLen(sealOverhead) || len(value) > maxSealedChars {
		return nil, ErrInvalid
	}
	raw, ok := decodeSealed(buf, value)
	if !ok || len(raw) < sealOverhead || raw[0] != sealVersion {
		return nil, ErrInvalid
	}
	nonce, ciphertext := raw[1:1+nonceSize], raw[1+nonceSize:]
	var scratch []byte
	for i, aead := range k.aeads {
		// Decrypt in place with the last key. A failed Open may scribble on
		// its destination, so earlier keys (after a rotation) decrypt into a
		// scratch buffer and leave the ciphertext intact for the next one.
		dst := ciphertext[:0]
		if i < len(k.aeads)-1 {
			if scratch == nil {
				scratch = make([]byte, 0, len(ciphertext))
			}
			dst = scratch
		}
		plain, err := aead.Open(dst, nonce, ciphertext, k.aad)
		if err != nil {
			continue
		}
		expires := int64(binary.BigEndian.Uint64(plain))
		if now.Unix() >= expires {
			return nil, ErrExpired
		}
		return plain[expirySize:len(plain):len(plain)], nil
	}
	return nil, ErrInvalid
}
