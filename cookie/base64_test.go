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

// decodePaths are decodeSealed's two ways: with AVX2 when this CPU has it
// (the way it takes here), and without.
func decodePaths(t testing.TB) map[string]func([]byte, string) ([]byte, bool) {
	paths := map[string]func([]byte, string) ([]byte, bool){
		"pairs": func(buf []byte, s string) ([]byte, bool) { return decodeSealedWith(buf, s, false) },
	}
	if useAVX2 {
		paths["avx2"] = func(buf []byte, s string) ([]byte, bool) { return decodeSealedWith(buf, s, true) }
	} else {
		t.Log("no AVX2 on this CPU (or built with purego): the pair table alone is tested")
	}
	return paths
}

func TestDecodeSealedRoundTripsEveryLength(t *testing.T) {
	for name, decodeSealed := range decodePaths(t) {
		t.Run(name, func(t *testing.T) { roundTripEveryLength(t, decodeSealed) })
	}
}

func roundTripEveryLength(t *testing.T, decodeSealed func([]byte, string) ([]byte, bool)) {
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
		"a bad byte in the last whole group":     valid[:55] + "." + valid[56:],
	}
	for path, decodeSealed := range decodePaths(t) {
		for name, s := range cases {
			if got, ok := decodeSealed(nil, s); ok {
				t.Errorf("%s, %s: decodeSealed(%q) accepted %x", path, name, s, got)
			}
		}
	}
}

// Every byte at every position of a value of 3 blocks of 32 characters, 3
// groups of 8 and a tail of 3: each way decodeSealed has agrees with strict
// base64url on which are accepted and what they decode to.
func TestDecodeSealedJudgesEveryByteAtEveryPosition(t *testing.T) {
	raw := make([]byte, (3*32+3*8+3)*6/8)
	for i := range raw {
		raw[i] = byte(i*151 + 7)
	}
	valid := base64.RawURLEncoding.EncodeToString(raw)
	paths := decodePaths(t)
	for pos := range len(valid) {
		for c := range 256 {
			b := []byte(valid)
			b[pos] = byte(c)
			s := string(b)
			want, wantOK := decodeLikeB64(s)
			for path, decodeSealed := range paths {
				if got, ok := decodeSealed(nil, s); ok != wantOK || (ok && !bytes.Equal(got, want)) {
					t.Fatalf("%s: byte %#02x at %d: decodeSealed = %x, %v; strict base64url gives %x, %v", path, c, pos, got, ok, want, wantOK)
				}
			}
		}
	}
}

// FuzzDecodeSealed: decodeSealed accepts exactly what strict base64url
// accepts, and decodes it to the same bytes.
func FuzzDecodeSealed(f *testing.F) {
	for _, s := range []string{"", "AA", "AB", "AAA", "AAB", "A", "abcdefgh", "abcdefghij", "ab+/", "YQ\n", "_-_-_-_-_"} {
		f.Add(s)
	}
	f.Add(strings.Repeat("Zm9v", 8) + "YmFy")
	f.Add(strings.Repeat("-_09azAZ", 12) + "A")
	paths := decodePaths(f)
	f.Fuzz(func(t *testing.T, s string) {
		want, wantOK := decodeLikeB64(s)
		for path, decodeSealed := range paths {
			if got, ok := decodeSealed(nil, s); ok != wantOK || (ok && !bytes.Equal(got, want)) {
				t.Fatalf("%s: decodeSealed(%q) = %x, %v; strict base64url gives %x, %v", path, s, got, ok, want, wantOK)
			}
			// A buffer a little short of the room takes the allocating
			// path, one with room is used: both give the same answer.
			for _, room := range []int{decodedRoom(len(s)) - 1, decodedRoom(len(s))} {
				if got, ok := decodeSealed(make([]byte, room), s); ok != wantOK || (ok && !bytes.Equal(got, want)) {
					t.Fatalf("%s: decodeSealed into %d bytes (%q) = %x, %v; strict base64url gives %x, %v", path, room, s, got, ok, want, wantOK)
				}
			}
		}
	})
}

// BenchmarkDecodeSealed: a Google session's sealed value, 358 characters,
// each way decodeSealed has, and encoding/base64.
func BenchmarkDecodeSealed(b *testing.B) {
	raw := bytes.Repeat([]byte{0x5a, 0xc3, 0x17, 0xfe}, 67)
	s := b64.EncodeToString(raw)
	buf := make([]byte, decodedRoom(len(s)))
	for path, decodeSealed := range decodePaths(b) {
		b.Run(path, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				if _, ok := decodeSealed(buf, s); !ok {
					b.Fatal("refused")
				}
			}
		})
	}
	b.Run("encoding-base64", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		src := []byte(s)
		for b.Loop() {
			if _, err := b64.Decode(buf, src); err != nil {
				b.Fatal(err)
			}
		}
	})
}
