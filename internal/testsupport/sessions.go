package testsupport

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
	"github.com/caddy-oidc-auth/oidcauth/devprovider"
)

// Site is a test site protected by oidc_auth against one provider.
type Site struct {
	URL      string // http://127.0.0.1:Port
	Port     int
	Provider *devprovider.Provider
}

// ForgeSession seals sess with secret, as the module on site s would with
// that cookie_secret, and returns the identity cookies.
func ForgeSession(t testing.TB, s Site, secret string, sess *cookie.Session) []*http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := ForgerJar(t, s, secret).WriteSession(rec, nil, sess); err != nil {
		t.Fatal(err)
	}
	return IdentityCookies(rec.Result())
}

// ForgerJar is the jar of the module on site s, had its cookie_secret been
// secret: same name, scope and clients. A session naming a provider the
// site lacks ("ghost") is bound as if that provider were the site's own.
func ForgerJar(t testing.TB, s Site, secret string) *cookie.Jar {
	t.Helper()
	codec, err := cookie.NewCodec(secret)
	if err != nil {
		t.Fatal(err)
	}
	issuer := strings.TrimSuffix(strings.TrimSuffix(s.Provider.MetadataURL(), "/.well-known/openid-configuration"), "/")
	client := cookie.Client{Issuer: issuer, ClientID: ClientID}
	return cookie.NewJar(cookie.JarConfig{
		Codec:   codec,
		Name:    CookieNameAt(s.Port),
		Scope:   s.URL,
		Clients: map[string]cookie.Client{"default": client, "ghost": client},
	})
}

// Claims converts a JSON object of claims for a forged session.
func Claims(t testing.TB, js string) cookie.Claims {
	t.Helper()
	c, err := cookie.ClaimsFromJSON([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
