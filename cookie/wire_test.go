package cookie

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

func TestWireRoundTrip(t *testing.T) {
	when := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	var w writer
	w.byte(7)
	w.str("")
	w.str("héllo")
	w.bytes([]byte{1, 2, 3})
	w.time(time.Time{})
	w.time(when)
	w.time(time.Unix(0, 0))

	r := newReader(w.b)
	if got := r.byte(); got != 7 {
		t.Fatalf("byte = %d, want 7", got)
	}
	if got := r.str(); got != "" {
		t.Fatalf("empty string came back as %q", got)
	}
	if got := r.str(); got != "héllo" {
		t.Fatalf("string = %q, want héllo", got)
	}
	if got := r.bytes(); !bytes.Equal(got, []byte{1, 2, 3}) || cap(got) != 3 {
		t.Fatalf("bytes = %v (cap %d), want [1 2 3] capped at 3", got, cap(got))
	}
	if got := r.time(); !got.IsZero() {
		t.Fatalf("zero time came back as %v", got)
	}
	if got := r.time(); !got.Equal(when) {
		t.Fatalf("time = %v, want %v", got, when)
	}
	if got := r.time(); !got.Equal(time.Unix(0, 0)) || got.IsZero() {
		t.Fatalf("the Unix epoch came back as %v", got)
	}
	if err := r.done(); err != nil {
		t.Fatalf("done: %v", err)
	}
}

func TestWireRejectsBadInput(t *testing.T) {
	var w writer
	w.str("abc")
	cases := map[string][]byte{
		"truncated string":  w.b[:len(w.b)-1],
		"length past end":   {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"unfinished varint": {0x80},
		"empty":             {},
	}
	for name, b := range cases {
		r := newReader(b)
		_ = r.str()
		if err := r.done(); !errors.Is(err, errMalformed) {
			t.Errorf("%s: done = %v, want errMalformed", name, err)
		}
	}
	r := newReader(append(append([]byte{}, w.b...), 0))
	_ = r.str()
	if err := r.done(); !errors.Is(err, errMalformed) {
		t.Errorf("trailing byte: done = %v, want errMalformed", err)
	}
	r = newReader(nil)
	if r.time(); r.done() == nil {
		t.Error("time from no bytes: no error")
	}
	r = newReader(nil)
	if r.byte(); r.done() == nil {
		t.Error("byte from no bytes: no error")
	}
}

// uvarint reads what binary.Uvarint reads, with the 8-byte fast path and
// without it: every length of varint, ending at every byte of the word,
// with or without bytes after it.
func TestUvarintReadsWhatBinaryUvarintReads(t *testing.T) {
	values := []uint64{0, 1, 127, 128, 300, 1<<14 - 1, 1 << 14, 1<<21 + 5, 1<<28 - 1, 1 << 35,
		63_900_000_000, 63_900_000_000_123, 1<<49 - 1, 1 << 49, 1<<56 - 1, 1 << 56, 1<<63 + 7, 1<<64 - 1}
	for _, v := range values {
		enc := binary.AppendUvarint(nil, v)
		for _, after := range [][]byte{nil, {0}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}} {
			b := append(append([]byte(nil), enc...), after...)
			got, k := uvarint(b)
			if got != v || k != len(enc) {
				t.Errorf("uvarint(%x) = %d, %d; want %d, %d", b, got, k, v, len(enc))
			}
		}
	}
	// Not ended, too long, or empty: as binary.Uvarint says.
	for _, b := range [][]byte{nil, {0x80}, bytes.Repeat([]byte{0x80}, 8), bytes.Repeat([]byte{0xff}, 11), append(bytes.Repeat([]byte{0xff}, 9), 0x02)} {
		wantV, wantK := binary.Uvarint(b)
		if v, k := uvarint(b); v != wantV || k != wantK {
			t.Errorf("uvarint(%x) = %d, %d; binary.Uvarint gives %d, %d", b, v, k, wantV, wantK)
		}
	}
}

func FuzzUvarint(f *testing.F) {
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})
	f.Add([]byte{0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		wantV, wantK := binary.Uvarint(b)
		if v, k := uvarint(b); v != wantV || k != wantK {
			t.Fatalf("uvarint(%x) = %d, %d; binary.Uvarint gives %d, %d", b, v, k, wantV, wantK)
		}
	})
}
