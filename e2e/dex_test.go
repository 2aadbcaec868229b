package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// The fields of Dex's password form (web/templates/password.html), which it
// shows at once when the password database is its only connector.
var (
	dexLoginField    = chromedp.ID("login")        // email address
	dexPasswordField = chromedp.ID("password")     // password
	dexSubmitButton  = chromedp.ID("submit-login") // "Login"
	dexLoginError    = chromedp.ID("login-error")  // shown after a wrong password
)

// dexClient is an OAuth client that a test registers at Dex.
type dexClient struct {
	ID, Secret   string
	RedirectURIs []string
}

// dexUser is a user of Dex's password database, who signs in with Email (Dex's
// form asks for the email address) and Password.
type dexUser struct {
	Email, Username, Password string
}

// adminUser is the user that a Dex from startDex knows when the test names none.
var adminUser = dexUser{Email: "admin@example.com", Username: "admin", Password: "password"}

// dexConfig is what a test chooses about its Dex.
type dexConfig struct {
	Clients []dexClient // at least one
	Users   []dexUser   // default: adminUser
}

// dexServer is a Dex that runs for one test.
type dexServer struct {
	Issuer string    // http://127.0.0.1:PORT/dex; discovery is below it
	Users  []dexUser // who can sign in
	log    *syncBuffer
}

// Log returns what Dex has printed so far, for a failing test to show.
func (d *dexServer) Log() string { return d.log.String() }

// startDex runs the dex binary for the test on a free 127.0.0.1 port with
// in-memory storage, cfg's clients and users, and no approval screen, waits
// until its discovery document answers, and stops it when the test ends. It
// skips the test when there is no dex (fails under OIDCAUTH_E2E=1).
func startDex(t testing.TB, cfg dexConfig) *dexServer {
	t.Helper()
	bin := dexBinary(t)
	if len(cfg.Users) == 0 {
		cfg.Users = []dexUser{adminUser}
	}
	addr := testsupport.FreeAddr(t)
	issuer := "http://" + addr + "/dex"
	conf, err := dexConfigFile(issuer, addr, cfg)
	if err != nil {
		t.Fatalf("startDex: %v", err)
	}
	dir := t.TempDir()
	confPath := filepath.Join(dir, "dex.yaml")
	if err := os.WriteFile(confPath, conf, 0o600); err != nil {
		t.Fatalf("startDex: %v", err)
	}

	cmd := exec.Command(bin, "serve", confPath)
	return &dexServer{Issuer: issuer, Users: cfg.Users, log: runProvider(t, "dex", cmd, issuer)}
}

// dexConfigFile renders Dex's configuration. It is JSON, which Dex's YAML
// reader accepts, so no value can break the file's syntax.
func dexConfigFile(issuer, addr string, cfg dexConfig) ([]byte, error) {
	if len(cfg.Clients) == 0 {
		return nil, errors.New("dex config: no client")
	}
	type client struct {
		ID           string   `json:"id"`
		Secret       string   `json:"secret"`
		Name         string   `json:"name"`
		RedirectURIs []string `json:"redirectURIs"`
	}
	type password struct {
		Email    string `json:"email"`
		Username string `json:"username"`
		UserID   string `json:"userID"`
		Hash     string `json:"hash"`
	}
	var clients []client
	for _, c := range cfg.Clients {
		if c.ID == "" || len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("dex config: client %q needs an id and a redirect URI", c.ID)
		}
		clients = append(clients, client{ID: c.ID, Secret: c.Secret, Name: c.ID, RedirectURIs: c.RedirectURIs})
	}
	var passwords []password
	for i, u := range cfg.Users {
		// Dex refuses hashes cheaper than bcrypt's default cost.
		hash, err := bcrypt.GenerateFromPassword([]byte(u.Password), bcrypt.DefaultCost)
		if err != nil {
			return nil, fmt.Errorf("dex config: user %q: %w", u.Email, err)
		}
		passwords = append(passwords, password{
			Email: u.Email, Username: u.Username, Hash: string(hash),
			UserID: fmt.Sprintf("user-%d", i+1),
		})
	}
	conf := map[string]any{
		"issuer":           issuer,
		"storage":          map[string]any{"type": "memory"},
		"web":              map[string]any{"http": addr},
		"oauth2":           map[string]any{"skipApprovalScreen": true},
		"logger":           map[string]any{"level": "info", "format": "text"},
		"enablePasswordDB": true,
		"staticClients":    clients,
		"staticPasswords":  passwords,
	}
	return json.MarshalIndent(conf, "", "  ")
}

func TestDexConfigFileHoldsClientAndCheckableUser(t *testing.T) {
	cfg := dexConfig{
		Clients: []dexClient{{ID: "rp", Secret: "s3", RedirectURIs: []string{"http://127.0.0.1:1/cb"}}},
		Users:   []dexUser{adminUser},
	}
	raw, err := dexConfigFile("http://127.0.0.1:5556/dex", "127.0.0.1:5556", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Issuer        string `json:"issuer"`
		Web           struct{ HTTP string }
		StaticClients []struct {
			ID           string   `json:"id"`
			RedirectURIs []string `json:"redirectURIs"`
		} `json:"staticClients"`
		StaticPasswords []struct{ Email, Hash string } `json:"staticPasswords"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Issuer != "http://127.0.0.1:5556/dex" || got.Web.HTTP != "127.0.0.1:5556" {
		t.Errorf("issuer/web = %q/%q", got.Issuer, got.Web.HTTP)
	}
	if len(got.StaticClients) != 1 || got.StaticClients[0].ID != "rp" || got.StaticClients[0].RedirectURIs[0] != "http://127.0.0.1:1/cb" {
		t.Errorf("clients = %+v", got.StaticClients)
	}
	if len(got.StaticPasswords) != 1 || got.StaticPasswords[0].Email != adminUser.Email {
		t.Fatalf("passwords = %+v", got.StaticPasswords)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(got.StaticPasswords[0].Hash), []byte(adminUser.Password)); err != nil {
		t.Errorf("the stored hash does not check the password: %v", err)
	}
	if strings.Contains(string(raw), `"`+adminUser.Password+`"`) {
		t.Errorf("the plain password is in the config file")
	}
}

func TestDexConfigFileRefusesClientWithoutRedirect(t *testing.T) {
	_, err := dexConfigFile("http://x/dex", "x", dexConfig{Clients: []dexClient{{ID: "rp"}}})
	if err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("err = %v, want one about the redirect URI", err)
	}
	if _, err := dexConfigFile("http://x/dex", "x", dexConfig{}); err == nil {
		t.Fatal("a config without a client was accepted")
	}
}

func TestStartDexServesDiscovery(t *testing.T) {
	d := startDex(t, dexConfig{Clients: []dexClient{{ID: "rp", Secret: "s", RedirectURIs: []string{"http://127.0.0.1:1/cb"}}}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, d.Issuer+"/.well-known/openid-configuration", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Issuer != d.Issuer || !strings.HasPrefix(doc.AuthorizationEndpoint, d.Issuer+"/") {
		t.Fatalf("discovery = %+v, want issuer %s", doc, d.Issuer)
	}
}
