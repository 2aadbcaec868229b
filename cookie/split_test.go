package cookie

import (
	"net/http"
	"strings"
	"testing"
)

func TestSplitSizesFitEachLine(t *testing.T) {
	attrs := attrLen(&http.Cookie{Name: "oidc_auth", Path: "/", MaxAge: 2592000, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	for _, total := range []int{1, 100, 3900, 4000, 4100, 8000, 12000, 40000, 100000} {
		sizes := splitSizes(total, "oidc_auth", attrs)
		if sizes == nil {
			if total < 100000 {
				t.Fatalf("%d chars: no split", total)
			}
			continue
		}
		sum := 0
		for k, n := range sizes {
			line := setCookiePrefix + len(pieceName("oidc_auth", k)) + 1 + n + attrs
			if k == 0 {
				line += len(countPrefix(len(sizes)))
			}
			if line > maxSetCookieLine {
				t.Fatalf("%d chars: piece %d makes a %d-byte line", total, k, line)
			}
			if n == 0 {
				t.Fatalf("%d chars: piece %d is empty", total, k)
			}
			sum += n
		}
		if sum != total {
			t.Fatalf("%d chars split into %v, which adds up to %d", total, sizes, sum)
		}
		// No more pieces than needed: one fewer could not hold it.
		if min := (total + maxSetCookieLine - 1) / maxSetCookieLine; len(sizes) > min+1 {
			t.Fatalf("%d chars took %d pieces", total, len(sizes))
		}
	}
}

func TestSplitValueReassembles(t *testing.T) {
	sealed := strings.Repeat("abcdefghij", 1000)
	sizes := []int{4000, 4000, 2000}
	values := splitValue(sealed, sizes)
	if !strings.HasPrefix(values[0], "3.") {
		t.Fatalf("first piece %q… does not name the count", values[0][:10])
	}
	if got := strings.TrimPrefix(values[0], "3.") + values[1] + values[2]; got != sealed {
		t.Fatal("pieces do not reassemble to the sealed value")
	}
	if got, want := headerSize("oidc_auth", sizes), len("oidc_auth=3.")+4000+len("; oidc_auth_1=")+4000+len("; oidc_auth_2=")+2000; got != want {
		t.Fatalf("headerSize = %d, want %d", got, want)
	}
}
