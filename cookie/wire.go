package cookie

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"time"
	"unsafe"
)

// The payloads inside sealed cookies use a small binary encoding instead of
// JSON, so opening a cookie costs no JSON decoding: length-prefixed strings
// and times in whole seconds, read back as substrings of one string.

// errMalformed is what a decoder reports for bytes it cannot read. Callers
// turn it into ErrInvalid: once a seal has opened, bad bytes mean a bug or a
// foreign format, and either way the value is unusable.
var errMalformed = errors.New("cookie: malformed payload")

// zeroUnix is the Unix time of time.Time{}. Times are stored as seconds since
// then, so the zero time encodes as 0 and every other time round-trips.
var zeroUnix = time.Time{}.Unix()

// writer appends the fields of a payload to a byte slice.
type writer struct{ b []byte }

func (w *writer) byte(c byte) { w.b = append(w.b, c) }

func (w *writer) str(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *writer) bytes(p []byte) {
	w.b = binary.AppendUvarint(w.b, uint64(len(p)))
	w.b = append(w.b, p...)
}

func (w *writer) time(t time.Time) {
	w.b = binary.AppendVarint(w.b, t.Unix()-zeroUnix)
}

// millis writes t to the millisecond, for times that count in seconds
// (an idle timeout of a few seconds must not lose one to rounding).
func (w *writer) millis(t time.Time) {
	if t.IsZero() {
		w.b = binary.AppendVarint(w.b, 0)
		return
	}
	w.b = binary.AppendVarint(w.b, t.UnixMilli()-zeroUnix*1000)
}

// reader takes fields back out. Strings are substrings of s and byte fields
// are sub-slices of b (the same bytes), so decoding allocates nothing per
// field. After the first problem every read returns zero values and err is
// set; the caller checks err once at the end.
type reader struct {
	b   []byte
	s   string
	off int
	err error
}

// newReader reads b, which the reader's caller owns from then on: the
// strings it returns share b's memory instead of a copy (a cached session
// then holds its payload once, not twice), so b must never change again.
func newReader(b []byte) reader {
	if len(b) == 0 {
		return reader{b: b}
	}
	return reader{b: b, s: unsafe.String(&b[0], len(b))}
}

func (r *reader) fail() { r.err, r.off = errMalformed, len(r.b) }

func (r *reader) byte() byte {
	if r.off >= len(r.b) {
		r.fail()
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

// span reads a length prefix and returns the bounds of the field it announces.
func (r *reader) span() (start, end int) {
	// Most fields are shorter than 128 bytes: a one-byte prefix.
	if r.off < len(r.b) && r.b[r.off] < 0x80 {
		start = r.off + 1
		end = start + int(r.b[r.off])
		if end > len(r.b) {
			r.fail()
			return 0, 0
		}
		r.off = end
		return start, end
	}
	n, k := uvarint(r.b[r.off:])
	if k <= 0 || n > uint64(len(r.b)-r.off-k) {
		r.fail()
		return 0, 0
	}
	start = r.off + k
	end = start + int(n)
	r.off = end
	return start, end
}

func (r *reader) str() string {
	start, end := r.span()
	return r.s[start:end]
}

// bytes returns a sub-slice capped at its own length, so appending to it can
// never overwrite the fields that follow.
func (r *reader) bytes() []byte {
	start, end := r.span()
	if start == end {
		return nil
	}
	return r.b[start:end:end]
}

// time reads a time written by writer.time, to the second.
func (r *reader) time() time.Time {
	v, ok := r.varint()
	if !ok || v == 0 {
		return time.Time{}
	}
	return time.Unix(v+zeroUnix, 0).UTC()
}

// varint reads one signed varint; ok is false after a problem.
func (r *reader) varint() (int64, bool) {
	u, k := uvarint(r.b[r.off:])
	if k <= 0 {
		r.fail()
		return 0, false
	}
	r.off += k
	// Zigzag, as binary.Varint undoes it.
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v, true
}

// uvarint is binary.Uvarint, without its loop over the bytes when the
// varint ends within 8 bytes that b has: a time takes 6 (seconds) or 7
// (milliseconds), and a session has five.
func uvarint(b []byte) (uint64, int) {
	if len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		if ends := ^w & 0x8080808080808080; ends != 0 {
			k := bits.TrailingZeros64(ends)/8 + 1
			w &= 1<<(8*k) - 1 // the varint's bytes (all 8: 1<<64 is 0)
			v := w&0x7f | w>>1&(0x7f<<7) | w>>2&(0x7f<<14) | w>>3&(0x7f<<21) |
				w>>4&(0x7f<<28) | w>>5&(0x7f<<35) | w>>6&(0x7f<<42) | w>>7&(0x7f<<49)
			return v, k
		}
	}
	return binary.Uvarint(b)
}

// done reports the first problem, or trailing bytes nobody read.
func (r *reader) done() error {
	if r.err == nil && r.off != len(r.b) {
		r.err = errMalformed
	}
	return r.err
}

// uint64 reads 8 bytes, big endian.
func (r *reader) uint64() uint64 {
	if len(r.b)-r.off < 8 {
		r.fail()
		return 0
	}
	v := binary.BigEndian.Uint64(r.b[r.off:])
	r.off += 8
	return v
}

// millis reads a time written by writer.millis, to the millisecond.
func (r *reader) millis() time.Time {
	v, ok := r.varint()
	if !ok || v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v + zeroUnix*1000).UTC()
}
