package cookie

import (
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestSessionEncodingRoundTrip(t *testing.T) {
	full := testSession("user-1", []byte(`{"sub":"user-1","email":"a@example.com"}`))
	empty := &Session{}
	for name, s := range map[string]*Session{"full": full, "empty": empty} {
		got, err := decodeSession(encodeSession(s))
		if err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if !sameSession(got, s) {
			t.Fatalf("%s: round trip gave %+v, want %+v", name, got, s)
		}
		if s.TokenExpiry.IsZero() != got.TokenExpiry.IsZero() || s.Created.IsZero() != got.Created.IsZero() {
			t.Fatalf("%s: zero times did not stay zero", name)
		}
	}
}

func TestSessionEncodingIsNotJSON(t *testing.T) {
	b := encodeSession(testSession("u", []byte(`{"sub":"u"}`)))
	if b[0] != sessionFormat {
		t.Fatalf("first byte %d, want the format version %d", b[0], sessionFormat)
	}
	if json.Valid(b) {
		t.Fatal("the session encodes as JSON")
	}
}

func TestDecodeSessionRejectsDamage(t *testing.T) {
	b := encodeSession(testSession("user-1", []byte(`{"sub":"user-1"}`)))
	for n := range len(b) {
		if _, err := decodeSession(b[:n]); !errors.Is(err, errMalformed) {
			t.Fatalf("first %d of %d bytes: error = %v, want errMalformed", n, len(b), err)
		}
	}
	if _, err := decodeSession(append(append([]byte{}, b...), 0)); !errors.Is(err, errMalformed) {
		t.Fatalf("trailing byte: error = %v", err)
	}
	other := append([]byte{}, b...)
	other[0] = sessionFormat + 1
	if _, err := decodeSession(other); !errors.Is(err, errMalformed) {
		t.Fatalf("unknown format version: error = %v", err)
	}
}

func TestClaimMap(t *testing.T) {
	s := &Session{Claims: mustClaims([]byte(`{"sub":"u","groups":["a","b"],"exp":1700000000123,"email_verified":true}`))}
	m := s.ClaimMap()
	if m["sub"] != "u" || m["email_verified"] != true {
		t.Fatalf("ClaimMap = %v", m)
	}
	if m["exp"] != json.Number("1700000000123") {
		t.Fatalf("exp = %#v, want the exact json.Number", m["exp"])
	}
	if !reflect.DeepEqual(m["groups"], []any{"a", "b"}) {
		t.Fatalf("groups = %#v", m["groups"])
	}
	if reflect.ValueOf(s.ClaimMap()).Pointer() != reflect.ValueOf(m).Pointer() {
		t.Fatal("a second ClaimMap call decoded again")
	}
}

func TestClaimMapNeverNil(t *testing.T) {
	for _, bad := range []string{"", "\x05", "\x01\x00", "\x01\x13\x01\x09", "\xff\xff\xff\xff\x0f"} {
		s := &Session{Claims: Claims{b: []byte(bad)}}
		if m := s.ClaimMap(); m == nil || len(m) != 0 {
			t.Errorf("Claims %q: ClaimMap = %#v, want an empty non-nil map", bad, m)
		}
	}
	if m := (&Session{}).ClaimMap(); m == nil || len(m) != 0 {
		t.Errorf("no claims: ClaimMap = %#v, want an empty non-nil map", m)
	}
}

func TestClaimMapFollowsReplacedClaims(t *testing.T) {
	s := &Session{Claims: mustClaims([]byte(`{"name":"before"}`))}
	_ = s.ClaimMap()
	s.Claims = mustClaims([]byte(`{"name":"after"}`))
	if got := s.ClaimMap()["name"]; got != "after" {
		t.Fatalf("after replacing Claims, name = %v, want after", got)
	}
}

func TestClaimMapConcurrent(t *testing.T) {
	// Copies of one cached session: the cookie is admitted on its second
	// sighting, then every read hands out a copy.
	j := testJar(t, JarConfig{})
	br, _ := writeSession(t, j, testSession("u", []byte(`{"sub":"u","n":1}`)))
	var copies []*Session
	for i := range 6 {
		s, err := j.ReadSession(br.request(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if i >= 2 {
			copies = append(copies, s)
		}
	}
	maps := make([]map[string]any, 32)
	var wg sync.WaitGroup
	for i := range maps {
		wg.Go(func() { maps[i] = copies[i%len(copies)].ClaimMap() })
	}
	wg.Wait()
	first := reflect.ValueOf(maps[0]).Pointer()
	for i, m := range maps {
		if m["sub"] != "u" {
			t.Fatalf("goroutine %d: ClaimMap = %v", i, m)
		}
		if reflect.ValueOf(m).Pointer() != first {
			t.Fatalf("goroutine %d got its own decoding; copies of one opened session should share one", i)
		}
	}
}

func TestSessionTimesKeptToTheSecond(t *testing.T) {
	when := time.Date(2030, 1, 1, 0, 0, 0, 999_000_000, time.UTC)
	got, err := decodeSession(encodeSession(&Session{Created: when}))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Created.Equal(when.Truncate(time.Second)) {
		t.Fatalf("Created = %v, want %v", got.Created, when.Truncate(time.Second))
	}
}

// decodeSession is decodeSessionInto into a new session.
func decodeSession(b []byte) (*Session, error) {
	s := &Session{}
	if err := decodeSessionInto(s, b); err != nil {
		return nil, err
	}
	return s, nil
}
