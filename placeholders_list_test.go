package oidcauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// decodeList reads a list placeholder back into the list it was written
// from, as an upstream would, following README: an item that starts with
// ", [ or { is one JSON value; any other item runs to the next comma and is
// JSON when it reads as JSON (a number, true, false, null), else the plain
// string. It refuses anything listString would not have written, so that
// decodeList(listString(x)) == x for every x proves listString injective.
func decodeList(s string) ([]any, error) {
	out := []any{}
	if s == "" {
		return out, nil
	}
	for {
		var item any
		switch s[0] {
		case '"', '[', '{':
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			if err := dec.Decode(&item); err != nil {
				return nil, err
			}
			n := dec.InputOffset()
			if str, ok := item.(string); ok && plainListItem(str) {
				return nil, fmt.Errorf("plain item %q needlessly quoted", str)
			}
			s = s[n:]
		default:
			tok, _, _ := strings.Cut(s, ",")
			if json.Valid([]byte(tok)) {
				dec := json.NewDecoder(strings.NewReader(tok))
				dec.UseNumber()
				if err := dec.Decode(&item); err != nil {
					return nil, err
				}
				if tok != string(jsonItem(item)) {
					return nil, fmt.Errorf("item %q is not as listString writes it", tok)
				}
			} else if plainListItem(tok) {
				item = tok
			} else {
				return nil, fmt.Errorf("item %q should have been quoted", tok)
			}
			s = s[len(tok):]
		}
		out = append(out, item)
		if s == "" {
			return out, nil
		}
		if s[0] != ',' {
			return nil, errors.New("an item is followed by something other than a comma")
		}
		s = s[1:]
		if s == "" {
			return nil, errors.New("trailing comma")
		}
	}
}

// jsonList decodes a JSON list the way the module decodes claims.
func jsonList(t testing.TB, s string) []any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v []any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

func TestListPlaceholderEncoding(t *testing.T) {
	for _, c := range []struct{ list, want string }{
		{`["staff","admins"]`, `staff,admins`},
		{`["staff","x,admins"]`, `staff,"x,admins"`},
		{`["staff","x","admins"]`, `staff,x,admins`},
		{`[]`, ``},
		{`[""]`, `""`},
		{`["",""]`, `"",""`},
		{`[1, 2.5]`, `1,2.5`},
		{`["1"]`, `"1"`},
		{`[true, "true", null, "null"]`, `true,"true",null,"null"`},
		{`["say \"hi\"", "a\\b"]`, `"say \"hi\"","a\\b"`},
		{`[" padded", "tab\t"]`, `" padded","tab\t"`},
		{`[["a","b"], "[\"a\",\"b\"]"]`, `["a","b"],"[\"a\",\"b\"]"`},
		{`[{"k":"v"}, "{x"]`, `{"k":"v"},"{x"`},
		{`[1, "1", true, "true", ""]`, `1,"1",true,"true",""`},
		{`[["a", "b"], {"k": "v"}, " padded"]`, `["a","b"],{"k":"v"}," padded"`},
		{`["Zoë Ång", "a b", "2024-staff", "-x"]`, `Zoë Ång,a b,2024-staff,-x`},
	} {
		list := jsonList(t, c.list)
		got := listString(list)
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.list, got, c.want)
		}
		back, err := decodeList(got)
		if err != nil || !reflect.DeepEqual(back, list) {
			t.Errorf("%s: %s reads back as %#v (%v)", c.list, got, back, err)
		}
	}
}

// FuzzListPlaceholder: every list, of strings or of any JSON values, reads
// back as itself, so no two different lists give the same placeholder.
func FuzzListPlaceholder(f *testing.F) {
	for _, seed := range []string{
		`["staff","x,admins"]`, `["staff","x","admins"]`, `[1,"1",true,"true",null]`,
		`[[1,"a,b"],{"k":["v"]},"",""]`, `[" x","x ","\u0000","\u2028","1e3","-0"]`,
		`staff|x,admins|"q"|\|[|{|`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		var lists [][]any
		dec := json.NewDecoder(strings.NewReader(data))
		dec.UseNumber()
		var fromJSON []any
		if dec.Decode(&fromJSON) == nil && fromJSON != nil {
			lists = append(lists, fromJSON)
		}
		// Strings as a provider could send them: any valid UTF-8.
		var strs []any
		for _, s := range strings.Split(strings.ToValidUTF8(data, "\uFFFD"), "|") {
			strs = append(strs, s)
		}
		lists = append(lists, strs)
		for _, list := range lists {
			enc := listString(list)
			back, err := decodeList(enc)
			if err != nil || !reflect.DeepEqual(back, list) {
				t.Fatalf("%#v is written %q and reads back as %#v (%v)", list, enc, back, err)
			}
		}
	})
}
