package cookie

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unsafe"
)

// Claims are a session's claims (the ID token's, with any merged userinfo)
// in the compact binary form the identity cookie carries: well-known claim
// names as one byte, integers as varints, a string that repeats an earlier
// one (aud and azp often do) as a back-reference. Compared with the JSON it
// comes from, a Google ID token's claims take about half the bytes, and one
// claim is found by skipping over the others, without decoding them.
//
// In an identity cookie, a claim that repeats the session's own subject, or
// its provider's issuer or client_id (sub, iss, aud), is one byte: the jar
// knows them, and gives the claims it opens that context.
//
// The zero Claims holds no claims. Claims are immutable: the strings they
// give out share their memory.
type Claims struct {
	b       []byte
	subject string  // what tagSubject stands for
	client  *Client // what tagIssuer and tagClientID stand for; nil: none
}

// Value tags of the binary form. New tags may be added; these never change
// meaning, since sealed cookies carry them.
const (
	tagString  = 1 // uvarint length, bytes
	tagTrue    = 2
	tagFalse   = 3
	tagNull    = 4
	tagInt     = 5 // zigzag varint: a JSON integer whose text is its canonical form
	tagNumber  = 6 // uvarint length, the number's JSON text (exact: 1.0 stays 1.0)
	tagArray   = 7 // uvarint body length; body: uvarint count, values
	tagObject  = 8 // uvarint body length; body: an object
	tagRef     = 9 // uvarint offset of an earlier tagString value
	tagSubject = 10
	tagIssuer  = 11
	tagClient  = 12
	maxDepth   = 32
	minRefSize = 8 // shorter strings are cheaper written again
)

// An object is: uvarint count, then count times (key, value). A key is one
// byte: 1..len(knownClaims) names a well-known claim, 0 is followed by the
// name itself (uvarint length, bytes).

// knownClaims are the names a key byte stands for (its value minus one).
// Append only: an index, once given, is in cookies that are out there.
var knownClaims = [...]string{
	"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp",
	"at_hash", "c_hash", "sid", "jti", "nbf", "typ", "email", "email_verified", "name", "given_name",
	"family_name", "middle_name", "nickname", "preferred_username", "profile", "picture", "website", "gender", "birthdate", "zoneinfo",
	"locale", "phone_number", "phone_number_verified", "address", "updated_at", "hd", "groups", "roles", "oid", "tid",
	"upn", "ver", "idp", "scope", "client_id", "realm_access", "resource_access", "s_hash", "unique_name", "ipaddr",
	"uti", "rh", "wids", "login_hint", "session_state", "aio", "org_id", "permissions", "cognito:username", "cognito:groups",
	"identities", "token_use", "event_id", "origin_jti", "family_name_kana", "given_name_kana", "name_kana", "email_domain", "department", "tenant",
}

var knownClaimIndex = func() map[string]byte {
	m := make(map[string]byte, len(knownClaims))
	for i, n := range knownClaims {
		m[n] = byte(i + 1)
	}
	return m
}()

var errClaims = errors.New("cookie: malformed claims")

// ClaimsFromJSON converts a JSON object of claims. Empty input gives no
// claims; anything but a JSON object is an error.
func ClaimsFromJSON(js []byte) (Claims, error) {
	if len(bytes.TrimSpace(js)) == 0 {
		return Claims{}, nil
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return Claims{}, fmt.Errorf("claims: %w", err)
	}
	if m == nil {
		return Claims{}, errors.New("claims: not a JSON object")
	}
	return ClaimsFromMap(m)
}

// ClaimsFromMap converts claims as encoding/json decodes them (strings,
// bools, nil, json.Number or float64, []any, map[string]any; []string and
// Go integers are taken too). Keys are kept sorted, so equal maps give
// equal Claims.
func ClaimsFromMap(m map[string]any) (Claims, error) {
	e := claimEncoder{refs: map[string]int{}}
	if err := e.object(m, 0); err != nil {
		return Claims{}, err
	}
	return Claims{b: e.b}, nil
}

type claimEncoder struct {
	subst   map[string]byte // strings the context stands for -> their tag
	b       []byte
	refs    map[string]int // top-level string value -> offset of its tagString
	nesting int            // inside an array or object: strings there move, so are no targets
}

func (e *claimEncoder) object(m map[string]any, depth int) error {
	if depth > maxDepth {
		return errors.New("claims: nested too deeply")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.b = binary.AppendUvarint(e.b, uint64(len(keys)))
	for _, k := range keys {
		if i, ok := knownClaimIndex[k]; ok {
			e.b = append(e.b, i)
		} else {
			e.b = append(e.b, 0)
			e.b = binary.AppendUvarint(e.b, uint64(len(k)))
			e.b = append(e.b, k...)
		}
		if err := e.value(m[k], depth); err != nil {
			return fmt.Errorf("claim %q: %w", k, err)
		}
	}
	return nil
}

func (e *claimEncoder) value(v any, depth int) error {
	switch v := v.(type) {
	case string:
		e.str(v)
	case bool:
		if v {
			e.b = append(e.b, tagTrue)
		} else {
			e.b = append(e.b, tagFalse)
		}
	case nil:
		e.b = append(e.b, tagNull)
	case json.Number:
		e.number(string(v))
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return errors.New("not a JSON number")
		}
		e.number(strconv.FormatFloat(v, 'g', -1, 64))
	case int:
		e.number(strconv.Itoa(v))
	case int64:
		e.number(strconv.FormatInt(v, 10))
	case []string:
		return e.nested(tagArray, func() error {
			e.b = binary.AppendUvarint(e.b, uint64(len(v)))
			for _, s := range v {
				e.str(s)
			}
			return nil
		})
	case []any:
		return e.nested(tagArray, func() error {
			e.b = binary.AppendUvarint(e.b, uint64(len(v)))
			for _, item := range v {
				if err := e.value(item, depth+1); err != nil {
					return err
				}
			}
			return nil
		})
	case map[string]any:
		return e.nested(tagObject, func() error { return e.object(v, depth+1) })
	default:
		return fmt.Errorf("a %T is not a JSON value", v)
	}
	return nil
}

func (e *claimEncoder) str(s string) {
	if tag, ok := e.subst[s]; ok {
		e.b = append(e.b, tag)
		return
	}
	if off, ok := e.refs[s]; ok {
		e.b = append(e.b, tagRef)
		e.b = binary.AppendUvarint(e.b, uint64(off))
		return
	}
	if len(s) >= minRefSize && e.nesting == 0 {
		e.refs[s] = len(e.b)
	}
	e.b = append(e.b, tagString)
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}

// number keeps n's exact text, or a varint when that gives it back.
func (e *claimEncoder) number(n string) {
	if i, err := strconv.ParseInt(n, 10, 64); err == nil && strconv.FormatInt(i, 10) == n {
		e.b = append(e.b, tagInt)
		e.b = binary.AppendVarint(e.b, i)
		return
	}
	e.b = append(e.b, tagNumber)
	e.b = binary.AppendUvarint(e.b, uint64(len(n)))
	e.b = append(e.b, n...)
}

// nested writes a tag, the body's length and the body; the body is built in
// place and moved once behind its length.
func (e *claimEncoder) nested(tag byte, body func() error) error {
	e.b = append(e.b, tag)
	start := len(e.b)
	e.nesting++
	err := body()
	e.nesting--
	if err != nil {
		return err
	}
	n := len(e.b) - start
	var lenBuf [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(lenBuf[:], uint64(n))
	e.b = append(e.b, lenBuf[:k]...)
	copy(e.b[start+k:], e.b[start:start+n])
	copy(e.b[start:], lenBuf[:k])
	return nil
}

// compactFor re-encodes c for a session of subject at client: the claims
// equal to either are written as one byte, and read back through the
// context the result carries.
func (c Claims) compactFor(subject string, client *Client) (Claims, error) {
	if c.subject == subject && c.client == client {
		return c, nil // already so: a session read back, renewed or refreshed
	}
	return compactClaims(c.Map(), subject, client)
}

func compactClaims(m map[string]any, subject string, client *Client) (Claims, error) {
	e := claimEncoder{refs: map[string]int{}, subst: make(map[string]byte, 3)}
	for s, tag := range map[string]byte{client.ClientID: tagClient, client.Issuer: tagIssuer, subject: tagSubject} {
		if len(s) > 1 {
			e.subst[s] = tag
		}
	}
	if err := e.object(m, 0); err != nil {
		return Claims{}, err
	}
	return Claims{b: e.b, subject: subject, client: client}, nil
}

// Size is how many bytes the claims take in the cookie, before sealing.
func (c Claims) Size() int { return len(c.b) }

// Lookup returns one claim, decoded as encoding/json would with UseNumber
// (string, bool, nil, json.Number, []any, map[string]any). The others are
// skipped, not decoded.
func (c Claims) Lookup(name string) (any, bool) {
	at, ok := c.find(name)
	if !ok {
		return nil, false
	}
	d := newClaimDecoder(c, at)
	v := d.value(0)
	return v, d.err == nil
}

// LookupString returns a claim that is a string as it is, without boxing
// it in an interface: what a placeholder mostly reads. isString is false
// (and s empty) when the claim is absent or of another kind.
func (c Claims) LookupString(name string) (s string, isString bool) {
	at, ok := c.find(name)
	if !ok {
		return "", false
	}
	d := newClaimDecoder(c, at)
	switch tag := d.byte(); tag {
	case tagString:
		s = str(d.span())
	case tagRef:
		s = d.ref()
	case tagSubject, tagIssuer, tagClient:
		s = d.context(tag)
	default:
		return "", false
	}
	return s, d.err == nil
}

// find returns where the value of the claim called name starts.
func (c Claims) find(name string) (int, bool) {
	if len(c.b) == 0 {
		return 0, false
	}
	known := knownClaimIndex[name]
	d := newClaimDecoder(c, 0)
	n := d.uvarint()
	for ; n > 0 && d.err == nil; n-- {
		if d.key(name, known) {
			return d.off, d.err == nil
		}
		d.skip()
	}
	return 0, false
}

// Map decodes every claim. Claims that do not decode give an empty map,
// never nil.
func (c Claims) Map() map[string]any {
	if len(c.b) == 0 {
		return map[string]any{}
	}
	d := newClaimDecoder(c, 0)
	m := d.object(0)
	if d.err != nil || d.off != len(d.b) {
		return map[string]any{}
	}
	return m
}

// MarshalJSON writes the claims as one JSON object.
func (c Claims) MarshalJSON() ([]byte, error) { return json.Marshal(c.Map()) }

// check reports whether the claims decode, without decoding them: a sealed
// cookie holds what this package wrote, so this guards against a bug or a
// foreign format, cheaply.
func (c Claims) check() error {
	if len(c.b) == 0 {
		return nil
	}
	d := newClaimDecoder(c, 0)
	d.skipObject(0)
	if d.err != nil || d.off != len(d.b) {
		return errClaims
	}
	return nil
}

// claimDecoder walks the binary form with the payload reader's bounds
// checks: after the first problem err is set and every read returns zero
// values; nothing panics on bad bytes.
type claimDecoder struct {
	reader
	subject string  // for tagSubject
	client  *Client // for tagIssuer and tagClient
}

func newClaimDecoder(c Claims, off int) claimDecoder {
	return claimDecoder{reader: reader{b: c.b, off: off}, subject: c.subject, client: c.client}
}

// context resolves tagSubject, tagIssuer and tagClient; claims without the
// context they need do not read.
func (d *claimDecoder) context(tag byte) string {
	switch {
	case tag == tagSubject && d.subject != "":
		return d.subject
	case tag == tagIssuer && d.client != nil:
		return d.client.Issuer
	case tag == tagClient && d.client != nil:
		return d.client.ClientID
	}
	d.fail()
	return ""
}

func (d *claimDecoder) uvarint() int {
	v, k := binary.Uvarint(d.b[d.off:])
	if k <= 0 || v > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	d.off += k
	return int(v)
}

// span reads a length and returns the bytes it announces.
func (d *claimDecoder) span() []byte {
	start, end := d.reader.span()
	return d.b[start:end]
}

// str is a string sharing the claims' memory.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// key reads one key and reports whether it is name (whose known index, 0
// when none, is known).
func (d *claimDecoder) key(name string, known byte) bool {
	k := d.byte()
	if k != 0 {
		if int(k) > len(knownClaims) {
			d.fail()
			return false
		}
		return known != 0 && k == known
	}
	return str(d.span()) == name && known == 0
}

func (d *claimDecoder) keyName() string {
	k := d.byte()
	if k == 0 {
		return str(d.span())
	}
	if int(k) > len(knownClaims) {
		d.fail()
		return ""
	}
	return knownClaims[k-1]
}

func (d *claimDecoder) value(depth int) any {
	if depth > maxDepth {
		d.fail()
		return nil
	}
	switch tag := d.byte(); tag {
	case tagString:
		return str(d.span())
	case tagSubject, tagIssuer, tagClient:
		return d.context(tag)
	case tagTrue:
		return true
	case tagFalse:
		return false
	case tagNull:
		return nil
	case tagInt:
		v, k := binary.Varint(d.b[d.off:])
		if k <= 0 {
			d.fail()
			return nil
		}
		d.off += k
		return json.Number(strconv.FormatInt(v, 10))
	case tagNumber:
		return json.Number(str(d.span()))
	case tagArray:
		end := d.bodyEnd()
		n := d.uvarint()
		if n > end-d.off {
			d.fail() // every item takes at least one byte
			return nil
		}
		items := make([]any, 0, n)
		for ; n > 0 && d.err == nil; n-- {
			items = append(items, d.value(depth+1))
		}
		d.endBody(end)
		return items
	case tagObject:
		end := d.bodyEnd()
		m := d.object(depth + 1)
		d.endBody(end)
		return m
	case tagRef:
		return d.ref()
	}
	d.fail()
	return nil
}

// ref follows a back-reference to an earlier string.
func (d *claimDecoder) ref() string {
	at := d.uvarint()
	if d.err != nil || at >= d.off-1 || d.b[at] != tagString {
		d.fail()
		return ""
	}
	t := claimDecoder{reader: reader{b: d.b[:d.off], off: at + 1}}
	s := t.span()
	if t.err != nil {
		d.fail()
	}
	return str(s)
}

func (d *claimDecoder) object(depth int) map[string]any {
	if depth > maxDepth {
		d.fail()
		return nil
	}
	n := d.uvarint()
	if n > len(d.b)-d.off {
		d.fail()
		return nil
	}
	m := make(map[string]any, n)
	for ; n > 0 && d.err == nil; n-- {
		k := d.keyName()
		m[k] = d.value(depth)
	}
	return m
}

// bodyEnd reads a nested value's length and returns where it ends.
func (d *claimDecoder) bodyEnd() int {
	n := d.uvarint()
	if n > len(d.b)-d.off {
		d.fail()
		return len(d.b)
	}
	return d.off + n
}

// endBody checks that a nested value ended where its length said.
func (d *claimDecoder) endBody(end int) {
	if d.err == nil && d.off != end {
		d.fail()
	}
}

// skip passes over one value. Nested values are checked by check, once, so
// here their length is enough.
func (d *claimDecoder) skip() {
	switch d.byte() {
	case tagString, tagNumber:
		d.span()
	case tagTrue, tagFalse, tagNull, tagSubject, tagIssuer, tagClient:
	case tagInt:
		if _, k := binary.Varint(d.b[d.off:]); k > 0 {
			d.off += k
		} else {
			d.fail()
		}
	case tagArray, tagObject:
		d.off = d.bodyEnd()
	case tagRef:
		d.uvarint()
	default:
		d.fail()
	}
}

// skipObject checks an object's every key and value, allocating nothing.
func (d *claimDecoder) skipObject(depth int) {
	if depth > maxDepth {
		d.fail()
		return
	}
	for n := d.uvarint(); n > 0 && d.err == nil; n-- {
		d.keyName()
		d.checkValue(depth)
	}
}

func (d *claimDecoder) checkValue(depth int) {
	if d.off >= len(d.b) {
		d.fail()
		return
	}
	switch d.b[d.off] {
	case tagArray:
		d.off++
		end := d.bodyEnd()
		for n := d.uvarint(); n > 0 && d.err == nil; n-- {
			d.checkValue(depth + 1)
		}
		d.endBody(end)
	case tagObject:
		d.off++
		end := d.bodyEnd()
		d.skipObject(depth + 1)
		d.endBody(end)
	case tagRef:
		d.off++
		d.ref()
	default:
		d.skip()
	}
}
