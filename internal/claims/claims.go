package claims

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String renders a claim for a header or a page: a string as is, a list as
// listString writes it, an object as JSON, a number without an exponent.
func String(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		return v.String()
	case []any:
		return listString(v)
	}
	return string(jsonItem(v))
}

// listString joins a list claim's items with commas so that no two
// different lists read the same, while a list of plain words reads as
// before: ["staff","admins"] is staff,admins. An item that could be misread
// is written as JSON instead: a string that is empty, holds a comma, a
// quote, a backslash or a control character, starts or ends with
// whitespace, starts with [ or {, or reads as JSON (1, true, null) is
// quoted ("x,admins", "1"); an item that is not a string is its JSON (1,
// true, null, ["a","b"], {"k":"v"}). So ["staff","x,admins"] is
// staff,"x,admins" and ["staff","x","admins"] is staff,x,admins; [1] is 1
// and ["1"] is "1". The empty list is the empty string.
func listString(items []any) string {
	var b strings.Builder
	for i, e := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		if s, ok := e.(string); ok && plainListItem(s) {
			b.WriteString(s)
		} else {
			b.Write(jsonItem(e))
		}
	}
	return b.String()
}

// plainListItem: s reads back as itself between commas, so it needs no quotes.
func plainListItem(s string) bool {
	if s == "" || s[0] == '[' || s[0] == '{' {
		return false
	}
	for _, r := range s {
		if r == ',' || r == '"' || r == '\\' || r < 0x20 || r == 0x7f {
			return false
		}
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return false
	}
	return !json.Valid([]byte(s)) // a number, true, false or null would read as one
}

// jsonItem is v as compact JSON (as encoding/json writes it: <, > and & as
// \u003c, \u003e, \u0026).
func jsonItem(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Claims come from JSON, so this does not happen; a string still
		// keeps the item apart from every other.
		b, _ = json.Marshal(fmt.Sprint(v))
	}
	return b
}
