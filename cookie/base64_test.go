package cookie

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// decodeLikeB64 is what decodeSealed must agree with: encoding/base64's
// strict RawURLEncoding, on values without the line breaks it skips.
func decodeLikeB64(s string) ([]byte, bool) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, false
	}
	b, err := b64.DecodeString(s)
	return b, err == nil
}

func TestDecodeSealedRoundTripsEveryLength(t *testing.T) {
	for size := range 200 {
		raw := make([]byte, size)
		for i := range raw {
			raw[i] = byte(i*73 + size*11)
		}
		s := base64.RawURLEncoding.EncodeToString(raw)
		got, ok := decodeSealed(nil, s)
		if !ok || !bytes.Equal(got, raw) {
			t.Fatalf("%d bytes: decodeSealed(%q) = %x, %v; want %x", size, s, got, ok, raw)
		}
		// Into a buffer with just the room it needs: the same bytes, no
		// allocation.
		buf := make([]byte, decodedRoom(len(s)))
		if allocs := testing.AllocsPerRun(10, func() { got, ok = decodeSealed(buf, s) }); allocs != 0 {
			t.Errorf("%d bytes into a buffer with room: %v allocations", size, allocs)
		}
		if !ok || !bytes.Equal(got, raw) || (size > 0 && &got[0] != &buf[0]) {
			t.Fatalf("%d bytes into a buffer: decodeSealed(%q) = %x, %v; want %x in the buffer", size, s, got, ok, raw)
		}
	}
}

func TestDecodeSealedRefusesWhatStrictBase64Refuses(t *testing.T) {
	// 42 bytes: 56 characters, whole groups.
	valid := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("sealed", 7)))
	cases := map[string]string{
		"standard alphabet '+'":                  "ab+d" + valid,
		"standard alphabet '/'":                  valid[:9] + "/" + valid[10:],
		"padding":                                valid + "==",
		"a lone last character":                  valid + "A",
		"non-zero leftover bits of 2 characters": "AB",
		"non-zero leftover bits of 3 characters": "ABD",
		"a line break in the bulk":               valid[:3] + "\n" + valid[4:],
		"a line break in the tail":               valid[:len(valid)-2] + "\r" + valid[len(valid)-1:],
		"a space":                                valid[:20] + " " + valid[21:],
		"a byte above 0x7f":                      valid[:12] + "\xc3" + valid[13:],
		"a NUL":                                  "\x00" + valid[1:],
	}
	for name, s := range cases {
		if got, ok := decodeSealed(nil, s); ok {
			t.Errorf("%s: decodeSealed(%q) accepted %x", name, s, got)
		}
	}
}

// FuzzDecodeSealed: decodeSealed accepts exactly what strict base64url
// accepts, and decodes it to the same bytes.
func FuzzDecodeSealed(f *testing.F) {
	for _, s := range []string{"", "AA", "AB", "AAA", "AAB", "A", "abcdefgh", "abcdefghij", "ab+/", "YQ\n", "_-_-_-_-_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := decodeSealed(nil, s)
		want, wantOK := decodeLikeB64(s)
		if ok != wantOK || (ok && !bytes.Equal(got, want)) {
			t.Fatalf("decodeSealed(%q) = %x, %v; strict base64url gives %x, %v", s, got, ok, want, wantOK)
		}
		// A buffer a little short of the room takes the allocating path,
		// one with room is used: both give the same answer.
		for _, room := range []int{decodedRoom(len(s)) - 1, decodedRoom(len(s))} {
			if got, ok := decodeSealed(make([]byte, room), s); ok != wantOK || (ok && !bytes.Equal(got, want)) {
				t.Fatalf("decodeSealed into %d bytes (%q) = %x, %v; strict base64url gives %x, %v", room, s, got, ok, want, wantOK)
			}
		}
	})
}
