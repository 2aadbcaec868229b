package sitetests_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// readmeLogRecipe is the `log` block of README's access-log recipe, so the
// test runs exactly what users copy.
func readmeLogRecipe(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Access logs\n")
	if !ok {
		t.Fatal("README has no Access logs section")
	}
	_, block, ok := strings.Cut(section, "\n\tlog {\n")
	if !ok || !strings.Contains(block, "format filter") {
		t.Fatal("README's Access logs section has no log block with a filter")
	}
	block, _, ok = strings.Cut(block, "\n\t}\n")
	if !ok {
		t.Fatal("README's log block does not end")
	}
	return "log {\n" + block + "\n\t}"
}

// loggedSignInAndOut runs a site whose access log is written as logBlock
// says (its output replaced by a file), and whose module logs go to another
// file; a user signs in, visits a page, sends a bearer token and signs out.
// serverOptions go into the global options. It returns both logs and the
// secrets they must not hold.
func loggedSignInAndOut(t *testing.T, logBlock, serverOptions string) (accessLog, moduleLog string, secrets map[string]string) {
	dir := t.TempDir()
	accessPath, modulePath := filepath.Join(dir, "access.log"), filepath.Join(dir, "caddy.log")
	logBlock = strings.Replace(logBlock, "/var/log/caddy/access.log", accessPath, 1)
	if !strings.Contains(logBlock, accessPath) {
		logBlock = strings.Replace(logBlock, "log {", "log {\n\t\toutput file "+accessPath, 1)
	}
	p := testsupport.StartProvider(t)
	port := testsupport.FreePort(t)
	siteURL := testsupport.SiteURL(port)
	cfg := siteCaddyfile(t, port, p.MetadataURL(), "", logBlock+"\n\trespond \"hello {http.auth.user.email}\"")
	global := strings.TrimSuffix(testsupport.GlobalOptions(t), "}\n") + "\tlog {\n\t\toutput file " + modulePath + "\n\t\tlevel DEBUG\n\t}\n" + serverOptions + "}\n"
	testsupport.StartCaddy(t, strings.Replace(cfg, testsupport.GlobalOptions(t), global, 1))

	b := testsupport.NewBrowser(t, "alice")
	if status, body := b.Get(siteURL + "/docs"); status != 200 || body != "hello alice@example.com" {
		t.Fatalf("sign-in: %d %q", status, body)
	}
	secrets = map[string]string{}
	for _, u := range b.Trail {
		if strings.HasPrefix(u, siteURL+"/oauth2callback?") {
			parsed, _ := url.Parse(u)
			secrets["authorization code"] = parsed.Query().Get("code")
		}
	}
	// Those sent to the sign-out route include the ID token's hint cookie.
	for _, c := range b.Cookies(siteURL + "/auth/logout") {
		secrets["cookie "+c.Name] = c.Value
	}
	if status, _ := b.Get(siteURL + "/docs"); status != 200 {
		t.Fatalf("signed-in page: %d", status)
	}
	resp := logout(t, b, siteURL, "GET", nil)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	secrets["ID token"] = loc.Query().Get("id_token_hint")
	req, _ := http.NewRequest("GET", siteURL+"/api", nil)
	req.Header.Set("Authorization", "Bearer "+secrets["ID token"])
	if r, err := http.DefaultClient.Do(req); err == nil {
		r.Body.Close()
	}
	for name, v := range secrets {
		if len(v) < 16 {
			t.Fatalf("%s %q is too short to search a log for", name, v)
		}
	}

	// Caddy writes an access log line once the response is sent: wait
	// (boundedly) for the last request's line.
	for i := 0; i < 100; i++ {
		data, _ := os.ReadFile(accessPath)
		if strings.Contains(string(data), `"uri":"/api"`) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	read := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	accessLog, moduleLog = read(accessPath), read(modulePath)
	if !strings.Contains(accessLog, `"uri":"/api"`) || !strings.Contains(accessLog, "/auth/logout") {
		t.Fatalf("the access log lacks the requests:\n%s", accessLog)
	}
	if !strings.Contains(moduleLog, `"msg":"signed in"`) {
		t.Fatalf("the module's log lacks the sign-in:\n%s", moduleLog)
	}
	return accessLog, moduleLog, secrets
}

// README's recipe keeps every token, code and cookie value out of the
// access log, while the lines still show the sign-out going to the provider.
func TestAccessLogRecipeKeepsTokensOut(t *testing.T) {
	accessLog, moduleLog, secrets := loggedSignInAndOut(t, readmeLogRecipe(t), "")
	for name, v := range secrets {
		if strings.Contains(accessLog, v) {
			t.Errorf("the access log holds the %s, after %s", name, before(accessLog, v))
		}
		if strings.Contains(moduleLog, v) {
			t.Errorf("the module's log holds the %s, after %s", name, before(moduleLog, v))
		}
	}
	if !strings.Contains(accessLog, "end_session?client_id="+testsupport.ClientID) || strings.Contains(accessLog, "id_token_hint") {
		t.Errorf("the sign-out redirect is not logged without its id_token_hint")
	}
	if !strings.Contains(accessLog, `"uri":"/oauth2callback?state=`) {
		t.Errorf("the callback is not logged without its code")
	}
}

// What README says Caddy logs without the filter: the ID token and the code,
// but cookies and Authorization only as REDACTED.
func TestAccessLogWithoutFilterHoldsTheIDToken(t *testing.T) {
	accessLog, moduleLog, secrets := loggedSignInAndOut(t, "log {\n\t}", "")
	for _, name := range []string{"ID token", "authorization code"} {
		if !strings.Contains(accessLog, secrets[name]) {
			t.Errorf("without a filter the access log does not hold the %s (README says it does)", name)
		}
	}
	for name, v := range secrets {
		if strings.HasPrefix(name, "cookie ") && strings.Contains(accessLog, v) {
			t.Errorf("without log_credentials the access log holds the %s", name)
		}
		if strings.Contains(moduleLog, v) {
			t.Errorf("the module's log holds the %s, after %s", name, before(moduleLog, v))
		}
	}
	for _, h := range []string{`"Cookie":["REDACTED"]`, `"Set-Cookie":["REDACTED"]`, `"Authorization":["REDACTED"]`} {
		if !strings.Contains(accessLog, h) {
			t.Errorf("the access log does not show %s", h)
		}
	}
}

// before is what precedes v in log, to tell where it leaked without
// printing it.
func before(log, v string) string {
	i := strings.Index(log, v)
	return log[max(0, i-120):i]
}

// With log_credentials, Caddy logs the sealed cookies themselves, as README
// warns.
func TestAccessLogWithLogCredentialsHoldsTheCookies(t *testing.T) {
	accessLog, _, secrets := loggedSignInAndOut(t, "log {\n\t}", "\tservers {\n\t\tlog_credentials\n\t}\n")
	cookies := 0
	for name, v := range secrets {
		if strings.HasPrefix(name, "cookie ") {
			cookies++
			if !strings.Contains(accessLog, v) {
				t.Errorf("with log_credentials the access log does not hold the %s", name)
			}
		}
	}
	if cookies == 0 {
		t.Fatal("the browser holds no cookie for the site")
	}
}
