package cookie

import "testing"

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
