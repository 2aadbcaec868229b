package sitetests_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// metricValue reads one series from a Prometheus text exposition.
func metricValue(t *testing.T, exposition, series string) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(exposition)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMetricsCountSignInsFailuresSignOutsAndFetches(t *testing.T) {
	p := testsupport.StartProvider(t)
	port, metricsPort := testsupport.FreePort(t), testsupport.FreePort(t)
	cfg := siteCaddyfile(t, port, p.MetadataURL(), "", `respond "{http.auth.user.email}"`) + fmt.Sprintf(`
http://127.0.0.1:%d {
	bind 127.0.0.1
	metrics
}
`, metricsPort)
	testsupport.StartCaddy(t, cfg)
	siteURL := testsupport.SiteURL(port)
	scrape := func() string {
		_, body := testsupport.NewBrowser(t, "").Get(fmt.Sprintf("http://127.0.0.1:%d/", metricsPort))
		return body
	}

	b := testsupport.NewBrowser(t, "alice")
	for i := 0; i < 2; i++ {
		if status, _ := b.Get(siteURL + "/"); status != 200 {
			t.Fatalf("sign-in: %d", status)
		}
	}
	p.SetBehavior(devprovider.Behavior{TamperClaims: func(c map[string]any) { c["nonce"] = "wrong" }})
	testsupport.NewBrowser(t, "bob").Get(siteURL + "/")
	p.SetBehavior(devprovider.Behavior{})
	testsupport.NewBrowser(t, "").Do("GET", siteURL+"/api", nil, "application/json").Body.Close()
	b.User = ""
	b.Get(siteURL + "/auth/logout")

	m := scrape()
	for series, want := range map[string]float64{
		`oidc_auth_sign_ins_total{provider="default"}`:                                     1,
		`oidc_auth_sign_in_failures_total{provider="default",reason="invalid_token"}`:      1,
		`oidc_auth_sign_outs_total{kind="user",provider="default"}`:                        1,
		`oidc_auth_provider_fetches_total{kind="metadata",provider="default",result="ok"}`: 1,
		`oidc_auth_provider_fetches_total{kind="jwks",provider="default",result="ok"}`:     1,
	} {
		if got := metricValue(t, m, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if got := metricValue(t, m, `oidc_auth_session_checks_total{result="signed_in"}`); got < 2 {
		t.Errorf("signed-in session checks = %v, want at least 2", got)
	}
	if got := metricValue(t, m, `oidc_auth_session_checks_total{result="anonymous"}`); got < 2 {
		t.Errorf("anonymous session checks = %v, want at least 2", got)
	}
	if !strings.Contains(m, "# HELP oidc_auth_sign_ins_total") {
		t.Error("metrics have no help text")
	}
}
