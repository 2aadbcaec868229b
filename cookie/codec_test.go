package cookie

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	t0     = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	future = t0.Add(time.Hour)
)

func TestNewCodecRefusesEmptySecret(t *testing.T) {
	_, err := NewCodec("")
	if err == nil || !strings.Contains(err.Error(), "cookie_secret") {
		t.Fatalf("NewCodec(\"\") error = %v, want one naming cookie_secret", err)
	}
	_, err = NewCodec("current", "old", "")
	if err == nil || !strings.Contains(err.Error(), "cookie_secret") || !strings.Contains(err.Error(), "#2") {
		t.Fatalf("empty previous secret: error = %v, want one naming cookie_secret #2", err)
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	c := testCodec(t, "s3cret")
	for _, payload := range [][]byte{nil, []byte("x"), []byte("hello, world"), bytes.Repeat([]byte{0, 255}, 5000)} {
		v := c.Seal("session", payload, future)
		got, err := c.Open("session", v, t0)
		if err != nil {
			t.Fatalf("Open(Seal(%d bytes)): %v", len(payload), err)
		}
		if !bytes.Equal(got, payload) {
			t.Fatalf("Open gave %d bytes, want the %d sealed", len(got), len(payload))
		}
	}
}

func TestSealIsCookieSafeAndFresh(t *testing.T) {
	c := testCodec(t, "s3cret")
	a, b := c.Seal("session", []byte("same"), future), c.Seal("session", []byte("same"), future)
	if a == b {
		t.Fatal("two seals of the same payload are equal: the nonce is not fresh")
	}
	for _, r := range a {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			t.Fatalf("sealed value %q holds %q, not base64url without padding", a, r)
		}
	}
}

// Every single-byte change of a sealed value must fail to open, and never panic.
func TestOpenRejectsEverySingleByteChange(t *testing.T) {
	c := testCodec(t, "s3cret")
	v := c.Seal("session", []byte("small payload"), future)
	for i := range len(v) {
		for b := range 256 {
			if byte(b) == v[i] {
				continue
			}
			changed := v[:i] + string([]byte{byte(b)}) + v[i+1:]
			if _, err := c.Open("session", changed, t0); !errors.Is(err, ErrInvalid) {
				t.Fatalf("byte %d changed to %#x: Open error = %v, want ErrInvalid", i, b, err)
			}
		}
	}
}

func TestOpenRejectsTruncationAndExtension(t *testing.T) {
	c := testCodec(t, "s3cret")
	v := c.Seal("session", []byte("small payload"), future)
	for n := range len(v) {
		if _, err := c.Open("session", v[:n], t0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("first %d of %d chars: error = %v, want ErrInvalid", n, len(v), err)
		}
	}
	for _, extra := range []string{"A", "AA", "AAAA", v} {
		if _, err := c.Open("session", v+extra, t0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("value + %q: error = %v, want ErrInvalid", extra, err)
		}
	}
	if _, err := c.Open("session", strings.Repeat("A", maxSealedChars+4), t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("oversized value: error = %v, want ErrInvalid", err)
	}
}

func TestOpenExpiry(t *testing.T) {
	c := testCodec(t, "s3cret")
	v := c.Seal("session", []byte("p"), future)
	if _, err := c.Open("session", v, future.Add(-time.Second)); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	for _, now := range []time.Time{future, future.Add(time.Hour)} {
		if _, err := c.Open("session", v, now); !errors.Is(err, ErrExpired) {
			t.Fatalf("at %v (expiry %v): error = %v, want ErrExpired", now, future, err)
		}
	}
}

func TestOpenWrongSecret(t *testing.T) {
	v := testCodec(t, "one secret").Seal("session", []byte("p"), future)
	if _, err := testCodec(t, "another secret").Open("session", v, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("error = %v, want ErrInvalid", err)
	}
}

func TestOpenBindsPurpose(t *testing.T) {
	c := testCodec(t, "s3cret")
	cases := []struct{ sealed, opened string }{
		{"login:oidc_auth:stateA", "login:oidc_auth:stateB"}, // same class, other state
		{"login:oidc_auth:stateA", "session:oidc_auth"},      // other class
		{"session:oidc_auth", "session:other"},
		{"session", "session:"},
	}
	for _, tc := range cases {
		v := c.Seal(tc.sealed, []byte("p"), future)
		if _, err := c.Open(tc.opened, v, t0); !errors.Is(err, ErrInvalid) {
			t.Errorf("sealed for %q, opened as %q: error = %v, want ErrInvalid", tc.sealed, tc.opened, err)
		}
	}
}

func TestRotation(t *testing.T) {
	old := testCodec(t, "old secret")
	rotated := testCodec(t, "new secret", "old secret")
	oldValue := old.Seal("session", []byte("before"), future)
	if got, err := rotated.Open("session", oldValue, t0); err != nil || string(got) != "before" {
		t.Fatalf("a value of the previous secret: Open = %q, %v; want it to open", got, err)
	}
	newValue := rotated.Seal("session", []byte("after"), future)
	if _, err := old.Open("session", newValue, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a new value opens with the old secret alone (error %v): it was not sealed with the current one", err)
	}
	if _, err := testCodec(t, "new secret").Open("session", newValue, t0); err != nil {
		t.Fatalf("a new value does not open with the current secret alone: %v", err)
	}
	// With several previous secrets, each one's values open, oldest included.
	three := testCodec(t, "newest", "new secret", "old secret")
	for _, v := range []string{oldValue, newValue, three.Seal("session", []byte("newest"), future)} {
		if _, err := three.Open("session", v, t0); err != nil {
			t.Fatalf("three secrets: %v", err)
		}
	}
	// Dropping the old secret signs its values out.
	if _, err := testCodec(t, "new secret").Open("session", oldValue, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("old value after the old secret is dropped: error = %v, want ErrInvalid", err)
	}
}

func TestManyPurposeClassesStayCorrect(t *testing.T) {
	c := testCodec(t, "s3cret")
	for i := range 3 * maxKeyClasses {
		purpose := "class" + strings.Repeat("x", i)
		v := c.Seal(purpose, []byte("p"), future)
		if _, err := c.Open(purpose, v, t0); err != nil {
			t.Fatalf("class %d: %v", i, err)
		}
	}
	if n := c.classes.Load(); n > maxKeyClasses {
		t.Fatalf("%d key classes cached, want at most %d", n, maxKeyClasses)
	}
}
