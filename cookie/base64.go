package cookie

import (
	"encoding/binary"
	"sync"
	"unsafe"
)

// Opening a session cookie is mostly decoding its base64: encoding/base64
// looks up one character at a time, which was about a third of the work.
// decodeSealed decodes 32 characters at a time with AVX2 where the CPU has
// it (base64_amd64.s); elsewhere two at a time, in a table of every pair of
// bytes, so that eight characters cost four lookups and one check. It
// accepts exactly what b64 (RawURLEncoding, strict) accepts, except that
// it does not skip '\r' and '\n' as encoding/base64 does: a cookie value
// holds neither. Built with the purego tag, it uses no assembly.

// b64Alphabet is RawURLEncoding's.
const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// pairInvalid marks a pair with a byte outside the alphabet. Valid entries
// hold 12 bits.
const pairInvalid = 0x8000

// b64Sixes maps a byte to its 6-bit value, or 0xff outside the alphabet.
var b64Sixes = func() *[256]byte {
	var t [256]byte
	for i := range t {
		t[i] = 0xff
	}
	for i := range len(b64Alphabet) {
		t[b64Alphabet[i]] = byte(i)
	}
	return &t
}()

// b64Pairs maps two bytes, the first in the low byte (as a little-endian
// load reads them), to the 12 bits they encode. 128 KiB, of which the 4,096
// valid pairs touch about 12 KiB; built on first use, so a Caddy that opens
// no cookie never holds it.
var b64Pairs = sync.OnceValue(func() *[1 << 16]uint16 {
	t := new([1 << 16]uint16)
	for i := range t {
		hi, lo := b64Sixes[i&0xff], b64Sixes[i>>8]
		if hi == 0xff || lo == 0xff {
			t[i] = pairInvalid
			continue
		}
		t[i] = uint16(hi)<<6 | uint16(lo)
	}
	return t
})

// decodedRoom is the room decodeSealed needs for n characters: 6 bytes per
// 8 characters, plus the last 8-byte store.
func decodedRoom(n int) int { return n/8*6 + 8 }

// decodeSealed decodes src into buf, or into a new slice when buf has less
// than decodedRoom(len(src)) bytes, or reports false when src is not strict
// unpadded base64url.
func decodeSealed(buf []byte, src string) ([]byte, bool) {
	return decodeSealedWith(buf, src, useAVX2)
}

// decodeSealedWith is decodeSealed, with AVX2 or without: tests hold the two
// to each other.
func decodeSealedWith(buf []byte, src string, avx2 bool) ([]byte, bool) {
	dst := buf
	if len(dst) < decodedRoom(len(src)) {
		dst = make([]byte, decodedRoom(len(src)))
	}
	if avx2 {
		return decodeAVX2Value(dst, src)
	}
	// Offsets from the start rather than indexes: the loop then carries no
	// bounds checks, which were a third of its instructions. dst has room
	// for every 8-byte store (decodedRoom), and no pointer is formed past
	// either end.
	in := unsafe.Pointer(unsafe.StringData(src))
	out := unsafe.Pointer(unsafe.SliceData(dst))
	pairs := b64Pairs()
	var seen uint64 // every pair looked up, ORed: one check at the end
	done := 0       // characters decoded, a multiple of 8
	for ; len(src)-done >= 8; done += 8 {
		w := binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(in, done))[:])
		p0 := uint64(pairs[uint16(w)])
		p1 := uint64(pairs[uint16(w>>16)])
		p2 := uint64(pairs[uint16(w>>32)])
		p3 := uint64(pairs[uint16(w>>48)])
		seen |= p0 | p1 | p2 | p3
		binary.BigEndian.PutUint64((*[8]byte)(unsafe.Add(out, done/8*6))[:], p0<<52|p1<<40|p2<<28|p3<<16)
	}
	if seen&pairInvalid != 0 {
		return nil, false
	}
	n := done / 8 * 6
	m, ok := decodeTail(dst[n:], src[done:])
	return dst[: n+m : n+m], ok
}

// decodeAVX2Value decodes src into dst (decodedRoom(len(src)) bytes) with
// AVX2: whole blocks of 32 characters in place, the last 1 to 31 padded
// with 'A' (zero bits) to one more block on the stack.
func decodeAVX2Value(dst []byte, src string) ([]byte, bool) {
	blocks := len(src) / 32
	if blocks > 0 && decodeAVX2(unsafe.SliceData(dst), unsafe.StringData(src), blocks) {
		return nil, false
	}
	n := blocks * 24
	rest := src[blocks*32:]
	if rest == "" {
		return dst[:n:n], true
	}
	// A lone last character is refused, as strict decoding requires.
	if len(rest)%4 == 1 {
		return nil, false
	}
	var in, out [32]byte
	copy(in[copy(in[:], rest):], "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	if decodeAVX2(&out[0], &in[0], 1) {
		return nil, false
	}
	m := len(rest) / 4 * 3
	if r := len(rest) % 4; r > 0 {
		m += r - 1
		// The bits a short last group leaves over are the next byte's
		// first, the padding's zeros after them: strict decoding wants
		// them zero.
		if out[m] != 0 {
			return nil, false
		}
	}
	copy(dst[n:], out[:m])
	return dst[: n+m : n+m], true
}

// decodeTail decodes the last 0 to 7 characters one at a time. As strict
// decoding requires, a lone last character is refused and the bits a short
// last group leaves over must be zero.
func decodeTail(dst []byte, src string) (int, bool) {
	var acc uint32
	bits, n := 0, 0
	for i := range len(src) {
		v := b64Sixes[src[i]]
		if v == 0xff {
			return 0, false
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			dst[n] = byte(acc >> bits)
			n++
			acc &= 1<<bits - 1
		}
	}
	// Left over: 0 bits (whole groups), 4 or 2 (2 or 3 characters of a
	// group) that must be zero, or 6 (one character, never valid).
	if bits == 6 || acc != 0 {
		return 0, false
	}
	return n, true
}
