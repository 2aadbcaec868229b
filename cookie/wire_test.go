package cookie

import (
	"bytes"
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
