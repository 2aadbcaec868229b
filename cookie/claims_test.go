package cookie

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// decodeJSON is what the claims must read back as: encoding/json's view.
func decodeJSON(t testing.TB, js []byte) map[string]any {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

var claimSamples = map[string]string{
	"google": string(typicalClaims),
	"keycloak": `{"exp":1700003600,"iat":1700000000,"auth_time":1700000000,"jti":"8c1d7f2e-2f0a","iss":"https://kc.example.com/realms/acme",
		"aud":["app","account"],"sub":"f:1234","typ":"ID","azp":"app","sid":"abc","acr":"1","realm_access":{"roles":["offline_access","admins"]},
		"resource_access":{"app":{"roles":["editor"]},"account":{"roles":["view-profile"]}},"email_verified":false,"name":"Jo Doe","preferred_username":"jo",
		"email":"jo@example.com","address":{"street_address":"1 Main St","locality":"Town"}}`,
	"numbers":  `{"int":42,"neg":-7,"big":123456789012345678901234567890,"float":1.5,"exp":1e3,"one":1.0,"zero":0,"minus0":-0,"max":9223372036854775807,"over":9223372036854775808}`,
	"oddities": `{"":"empty key","null":null,"t":true,"f":false,"empty":"","list":[],"obj":{},"unicode":"élan \u2603 \ud83d\ude00","esc":"a\"b\\c\n","nested":[[1,[2,{"x":[3]}]],{"y":null}]}`,
	"repeats":  `{"aud":"a-long-client-id.example","azp":"a-long-client-id.example","groups":["a-long-client-id.example","short","short"],"o":{"k":"a-long-client-id.example"},"x":"short"}`,
}

func TestClaimsReadBackAsTheirJSON(t *testing.T) {
	for name, js := range claimSamples {
		t.Run(name, func(t *testing.T) {
			want := decodeJSON(t, []byte(js))
			c, err := ClaimsFromJSON([]byte(js))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.check(); err != nil {
				t.Fatalf("check: %v", err)
			}
			if got := c.Map(); !reflect.DeepEqual(got, want) {
				t.Fatalf("Map:\n got %#v\nwant %#v", got, want)
			}
			for k, v := range want {
				if got, ok := c.Lookup(k); !ok || !reflect.DeepEqual(got, v) {
					t.Errorf("Lookup(%q) = %#v, %v; want %#v", k, got, ok, v)
				}
				s, isString := c.LookupString(k)
				if want, wantString := v.(string); isString != wantString || s != want {
					t.Errorf("LookupString(%q) = %q, %v; want %q, %v", k, s, isString, want, wantString)
				}
			}
			for _, absent := range []string{"missing", "emai", "email ", "sub\x00"} {
				if _, present := want[absent]; present {
					continue
				}
				if v, ok := c.Lookup(absent); ok {
					t.Errorf("Lookup(%q) = %#v, want absent", absent, v)
				}
			}
			out, err := json.Marshal(c)
			if err != nil || !reflect.DeepEqual(decodeJSON(t, out), want) {
				t.Fatalf("MarshalJSON = %s, %v", out, err)
			}
		})
	}
}

func TestClaimsAreSmallerThanTheirJSON(t *testing.T) {
	c, err := ClaimsFromJSON(typicalClaims)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Google claims: %d bytes of JSON, %d in the compact form", len(typicalClaims), c.Size())
	// Names of one byte, no quotes or commas, aud's repeat as azp a reference.
	if c.Size() > len(typicalClaims)*2/3 {
		t.Fatalf("compact form %d bytes for %d of JSON; want at most two thirds", c.Size(), len(typicalClaims))
	}
}

func TestClaimsFromJSONRefusesWhatIsNoObject(t *testing.T) {
	for _, bad := range []string{"null", "[1,2]", `"text"`, "{broken", "42"} {
		if _, err := ClaimsFromJSON([]byte(bad)); err == nil {
			t.Errorf("ClaimsFromJSON(%s): no error", bad)
		}
	}
	if c, err := ClaimsFromJSON(nil); err != nil || c.Size() != 0 || len(c.Map()) != 0 {
		t.Errorf("no JSON: %v, %d bytes, %v", err, c.Size(), c.Map())
	}
}

func TestClaimsFromMapTakesWhatGoCodeBuilds(t *testing.T) {
	c, err := ClaimsFromMap(map[string]any{"n": 3, "i": int64(-4), "f": 2.5, "l": []string{"x", "y"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"n": json.Number("3"), "i": json.Number("-4"), "f": json.Number("2.5"), "l": []any{"x", "y"}}
	if got := c.Map(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Map = %#v, want %#v", got, want)
	}
	if _, err := ClaimsFromMap(map[string]any{"ch": make(chan int)}); err == nil || !strings.Contains(err.Error(), `"ch"`) {
		t.Fatalf("a channel: %v, want an error naming the claim", err)
	}
	deep := map[string]any{}
	for range maxDepth + 2 {
		deep = map[string]any{"d": deep}
	}
	if _, err := ClaimsFromMap(deep); err == nil {
		t.Fatal("claims nested past the depth limit were taken")
	}
}

func TestDamagedClaimsNeverPanic(t *testing.T) {
	c, err := ClaimsFromJSON([]byte(claimSamples["keycloak"]))
	if err != nil {
		t.Fatal(err)
	}
	for n := range c.Size() {
		cut := Claims{b: c.b[:n]}
		if cut.check() == nil && n > 0 {
			t.Errorf("the first %d of %d bytes passed the check", n, c.Size())
		}
		_ = cut.Map()
		_, _ = cut.Lookup("email")
		_, _ = cut.Lookup("custom")
		_, _ = cut.LookupString("name")
	}
}

func TestLegacySessionWithJSONClaimsStillOpens(t *testing.T) {
	s := testSession("alice", []byte(`{"sub":"alice","email":"alice@example.com","groups":["a"]}`))
	b := encodeSession(s)
	// The same session as format 3 wrote it: the claims as JSON.
	legacy := writer{}
	legacy.byte(sessionFormatJSON)
	legacy.b = append(legacy.b, s.binding[:]...)
	legacy.str(s.Provider)
	legacy.str(s.Subject)
	legacy.bytes([]byte(`{"sub":"alice","email":"alice@example.com","groups":["a"]}`))
	legacy.time(s.Created)
	legacy.time(s.Expires)
	legacy.str(s.IDToken)
	legacy.str(s.AccessToken)
	legacy.str(s.RefreshToken)
	legacy.time(s.TokenExpiry)
	legacy.str(s.SID)
	legacy.millis(s.Renewed)
	got, err := decodeSession(legacy.b)
	if err != nil {
		t.Fatal(err)
	}
	if !sameSession(got, s) {
		t.Fatalf("format 3 read as %+v, want %+v", got, s)
	}
	if v, _ := got.Claim("email"); v != "alice@example.com" {
		t.Fatalf("email = %v", v)
	}
	if len(legacy.b) <= len(b) {
		t.Fatalf("format 3: %d bytes, format 4: %d; the compact claims should be smaller", len(legacy.b), len(b))
	}
}

func FuzzClaimsFromJSON(f *testing.F) {
	for _, js := range claimSamples {
		f.Add([]byte(js))
	}
	f.Fuzz(func(t *testing.T, js []byte) {
		var want map[string]any
		d := json.NewDecoder(bytes.NewReader(js))
		d.UseNumber()
		if d.Decode(&want) != nil || want == nil {
			return
		}
		c, err := ClaimsFromJSON(js)
		if err != nil {
			return // nested past the limit
		}
		if err := c.check(); err != nil {
			t.Fatalf("%s: check: %v", js, err)
		}
		if got := c.Map(); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: Map %#v, want %#v", js, got, want)
		}
		for k, v := range want {
			if got, ok := c.Lookup(k); !ok || !reflect.DeepEqual(got, v) {
				t.Fatalf("%s: Lookup(%q) = %#v, want %#v", js, k, got, v)
			}
		}
	})
}

func FuzzClaimsDecodeNeverPanics(f *testing.F) {
	for _, js := range claimSamples {
		c, _ := ClaimsFromJSON([]byte(js))
		f.Add(c.b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := Claims{b: b}
		ok := c.check() == nil
		m := c.Map()
		if !ok && len(m) != 0 && len(b) > 0 {
			// Map may read a damaged tail as nothing, never as claims
			// that check refused.
			t.Fatalf("check refused %x but Map gave %v", b, m)
		}
		_, _ = c.Lookup("email")
		_, _ = c.Lookup("x")
		_, _ = c.LookupString("email")
	})
}

func TestJarWritesSubIssAndAudAsOneByte(t *testing.T) {
	j := testJar(t, JarConfig{})
	google := testClients["google"]
	js := `{"iss":"` + google.Issuer + `","aud":["` + google.ClientID + `","other"],"azp":"` + google.ClientID +
		`","sub":"110169484474386276334","email":"jane@example.com","nonce":"110169484474386276334x"}`
	s := testSession("110169484474386276334", []byte(js))
	b, _ := writeSession(t, j, s)
	got, err := j.ReadSession(b.request(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.ClaimMap(), decodeJSON(t, []byte(js))) {
		t.Fatalf("claims read back as %v", got.ClaimMap())
	}
	for name, want := range map[string]string{"iss": google.Issuer, "azp": google.ClientID, "sub": s.Subject} {
		if v, _ := got.Claims.LookupString(name); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	t.Logf("claims: %d bytes of JSON, %d compact, %d in the cookie with sub, iss and aud as one byte",
		len(js), s.Claims.Size(), got.Claims.Size())
	if got.Claims.Size() >= s.Claims.Size()-len(google.Issuer)-len(google.ClientID) {
		t.Errorf("the cookie's claims take %d bytes, the plain compact form %d: iss and aud were not shortened", got.Claims.Size(), s.Claims.Size())
	}
	// Without the jar's context the stand-ins do not read as anything.
	bare := Claims{b: got.Claims.b}
	if v, ok := bare.Lookup("iss"); ok {
		t.Errorf("claims without their context read iss as %v", v)
	}
	if v, ok := bare.Lookup("email"); !ok || v != "jane@example.com" {
		t.Errorf("claims without their context lost email: %v", v)
	}
}

// Claims made by the jar for a sign-in are written as they are, and read
// back the same; a session read back is not converted again when rewritten.
func TestNewClaimsAreNotConvertedTwice(t *testing.T) {
	j := testJar(t, JarConfig{})
	google := testClients["google"]
	c, err := j.NewClaims("google", "alice", map[string]any{"iss": google.Issuer, "aud": google.ClientID, "sub": "alice", "email": "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := j.client("google")
	again, err := c.compactFor("alice", &bound.Client)
	if err != nil || !sameSlice(again.b, c.b) {
		t.Fatal("claims the jar made were converted again")
	}
	if v, _ := c.LookupString("aud"); v != google.ClientID {
		t.Fatalf("aud = %q", v)
	}
	// 1 count, 4 keys, 3 one-byte values, email's tag, length and 13 bytes.
	if c.Size() != 23 {
		t.Fatalf("%d bytes, want 23: iss, aud and sub were not written as one byte each", c.Size())
	}
}
