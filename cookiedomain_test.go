package oidcauth

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

func domainCaddyfile(redirect, domain string) string {
	return "http://localhost:8501 {\n\toidc_auth {\n\t\tredirect_uri " + redirect +
		"\n\t\tcookie_secret 0123456789abcdef0123\n\t\tclient_id x\n\t\tserver_metadata_url https://idp.example/.well-known/openid-configuration\n\t\tcookie_domain " +
		domain + "\n\t}\n\trespond ok\n}\n"
}

func TestCaddyValidateRefusesCookieDomainsThatCannotWork(t *testing.T) {
	for _, c := range []struct{ domain, redirect, want string }{
		{"https://example.com", "https://auth.example.com/cb", "not a URL"},
		{"example.com/", "https://auth.example.com/cb", "not a URL"},
		{"example.com:443", "https://auth.example.com/cb", "port"},
		{"com", "https://auth.example.com/cb", "single label"},
		{"co.uk", "https://auth.example.co.uk/cb", "public suffix"},
		{"github.io", "https://me.github.io/cb", "public suffix"},
		{"127.0.0.1", "http://127.0.0.1/cb", "IP address"},
		{"exa_mple.com", "https://auth.example.com/cb", "not a valid domain"},
		{"example..com", "https://auth.example.com/cb", "not a valid domain"},
		{"example.com", "https://auth.evilexample.com/cb", "redirect_uri"},
		{"example.com", "https://example.com.evil.com/cb", "redirect_uri"},
		{"app1.example.com", "https://auth.example.com/cb", "redirect_uri"},
	} {
		t.Run(c.domain+" "+c.redirect, func(t *testing.T) {
			err := testsupport.Validate(t, domainCaddyfile(c.redirect, c.domain))
			if err == nil {
				t.Fatal("validated")
			}
			if !strings.Contains(err.Error(), "cookie_domain") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not name cookie_domain and say %q", err, c.want)
			}
		})
	}
}

func TestCaddyValidateAcceptsCookieDomains(t *testing.T) {
	for _, c := range []struct{ domain, redirect string }{
		{"example.com", "https://auth.example.com/cb"},
		{".example.com", "https://example.com/cb"},
		{"Example.COM", "https://AUTH.example.com:8443/cb"},
		{"oidc.test", "http://app1.oidc.test:8080/cb"},
		{"example.co.uk", "https://auth.example.co.uk/cb"},
	} {
		if err := testsupport.Validate(t, domainCaddyfile(c.redirect, c.domain)); err != nil {
			t.Errorf("cookie_domain %s with redirect_uri %s: %v", c.domain, c.redirect, err)
		}
	}
}

func TestCheckCookieDomainNormalises(t *testing.T) {
	m := &OIDCAuth{CookieDomain: ".Example.COM", RedirectURI: "https://auth.example.com/cb"}
	if err := m.checkCookieDomain(keySource{}); err != nil || m.cookieDomain != "example.com" || !m.domainHTTPS {
		t.Fatalf("got %q, https %v, %v", m.cookieDomain, m.domainHTTPS, err)
	}
	if s := domainSite("example.com", true); s.cookieName != "__Secure-oidc_auth.example.com" || s.scope != "domain:example.com" {
		t.Errorf("https site: %+v", s)
	}
	if s := domainSite("example.com", false); s.cookieName != "oidc_auth.example.com" {
		t.Errorf("http site: %+v", s)
	}
}

// A site that is not the callback's host sends the user to sign in with
// its own absolute URL, so the callback site sends them back to it.
func TestReturnToHereNamesTheSiteWhenTheCallbackIsElsewhere(t *testing.T) {
	m := &OIDCAuth{RedirectURI: "https://auth.example.com/cb", cookieDomain: "example.com", domainHTTPS: true}
	r := httptest.NewRequest("GET", "https://app1.example.com/page?x=1", nil)
	if got := m.returnToHere(r); got != "https://app1.example.com/page?x=1" {
		t.Errorf("app1: %q", got)
	}
	if got := m.cleanReturnTo(m.returnToHere(r)); got != "https://app1.example.com/page?x=1" {
		t.Errorf("app1 cleaned: %q", got)
	}
	r = httptest.NewRequest("GET", "https://auth.example.com/page", nil)
	if got := m.returnToHere(r); got != "/page" {
		t.Errorf("the callback's own host: %q", got)
	}
	host := &OIDCAuth{RedirectURI: "https://auth.example.com/cb"}
	if got := host.cleanReturnTo("https://app1.example.com/"); got != "/" {
		t.Errorf("without cookie_domain an absolute return_to is kept: %q", got)
	}
}
