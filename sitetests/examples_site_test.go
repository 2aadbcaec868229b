package sitetests_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/caddy-oidc-auth/oidcauth/devprovider"

	"github.com/caddy-oidc-auth/oidcauth/internal/testsupport"
)

// A user's name and email are the provider's (often the user's own) text:
// examples/site, served with templates as the examples do, shows them as
// text and never as markup.
func TestExampleSiteEscapesClaims(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "examples", "site"))
	if err != nil {
		t.Fatal(err)
	}
	mallory := devprovider.User{Username: "mallory", Password: "x", Claims: map[string]any{
		"name":  `<img src=x onerror=alert(1)>`,
		"email": `"><script>alert(2)</script>@example.com`,
	}}
	p := testsupport.StartProvider(t, mallory)
	port := testsupport.FreePort(t)
	testsupport.StartCaddy(t, siteCaddyfile(t, port, p.MetadataURL(), "", fmt.Sprintf("templates\n\troot * `%s`\n\tfile_server", dir)))

	status, body := testsupport.NewBrowser(t, "mallory").Get(testsupport.SiteURL(port) + "/")
	if status != 200 || !strings.Contains(body, `id="signout"`) {
		t.Fatalf("signed-in page: %d %.300s", status, body)
	}
	for _, shown := range []string{`Hello, &lt;img src=x onerror=alert(1)&gt;!`, `&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;@example.com`} {
		if !strings.Contains(body, shown) {
			t.Errorf("the page does not show %s as text:\n%s", shown, body)
		}
	}
	for _, raw := range []string{"<img", "<script"} {
		if strings.Contains(body, raw) {
			t.Errorf("the page holds a raw %s tag:\n%s", raw, body)
		}
	}
}

// Every placeholder that a template in the examples or README prints goes
// through html, so a copied snippet is safe too.
func TestExampleTemplatesEscapePlaceholders(t *testing.T) {
	files := []string{filepath.Join("..", "README.md"), filepath.Join("..", "examples", "site", "index.html")}
	more, _ := filepath.Glob(filepath.Join("..", "examples", "*", "Caddyfile"))
	files = append(files, more...)
	printed := regexp.MustCompile(`\{\{\s*placeholder\s+"[^"]+"\s*(\|\s*\w+\s*)?\}\}`)
	found := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range printed.FindAllString(string(data), -1) {
			found++
			if !regexp.MustCompile(`\|\s*html\s*\}\}$`).MatchString(m) {
				t.Errorf("%s prints %s without | html", f, m)
			}
		}
	}
	if found == 0 {
		t.Fatal("no template prints a placeholder: the pattern no longer finds them")
	}
}
