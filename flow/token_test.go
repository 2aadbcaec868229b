package flow

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// tokenEndpoint is a provider whose token endpoint answers with answer.
func tokenEndpoint(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*Provider, *discovered) {
	t.Helper()
	srv := metadataServerWith(t, nil, map[string]http.HandlerFunc{"/token": answer})
	p := mustProvider(t, Config{ClientID: "app id", ClientSecret: "s&cret", MetadataURL: srv.URL + wellKnownSuffix, RedirectURL: testRedirect})
	d, err := p.discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p, d
}

func answer(contentType string, status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func TestTokenResponsesAreRead(t *testing.T) {
	hour := time.Now().Add(time.Hour)
	for _, c := range []struct {
		name, contentType, body string
		want                    tokenResponse
		expiry                  time.Time // about
	}{
		{"JSON", "application/json", `{"access_token":"at","token_type":"Bearer","refresh_token":"rt","id_token":"h.p.s","expires_in":3600}`,
			tokenResponse{AccessToken: "at", TokenType: "Bearer", RefreshToken: "rt", IDToken: "h.p.s", ExpiresIn: 3600}, hour},
		{"expires_in as a string", "application/json; charset=utf-8", `{"access_token":"at","expires_in":"3600"}`,
			tokenResponse{AccessToken: "at", ExpiresIn: 3600}, hour},
		{"expires_in beyond 2^31", "application/json", `{"access_token":"at","expires_in":99999999999}`,
			tokenResponse{AccessToken: "at", ExpiresIn: math.MaxInt32}, time.Now().Add(math.MaxInt32 * time.Second)},
		{"no expires_in", "application/json", `{"access_token":"at","expires_in":null}`, tokenResponse{AccessToken: "at"}, time.Time{}},
		{"a form", "application/x-www-form-urlencoded", "access_token=at&id_token=h.p.s&expires_in=3600",
			tokenResponse{AccessToken: "at", IDToken: "h.p.s", ExpiresIn: 3600}, hour},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, d := tokenEndpoint(t, answer(c.contentType, 200, c.body))
			got, err := p.requestTokens(context.Background(), d, url.Values{"grant_type": {"refresh_token"}})
			if err != nil {
				t.Fatal(err)
			}
			expiry := got.Expiry
			got.Expiry = time.Time{}
			if *got != c.want {
				t.Errorf("got %+v, want %+v", *got, c.want)
			}
			if d := expiry.Sub(c.expiry); d < -time.Minute || d > time.Minute || expiry.IsZero() != c.expiry.IsZero() {
				t.Errorf("expiry %v, want about %v", expiry, c.expiry)
			}
		})
	}
}

func TestTokenEndpointRefusalsAndNonsense(t *testing.T) {
	for _, c := range []struct {
		name, contentType string
		status            int
		body              string
		wantCode          string // a refusal with this code; "-": not a refusal
		wantStatus        int
	}{
		{"a refusal", "application/json", 400, `{"error":"invalid_grant","error_description":"used"}`, "invalid_grant", 400},
		{"an error code in a 200", "application/json", 200, `{"error":"invalid_grant"}`, "invalid_grant", 200},
		{"an error status without JSON", "text/html", 502, `<h1>Bad gateway</h1>`, "", 502},
		{"a form refusal", "application/x-www-form-urlencoded", 401, "error=invalid_client", "invalid_client", 401},
		{"no access_token", "application/json", 200, `{"id_token":"h.p.s"}`, "-", 0},
		{"not JSON", "application/json", 200, `<html>`, "-", 0},
		{"expires_in not a number", "application/json", 200, `{"access_token":"at","expires_in":"soon"}`, "-", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, d := tokenEndpoint(t, answer(c.contentType, c.status, c.body))
			tok, err := p.requestTokens(context.Background(), d, url.Values{"grant_type": {"refresh_token"}})
			if err == nil {
				t.Fatalf("accepted: %+v", tok)
			}
			var re *tokenEndpointError
			if isRefusal := errors.As(err, &re); isRefusal != (c.wantCode != "-") {
				t.Fatalf("%v: a refusal %v, want %v", err, isRefusal, c.wantCode != "-")
			}
			if re != nil && (re.code != c.wantCode || re.status != c.wantStatus) {
				t.Errorf("refusal %+v, want code %q, status %d", *re, c.wantCode, c.wantStatus)
			}
		})
	}
}

// client_secret_basic form-encodes the client_id and secret before the Basic
// encoding (RFC 6749 2.3.1); client_secret_post puts them in the form.
func TestTokenRequestsCarryTheClientsCredentials(t *testing.T) {
	for _, method := range []string{AuthClientSecretBasic, AuthClientSecretPost} {
		t.Run(method, func(t *testing.T) {
			var got *http.Request
			p, d := tokenEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
				_ = r.ParseForm()
				got = r
				answer("application/json", 200, `{"access_token":"at"}`)(w, r)
			})
			d.authMethod = method
			if _, err := p.requestTokens(context.Background(), d, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt"}}); err != nil {
				t.Fatal(err)
			}
			user, pass, basic := got.BasicAuth()
			form := got.PostForm
			if got.Method != http.MethodPost || !strings.HasPrefix(got.Header.Get("Content-Type"), "application/x-www-form-urlencoded") ||
				form.Get("grant_type") != "refresh_token" || form.Get("refresh_token") != "rt" {
				t.Fatalf("%s %s, form %v", got.Method, got.Header.Get("Content-Type"), form)
			}
			if method == AuthClientSecretBasic && (!basic || user != "app+id" || pass != "s%26cret" || form.Has("client_secret")) {
				t.Errorf("basic: header %v %q %q, form %v", basic, user, pass, form)
			}
			if method == AuthClientSecretPost && (basic || form.Get("client_id") != "app id" || form.Get("client_secret") != "s&cret") {
				t.Errorf("post: header %v, form %v", basic, form)
			}
		})
	}
}

// A provider that does not rotate refresh tokens answers without one: the
// one the session has stays good.
func TestRefreshKeepsARefreshTokenNotRotated(t *testing.T) {
	p, _ := tokenEndpoint(t, answer("application/json", 200, `{"access_token":"at2","expires_in":60}`))
	id, err := p.Refresh(context.Background(), "rt1")
	if err != nil {
		t.Fatal(err)
	}
	if id.RefreshToken != "rt1" || id.AccessToken != "at2" {
		t.Errorf("refresh token %q, access token %q; want rt1 kept, at2", id.RefreshToken, id.AccessToken)
	}
}
