package oidcauth

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
)

// The jar hands every request that carries a cookie it has cached the one
// session it keeps for it. A refresh or an idle renewal must change a copy:
// were either to write into the shared session, the old cookie would from
// then on read as the refreshed or renewed one, for every request that
// still carries it.
func TestRefreshAndRenewalLeaveTheCachedSessionAsItWas(t *testing.T) {
	f := newBenchFixture(t, func(m *OIDCAuth) {
		m.ExpireWithToken = true // keeps the refresh token, refreshes near the ID token's expiry
		m.IdleTimeout = caddy.Duration(time.Hour)
	})
	signedIn, _ := benchRequest(benchSite+"/", f.signIn(t, "alice"))
	base, err := f.m.jar.ReadSession(signedIn, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, c := range []struct {
		name        string
		tokenExpiry time.Time // within refreshSkew: a refresh is due
		renewed     time.Time // more than idle/renewShare ago: a renewal is due
	}{
		{"refresh due", now.Add(refreshSkew / 2), base.Renewed},
		{"renewal due", base.TokenExpiry, now.Add(-30 * time.Minute)},
	} {
		t.Run(c.name, func(t *testing.T) {
			due := *base
			due.TokenExpiry = c.tokenExpiry.Truncate(time.Second)
			due.Renewed = c.renewed.Truncate(time.Millisecond)
			rec := httptest.NewRecorder()
			if err := f.m.jar.WriteSession(rec, nil, &due); err != nil {
				t.Fatal(err)
			}
			cookies := benchCookies(rec.Header())
			read := func() *cookie.Session {
				r, _ := benchRequest(benchSite+"/", cookies)
				s, err := f.m.jar.ReadSession(r, time.Now())
				if err != nil {
					t.Fatalf("the due cookie does not open: %v", err)
				}
				return s
			}
			read()           // first sighting: not cached
			cached := read() // second: cached, and handed out
			if read() != cached {
				t.Fatal("the jar does not hand out its cached session: this test would not test sharing")
			}
			before := exported(cached)

			wrote := 0
			for range 3 {
				r, _ := benchRequest(benchSite+"/", cookies)
				w := httptest.NewRecorder()
				if err := f.m.ServeHTTP(w, r, benchNext); err != nil || w.Code != http.StatusOK {
					t.Fatalf("request with the due cookie: %d %v", w.Code, err)
				}
				wrote += len(w.Header().Values("Set-Cookie"))
			}
			if wrote == 0 {
				t.Fatal("no request wrote a cookie: the case is not exercised")
			}
			after := exported(read())
			for k, v := range before {
				if !reflect.DeepEqual(after[k], v) {
					t.Errorf("the cached session's %s changed under the requests that used it", k)
				}
			}
		})
	}
}

// exported is what a Session tells its readers, claims decoded.
func exported(s *cookie.Session) map[string]any {
	return map[string]any{
		"provider": s.Provider, "subject": s.Subject, "claims": s.Claims.Map(),
		"created": s.Created, "expires": s.Expires, "renewed": s.Renewed, "token expiry": s.TokenExpiry,
		"ID token": s.IDToken, "access token": s.AccessToken, "refresh token": s.RefreshToken, "sid": s.SID,
	}
}
