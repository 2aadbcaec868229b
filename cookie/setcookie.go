package cookie

import (
	"net/http"
	"strconv"
	"strings"
)

// setCookie adds c's Set-Cookie line to w, the very line http.SetCookie
// writes. For the cookies the jar makes (j.cookie: its domain, SameSite=Lax,
// no Expires) it writes that line itself, after checking the name, value
// and path against a table: net/http checks every byte of a value through a
// function call, which on a sign-in's 2.5 KB of sealed values was about a
// tenth of the callback's own work. Any other cookie, and any byte net/http
// would drop, quote or warn about, goes through http.SetCookie.
func (j *Jar) setCookie(w http.ResponseWriter, c *http.Cookie) {
	line, ok := j.cookieLine(c)
	if !ok {
		http.SetCookie(w, c)
		return
	}
	w.Header().Add("Set-Cookie", line)
}

// cookieLine is c.String() for a cookie of the jar's own shape whose name,
// value and path need no sanitizing; ok is false for any other.
func (j *Jar) cookieLine(c *http.Cookie) (line string, ok bool) {
	if c.Domain != j.domain || !j.domainPlain || !c.Expires.IsZero() || c.SameSite != http.SameSiteLaxMode ||
		c.Quoted || c.Partitioned || c.Raw != "" || c.RawExpires != "" || len(c.Unparsed) > 0 ||
		c.Name == "" || !allIn(c.Name, &nameBytes) || !allIn(c.Value, &valueBytes) || !allIn(c.Path, &pathBytes) {
		return "", false
	}
	domain := strings.TrimPrefix(c.Domain, ".") // as net/http writes it
	var b strings.Builder
	b.Grow(len(c.Name) + len(c.Value) + len(c.Path) + len(domain) + 80)
	b.WriteString(c.Name)
	b.WriteByte('=')
	b.WriteString(c.Value)
	if c.Path != "" {
		b.WriteString("; Path=")
		b.WriteString(c.Path)
	}
	if domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(domain)
	}
	switch {
	case c.MaxAge > 0:
		var n [20]byte
		b.WriteString("; Max-Age=")
		b.Write(strconv.AppendInt(n[:0], int64(c.MaxAge), 10))
	case c.MaxAge < 0:
		b.WriteString("; Max-Age=0")
	}
	if c.HttpOnly {
		b.WriteString("; HttpOnly")
	}
	if c.Secure {
		b.WriteString("; Secure")
	}
	b.WriteString("; SameSite=Lax")
	return b.String(), true
}

// byteSet is a set of bytes, for checking a string in one pass.
type byteSet [256]bool

// allIn reports whether every byte of s is in set.
func allIn(s string, set *byteSet) bool {
	for i := 0; i < len(s); i++ {
		if !set[s[i]] {
			return false
		}
	}
	return true
}

var (
	// nameBytes: a token's characters (RFC 9110), as net/http requires of a name.
	nameBytes = bytesWhere(func(b byte) bool {
		return '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
	})
	// valueBytes: what net/http writes as it is, neither dropped nor quoted
	// (it quotes a value with a space or a comma).
	valueBytes = bytesWhere(func(b byte) bool {
		return 0x20 < b && b < 0x7f && b != '"' && b != ';' && b != '\\' && b != ','
	})
	// pathBytes: what net/http keeps in a Path.
	pathBytes = bytesWhere(func(b byte) bool { return 0x20 <= b && b < 0x7f && b != ';' })
)

func bytesWhere(in func(byte) bool) (set byteSet) {
	for b := range 256 {
		set[b] = in(byte(b))
	}
	return set
}
