package cookie

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
