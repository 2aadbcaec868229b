package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// oidcProviderApp is the directory of the test app around panva's
// oidc-provider (server.mjs, its package.json and lock file); npm ci there
// (.ci/install-e2e.sh does it) fills its node_modules.
const oidcProviderApp = "oidcprovider"

// The fields of oidc-provider's development interactions
// (node_modules/oidc-provider/lib/views): a login form, a consent form, and
// the end-session confirmation of RP-initiated logout.
var (
	opLoginField    = chromedp.CSS(`input[name=login]`)
	opPasswordField = chromedp.CSS(`input[name=password]`)
	opLoginSubmit   = chromedp.CSS(`form:has(input[name=prompt][value=login]) button[type=submit]`)
	opConsentSubmit = chromedp.CSS(`form:has(input[name=prompt][value=consent]) button[type=submit]`)
	opLogoutYes     = chromedp.CSS(`button[name=logout][value=yes]`) // "Yes, sign me out"
)

// opClient is a client registered at oidc-provider, as its client metadata.
type opClient struct {
	ID                     string   `json:"client_id"`
	Secret                 string   `json:"client_secret,omitempty"`
	AuthMethod             string   `json:"token_endpoint_auth_method,omitempty"`
	JWKSURI                string   `json:"jwks_uri,omitempty"`
	RedirectURIs           []string `json:"redirect_uris"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
	BackchannelLogoutURI   string   `json:"backchannel_logout_uri,omitempty"`
}

// opUser is an account at oidc-provider: its development login form signs in
// whoever types Login (the sub); the password is not checked.
type opUser struct {
	Login string `json:"login"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// opAlice is the user of an oidc-provider from startOIDCProvider.
var opAlice = opUser{Login: "alice@example.org", Email: "alice@example.org", Name: "Alice Liddell"}

// oidcProvider is an oidc-provider that runs for one test.
type oidcProvider struct {
	Issuer string // http://127.0.0.1:PORT
	log    *syncBuffer
}

// MetadataURL is its discovery document.
func (p *oidcProvider) MetadataURL() string { return p.Issuer + "/.well-known/openid-configuration" }

// Log returns what it has printed so far.
func (p *oidcProvider) Log() string { return p.log.String() }

// startOIDCProvider runs e2e/oidcprovider/server.mjs with node on a free
// 127.0.0.1 port, with the clients and opAlice, waits until its discovery
// document answers, and stops it when the test ends. It skips the test when
// node or the app's node_modules are missing (fails under OIDCAUTH_E2E=1).
func startOIDCProvider(t testing.TB, clients ...opClient) *oidcProvider {
	t.Helper()
	node, app := oidcProviderTools(t)
	conf, err := json.Marshal(map[string]any{"clients": clients, "users": []opUser{opAlice}})
	if err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(t.TempDir(), "oidc-provider.json")
	if err := os.WriteFile(confPath, conf, 0o600); err != nil {
		t.Fatal(err)
	}
	addr := testsupport.FreeAddr(t)
	_, port, _ := strings.Cut(addr, ":")
	issuer := "http://" + addr
	cmd := exec.Command(node, filepath.Join(app, "server.mjs"), "--port", port, "--issuer", issuer, "--config", confPath)
	cmd.Dir = app
	return &oidcProvider{Issuer: issuer, log: runProvider(t, "oidc-provider", cmd, issuer)}
}

// oidcProviderTools returns node and the app directory, or skips (fails
// under OIDCAUTH_E2E=1) when either is missing.
func oidcProviderTools(t testing.TB) (node, app string) {
	t.Helper()
	node, err := findNode()
	if err != nil {
		missingTool(t, "node", err)
	}
	app, err = findOIDCProviderApp()
	if err != nil {
		missingTool(t, "oidc-provider", err)
	}
	return node, app
}

// findNode returns $NODE, or node on PATH.
func findNode() (string, error) {
	name := os.Getenv("NODE")
	if name == "" {
		name = "node"
	}
	return exec.LookPath(name)
}

// findOIDCProviderApp returns the absolute path of e2e/oidcprovider once npm
// ci has installed oidc-provider there.
func findOIDCProviderApp() (string, error) {
	app, err := filepath.Abs(oidcProviderApp)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(app, "node_modules", "oidc-provider", "package.json")); err != nil {
		return "", fmt.Errorf("no node_modules in %s (npm ci there): %w", app, err)
	}
	return app, nil
}

func TestFindOIDCProviderAppNeedsNodeModules(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.MkdirAll(filepath.Join(oidcProviderApp, "node_modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := findOIDCProviderApp(); err == nil || !strings.Contains(err.Error(), "npm ci") {
		t.Fatalf("an app without oidc-provider installed: err = %v, want one saying to run npm ci", err)
	}
	pkg := filepath.Join(oidcProviderApp, "node_modules", "oidc-provider")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "package.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := findOIDCProviderApp(); err != nil || !filepath.IsAbs(got) {
		t.Fatalf("findOIDCProviderApp() = %q, %v; want the app's absolute path", got, err)
	}
}

func TestFindNodeUsesNODE(t *testing.T) {
	t.Setenv("NODE", filepath.Join(t.TempDir(), "absent"))
	if _, err := findNode(); err == nil {
		t.Fatal("a NODE that does not exist was accepted")
	}
}

// TestOIDCProviderAppPinsItsVersion keeps the lock file and package.json in
// step: CI's npm ci installs exactly the version package.json names.
func TestOIDCProviderAppPinsItsVersion(t *testing.T) {
	var pkg struct{ Dependencies map[string]string }
	var lock struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	for path, v := range map[string]any{"package.json": &pkg, "package-lock.json": &lock} {
		raw, err := os.ReadFile(filepath.Join(oidcProviderApp, path))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	want := pkg.Dependencies["oidc-provider"]
	if _, err := strconv.Atoi(strings.ReplaceAll(want, ".", "")); err != nil {
		t.Fatalf("package.json asks for oidc-provider %q, want an exact version", want)
	}
	if got := lock.Packages["node_modules/oidc-provider"].Version; got != want {
		t.Fatalf("package-lock.json holds oidc-provider %q, package.json %q", got, want)
	}
}
