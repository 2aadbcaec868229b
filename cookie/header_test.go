package cookie

import (
	"slices"
	"strings"
	"testing"
)

func TestCookieValue(t *testing.T) {
	r := requestWith(` a=1 ;b= two;oidc_auth=v1; oidc_auth=v2 ;flag; c=`)
	r.Header.Add("Cookie", "d=4")
	for name, want := range map[string]string{"a": "1", "b": "two", "oidc_auth": "v1", "c": "", "d": "4", "flag": ""} {
		got, ok := cookieValue(r, name)
		if !ok || got != want {
			t.Errorf("cookieValue(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if _, ok := cookieValue(r, "missing"); ok {
		t.Error("found a cookie that is not there")
	}
	if _, ok := cookieValue(requestWith(""), "a"); ok {
		t.Error("found a cookie in a request without any")
	}
}

func TestPieceIndex(t *testing.T) {
	cases := []struct {
		name string
		k    int
		ok   bool
	}{
		{"oidc_auth_1", 1, true},
		{"oidc_auth_31", 31, true},
		{"oidc_auth", 0, false},
		{"oidc_auth_", 0, false},
		{"oidc_auth_01", 0, false},
		{"oidc_auth_0", 0, false},
		{"oidc_auth_1x", 0, false},
		{"oidc_auth_login_abc", 0, false},
		{"oidc_authx1", 0, false},
		{"other_1", 0, false},
		{"oidc_auth_99999", 0, false},
	}
	for _, tc := range cases {
		k, ok := pieceIndex(tc.name, "oidc_auth")
		if k != tc.k || ok != tc.ok {
			t.Errorf("pieceIndex(%q) = %d, %v; want %d, %v", tc.name, k, ok, tc.k, tc.ok)
		}
	}
}

func TestReadPiecesIgnoresOtherCookiesAndStalePieces(t *testing.T) {
	var rest [maxPieces - 1]string
	r := requestWith("x=1; oidc_auth_2=C; oidc_auth=3.A; oidc_auth_1=B; oidc_auth_3=stale; y=2")
	first, count, found, ok := readPieces(r, "oidc_auth", &rest)
	if !found || !ok || first != "A" || count != 3 || rest[0] != "B" || rest[1] != "C" {
		t.Fatalf("readPieces = %q, %d, %v, %v, %q", first, count, found, ok, rest[:2])
	}
	for h, wantFound := range map[string]bool{
		"oidc_auth=2.A":             true,  // piece 1 missing
		"oidc_auth=A":               true,  // no count
		"oidc_auth=0.A":             true,  // zero pieces
		"oidc_auth=33.A":            true,  // more than maxPieces
		"oidc_auth=x.A":             true,  // not a number
		"oidc_auth=; other=1":       false, // a cleared cookie is no session
		"oidc_auth_1=B; other=3.A":  false,
		"":                          false,
		"oidc_auth_login_abc=3.A":   false,
		"Oidc_auth=1.A; OIDC_AUTH=": false, // names are case-sensitive
	} {
		_, _, found, ok := readPieces(requestWith(h), "oidc_auth", &rest)
		if found != wantFound || ok {
			t.Errorf("%q: found=%v ok=%v, want found=%v ok=false", h, found, ok, wantFound)
		}
	}
}

func TestStripCookiesKeepsOthersByteForByte(t *testing.T) {
	ours := func(name string) bool { return name == "s" || name == "s_1" }
	cases := []struct{ in, want string }{
		{"a=1; b=2", "a=1; b=2"},
		{"s=x", ""},
		{"s=x; s_1=y", ""},
		{"s=x; a=1", "a=1"},
		{"a=1; s=x", "a=1"},
		{"a=1;s=x;b=2", "a=1;b=2"},
		{"a=1; s=x; b=\"q v\";  c=3", "a=1; b=\"q v\";  c=3"},
		{"  s=x ;\ta=1", "a=1"},
		{"a=1; s_1=y; s=x; b=2", "a=1; b=2"},
		{"a=1;;s=x", "a=1;"},
		{"sx=1; s_10=2", "sx=1; s_10=2"},
		{"s=x;a=1;", "a=1;"},
		{"a=1; b=2; s=x; s_1=y", "a=1; b=2"},
		{"s=x; s_1=y;  a=1; b=2", "a=1; b=2"},
	}
	for _, tc := range cases {
		got, removed := stripCookies(tc.in, ours)
		if got != tc.want || removed != (tc.in != tc.want) {
			t.Errorf("stripCookies(%q) = %q, %v; want %q", tc.in, got, removed, tc.want)
		}
	}
}

func TestStripCookiesNoAllocWhenNothingToStrip(t *testing.T) {
	h := "a=1; b=2; c=3"
	ours := func(name string) bool { return name == "s" }
	if n := testing.AllocsPerRun(100, func() { _, _ = stripCookies(h, ours) }); n != 0 {
		t.Fatalf("%v allocations for a header without our cookies, want 0", n)
	}
}

// Our cookies before or after all the others, as a session cookie usually
// is, leave a substring of the header: nothing is copied.
func TestStripCookiesTakesNoCopyWhenOursAreAtAnEnd(t *testing.T) {
	ours := func(name string) bool { return name == "s" || name == "s_1" }
	for _, h := range []string{"a=1; b=2; s=x; s_1=y", "s=x; s_1=y; a=1; b=2"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = stripCookies(h, ours) }); n != 0 {
			t.Errorf("%q: %v allocations, want 0", h, n)
		}
	}
}

// A session of one cookie is found by searching for its name: the same
// cookie the full parse finds, wherever the name also turns up.
func TestReadPiecesFindsTheSameCookieBySearching(t *testing.T) {
	for h, want := range map[string]string{
		"oidc_auth=1.A":                        "A",
		"x=1; oidc_auth=1.A":                   "A",
		"x=1;oidc_auth=1.A;y=2":                "A",
		" \toidc_auth \t= \t1.A \t; y=2":       "A",
		"x=oidc_auth=1.B; oidc_auth=1.A":       "A", // in a value
		"x=b oidc_auth=1.B; oidc_auth=1.A":     "A", // in a value, after a space
		"xoidc_auth=1.B; oidc_auth=1.A":        "A", // the end of a longer name
		"oidc_authx=1.B; oidc_auth=1.A":        "A", // the start of one
		"oidc_auth x=1.B; oidc_auth=1.A":       "A", // a name with a space
		"oidc_auth; oidc_auth=; oidc_auth=1.A": "A", // no value, an empty one
		"oidc_auth_hint=1.B; oidc_auth=1.A":    "A",
		"oidc_auth=1.A; oidc_auth=1.B":         "A", // the first one counts
		"oidc_auth=1.":                         "",
	} {
		var rest [maxPieces - 1]string
		first, count, found, ok := readPieces(requestWith(h), "oidc_auth", &rest)
		if !found || !ok || count != 1 || first != want {
			t.Errorf("%q: readPieces = %q, %d, %v, %v; want %q, 1, true, true", h, first, count, found, ok, want)
		}
	}
}

// FuzzReadPieces: searching for the session finds what parsing every cookie
// finds, over one or two Cookie headers.
func FuzzReadPieces(f *testing.F) {
	for _, h := range []string{"oidc_auth=1.A", "x=1; oidc_auth=2.A; oidc_auth_1=B", "x=oidc_auth=1.B; oidc_auth=1.A", " oidc_auth =1.A", "oidc_auth;oidc_auth=1.", "oidc_authoidc_auth=1.x"} {
		f.Add(h, "y=2; oidc_auth=1.C")
	}
	f.Fuzz(func(t *testing.T, h1, h2 string) {
		r := requestWith("")
		r.Header["Cookie"] = []string{h1, h2}
		var rest, allRest [maxPieces - 1]string
		first, count, found, ok := readPieces(r, "oidc_auth", &rest)
		wFirst, wCount, wFound, wOK := readAllPieces(r, "oidc_auth", &allRest)
		// Callers read rest[:count-1] only.
		if first != wFirst || count != wCount || found != wFound || ok != wOK || (ok && !slices.Equal(rest[:count-1], allRest[:count-1])) {
			t.Fatalf("%q, %q: readPieces = %q, %d, %v, %v; parsing every cookie gives %q, %d, %v, %v",
				h1, h2, first, count, found, ok, wFirst, wCount, wFound, wOK)
		}
	})
}

// stripCookiesBySplitting is what stripCookies must give, written the
// plain way: split at every ';', drop our cookies, join the rest, and start
// at the first kept cookie with something in it.
func stripCookiesBySplitting(h string, ours func(name string) bool) (string, bool) {
	var kept []string
	removed := false
	for _, seg := range strings.Split(h, ";") {
		if name, _, _ := strings.Cut(seg, "="); ours(trimOWS(name)) {
			removed = true
			continue
		}
		kept = append(kept, seg)
	}
	if !removed {
		return h, false
	}
	return strings.TrimLeft(strings.Join(kept, ";"), " \t;"), true
}

// FuzzStripCookies: stripCookies gives what splitting and joining the
// header gives, over any header.
func FuzzStripCookies(f *testing.F) {
	for _, h := range []string{"", ";", "a=1;", "s=x;a=1;", " s=x ;\ta=1", "a=1;;s=x", "a=1; s=x; b=2", "s=x; a=1; s_1=y", "a; s; =x;s=;;"} {
		f.Add(h)
	}
	ours := func(name string) bool { return name == "s" || name == "s_1" }
	f.Fuzz(func(t *testing.T, h string) {
		got, removed := stripCookies(h, ours)
		want, wantRemoved := stripCookiesBySplitting(h, ours)
		if got != want || removed != wantRemoved {
			t.Fatalf("stripCookies(%q) = %q, %v; splitting it gives %q, %v", h, got, removed, want, wantRemoved)
		}
	})
}
