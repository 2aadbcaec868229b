package sitetests_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// A changed, cut, spliced, foreign or expired identity cookie reads as no
// sign-in at all: navigations go to sign in, scripts get 401, nothing 5xx.

// hostileClient sends one crafted Cookie header after another over a few
// kept-alive connections, showing redirects instead of following them.
func hostileClient() *http.Client {
	return &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: 4},
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// pageAs returns the status and body of rawURL for this Cookie header, as
// a script would ask for it.
func pageAs(t *testing.T, client *http.Client, rawURL, header string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", rawURL, nil)
	req.Header.Set("Accept", "application/json")
	if header != "" {
		req.Header.Set("Cookie", header)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, testsupport.ReadBody(t, resp)
}

// wantSignedInAs checks that header opens as user: the control that makes
// each "signed out" below mean something.
func wantSignedInAs(t *testing.T, client *http.Client, siteURL, header, user string) {
	t.Helper()
	status, body := pageAs(t, client, siteURL+"/private", header)
	if status != http.StatusOK || !strings.Contains(body, "id="+user+" ") {
		t.Fatalf("the untouched cookie of %s: %d %.120q", user, status, body)
	}
}

// byteChanges is a bounded, deterministic set of replacements for byte b:
// neighbours in the alphabet, the separators a cookie parser might trip on,
// the two characters of standard base64 that base64url has not ('+', '/'),
// and a byte outside ASCII. Control bytes are left out: no HTTP client sends
// them in a header.
func byteChanges(b byte) []byte {
	var out []byte
	for _, c := range []byte{b ^ 0x01, b ^ 0x20, '.', ';', '=', ' ', '+', '/', 0xff} {
		if c != b && c >= 0x20 && c != 0x7f && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func TestEveryByteChangeOfTheIdentityCookieSignsOut(t *testing.T) {
	s := protectedSite(t, "")
	ids := testsupport.IdentityCookies(testsupport.CallbackResponse(t, s.URL, "tess"))
	if len(ids) != 1 {
		t.Fatalf("a small session should be one cookie, got %d", len(ids))
	}
	name, value := ids[0].Name, ids[0].Value
	client := hostileClient()
	// Twice, so that the session is cached: the cache files it by the
	// value's end, which a change before the last 32 bytes keeps, so most
	// changed cookies below find its entry, and must still sign out.
	wantSignedInAs(t, client, s.URL, name+"="+value, "tess")
	wantSignedInAs(t, client, s.URL, name+"="+value, "tess")

	start, requests, failures := time.Now(), 0, 0
	for i := 0; i < len(value) && failures < 10; i++ {
		for _, c := range byteChanges(value[i]) {
			changed := value[:i] + string([]byte{c}) + value[i+1:]
			accept, want := "text/html", http.StatusFound
			if requests%2 == 1 {
				accept, want = "application/json", http.StatusUnauthorized
			}
			requests++
			status, loc := statusWithCookieHeader(t, client, s.URL+"/private", accept, name+"="+changed)
			if status != want || (want == http.StatusFound && !strings.HasPrefix(loc, testsupport.LoginPath)) {
				failures++
				t.Errorf("byte %d of %d changed %q -> %q: %d (Location %q), want %d as signed out",
					i, len(value), value[i], c, status, loc, want)
			}
		}
	}
	t.Logf("%d single-byte changes of a %d-byte cookie, all signed out, in %v",
		requests, len(value), time.Since(start).Round(time.Millisecond))
	wantSignedInAs(t, client, s.URL, name+"="+value, "tess")
}

func TestCutOrPaddedIdentityCookieSignsOut(t *testing.T) {
	s := protectedSite(t, "")
	ids := testsupport.IdentityCookies(testsupport.CallbackResponse(t, s.URL, "tess"))
	name, value := ids[0].Name, ids[0].Value
	client := hostileClient()
	wantSignedInAs(t, client, s.URL, name+"="+value, "tess")

	cases := map[string]string{
		"doubled":           value + value,
		"one byte more":     value + "A",
		"without its count": strings.TrimPrefix(value, "1."),
		"cut by one byte":   value[:len(value)-1],
	}
	for n := 0; n < len(value); n += max(len(value)/16, 1) {
		cases[fmt.Sprintf("cut to %d bytes", n)] = value[:n]
	}
	for what, v := range cases {
		wantSignedOut(t, s.URL, what, client, name+"="+v)
	}

	// Shapes no jar writes: counts out of range, pieces of junk, a huge value.
	junkPieces := name + "=32." + value[2:]
	for k := 1; k < 32; k++ {
		junkPieces += fmt.Sprintf("; %s_%d=%s", name, k, strings.Repeat("A", 100))
	}
	for what, header := range map[string]string{
		"count 0":             name + "=0." + value[2:],
		"count 33":            name + "=33." + value[2:],
		"count -1":            name + "=-1." + value[2:],
		"count 99999":         name + "=99999." + value[2:],
		"count only":          name + "=1.",
		"32 pieces of junk":   junkPieces,
		"a 15 KB value":       name + "=1." + strings.Repeat(value[2:], 15<<10/len(value)),
		"pieces without base": name + "_1=" + value + "; " + name + "_2=" + value,
	} {
		wantSignedOut(t, s.URL, what, client, header)
	}
	// Past Caddy's header limit the server refuses the request itself (431).
	huge := name + "=1." + strings.Repeat(value[2:], 60<<10/len(value))
	if status, _ := statusWithCookieHeader(t, client, s.URL+"/private", "text/html", huge); status < 400 {
		t.Errorf("a 60 KB cookie: %d, want 4xx", status)
	}
}

func TestSplitCookiePiecesMustAllBeThereAndBelongTogether(t *testing.T) {
	big := func(name string) devprovider.User {
		groups := make([]any, 220)
		for i := range groups {
			groups[i] = fmt.Sprintf("%s-group-%04d-aaaaaaaa-bbbb-cccc", name, i)
		}
		return devprovider.User{Username: name, Password: name, Claims: map[string]any{"email": name + "@example.com", "groups": groups}}
	}
	s := protectedSite(t, "", big("dana"), big("erin"))
	dana := testsupport.IdentityCookies(testsupport.CallbackResponse(t, s.URL, "dana"))
	erin := testsupport.IdentityCookies(testsupport.CallbackResponse(t, s.URL, "erin"))
	if len(dana) < 3 || len(erin) != len(dana) {
		t.Fatalf("want two sessions split in the same number (≥3) of pieces, got %d and %d", len(dana), len(erin))
	}
	client := hostileClient()
	wantSignedInAs(t, client, s.URL, testsupport.JoinCookies(dana), "dana")
	wantSignedInAs(t, client, s.URL, testsupport.JoinCookies(erin), "erin")

	with := func(pieces []*http.Cookie, k int, c *http.Cookie) []*http.Cookie {
		out := append([]*http.Cookie(nil), pieces...)
		if c == nil {
			return append(out[:k], out[k+1:]...)
		}
		out[k] = c
		return out
	}
	for k := range dana {
		wantSignedOut(t, s.URL, fmt.Sprintf("piece %d removed", k), client, testsupport.JoinCookies(with(dana, k, nil)))
		wantSignedOut(t, s.URL, fmt.Sprintf("piece %d from another user", k), client, testsupport.JoinCookies(with(dana, k, erin[k])))
	}
	swapped := with(with(dana, 1, &http.Cookie{Name: dana[1].Name, Value: dana[2].Value}), 2, &http.Cookie{Name: dana[2].Name, Value: dana[1].Value})
	wantSignedOut(t, s.URL, "pieces 1 and 2 swapped", client, testsupport.JoinCookies(swapped))
	count, rest, _ := strings.Cut(dana[0].Value, ".")
	fewer := with(dana, len(dana)-1, nil)
	fewer[0] = &http.Cookie{Name: dana[0].Name, Value: fmt.Sprintf("%d.%s", len(dana)-1, rest)}
	wantSignedOut(t, s.URL, "count lowered from "+count+" with the last piece left out", client, testsupport.JoinCookies(fewer))
}

func TestForeignOrExpiredIdentityCookieSignsOut(t *testing.T) {
	s := protectedSite(t, "")
	client := hostileClient()
	mallory := func(provider string, expires time.Time) *cookie.Session {
		return &cookie.Session{Provider: provider, Subject: "mallory", Claims: testsupport.Claims(t, `{"sub":"mallory"}`),
			Created: time.Now().Add(-time.Hour), Expires: expires}
	}
	later := time.Now().Add(time.Hour)
	// Control: sealed with this site's secret, the forged session opens.
	wantSignedInAs(t, client, s.URL, testsupport.JoinCookies(testsupport.ForgeSession(t, s, testsupport.CookieSecret, mallory("default", later))), "mallory")

	wantSignedOut(t, s.URL, "sealed with another cookie_secret", client,
		testsupport.JoinCookies(testsupport.ForgeSession(t, s, "another-cookie-secret-0123456789", mallory("default", later))))
	wantSignedOut(t, s.URL, "for a provider this site does not have", client,
		testsupport.JoinCookies(testsupport.ForgeSession(t, s, testsupport.CookieSecret, mallory("ghost", later))))

	// Sealed directly with an expiry in the past (the payload of a genuine
	// session re-sealed), next to the same payload sealed to expire later.
	codec, _ := cookie.NewCodec(testsupport.CookieSecret)
	purpose := "session:" + testsupport.CookieNameAt(s.Port) + "\x00" + s.URL // the jar's purpose for its session
	good := testsupport.ForgeSession(t, s, testsupport.CookieSecret, mallory("default", later))[0].Value
	payload, err := codec.Open(purpose, strings.TrimPrefix(good, "1."), time.Now())
	if err != nil {
		t.Fatalf("cannot open the jar's session with purpose %q (did the cookie package change it?): %v", purpose, err)
	}
	name := testsupport.CookieNameAt(s.Port) + "="
	wantSignedInAs(t, client, s.URL, name+"1."+codec.Seal(purpose, payload, later), "mallory")
	wantSignedOut(t, s.URL, "sealed with an expiry in the past", client, name+"1."+codec.Seal(purpose, payload, time.Now().Add(-time.Minute)))

	// A session that was valid, and opened once (so the handler caches it),
	// signs out when it expires; so does one never seen before.
	soon := time.Now().Add(3 * time.Second).Truncate(time.Second)
	seen := testsupport.JoinCookies(testsupport.ForgeSession(t, s, testsupport.CookieSecret, mallory("default", soon)))
	unseen := testsupport.JoinCookies(testsupport.ForgeSession(t, s, testsupport.CookieSecret, mallory("default", soon)))
	wantSignedInAs(t, client, s.URL, seen, "mallory")
	time.Sleep(time.Until(soon) + 100*time.Millisecond)
	wantSignedOut(t, s.URL, "expired after it was used", client, seen)
	wantSignedOut(t, s.URL, "expired before it was used", client, unseen)
}

// A sibling host of the same domain can set cookies of any name here. The
// session is found by searching the Cookie header for its name: a valid
// session smuggled into another cookie's name or value is not opened,
// while the same value under its own name, among others and with the
// whitespace a Cookie header allows, is.
func TestIdentityCookieInsideAnotherCookieSignsOut(t *testing.T) {
	s := protectedSite(t, "")
	client := hostileClient()
	forged := testsupport.ForgeSession(t, s, testsupport.CookieSecret, &cookie.Session{Provider: "default", Subject: "mallory",
		Claims: testsupport.Claims(t, `{"sub":"mallory"}`), Created: time.Now().Add(-time.Minute), Expires: time.Now().Add(time.Hour)})
	if len(forged) != 1 {
		t.Fatalf("the session takes %d cookies, want 1", len(forged))
	}
	name, value := forged[0].Name, forged[0].Value
	for _, header := range []string{
		name + "=" + value,
		"theme=dark; " + name + "=" + value + "; x=1",
		"theme=dark;" + name + " \t= \t" + value,
		name + "=; " + name + "=" + value, // an empty one first
	} {
		wantSignedInAs(t, client, s.URL, header, "mallory")
	}
	for what, header := range map[string]string{
		"in another cookie's value":                     "x=" + name + "=" + value,
		"in another cookie's value, after a space":      "x=a " + name + "=" + value,
		"at the end of a longer name":                   "x" + name + "=" + value,
		"at the start of a longer name":                 name + "x=" + value,
		"before a space in its name":                    name + " x=" + value,
		"in the value of a cookie of the same name":     name + "=" + name + "=" + value,
		"behind a first cookie of its name that is bad": name + "=1.AAAA; " + name + "=" + value,
	} {
		wantSignedOut(t, s.URL, "the session "+what, client, header)
	}
}
