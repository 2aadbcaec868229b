package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
)

func adaptDemo(t *testing.T, cfg config) map[string]any {
	t.Helper()
	text := siteCaddyfile(cfg, siteSecrets{"client", "client-secret", "cookie-secret-0123456789abcdef0123", "http://127.0.0.1:5556/.well-known/openid-configuration"})
	out, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(text), nil)
	if err != nil {
		t.Fatalf("adapting:\n%s\n%v", text, err)
	}
	if len(warnings) > 0 {
		t.Errorf("warnings: %v", warnings)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCaddyfileServesTheSiteOnLoopbackOnly(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, `my site \ "q" $x`)
	if err := os.Mkdir(site, 0o755); err != nil {
		t.Fatal(err)
	}
	m := adaptDemo(t, config{Port: 8501, ProviderPort: 5556, SiteDir: site})
	raw, _ := json.Marshal(m)
	text := string(raw)
	for _, want := range []string{`"listen":["127.0.0.1:8501"]`, `"disabled":true`, `"redirect_uri":"http://localhost:8501/oauth2callback"`, `"handler":"templates"`} {
		if !strings.Contains(text, want) {
			t.Errorf("config lacks %s:\n%s", want, text)
		}
	}
	// The path survives the Caddyfile verbatim, odd characters and all.
	wantRoot, _ := json.Marshal(map[string]string{"root": site})
	if !strings.Contains(text, strings.Trim(string(wantRoot), "{}")) {
		t.Errorf("root is not %q:\n%s", site, text)
	}
}

func TestSiteDirIsFoundOrRefusedClearly(t *testing.T) {
	dir, err := findSiteDir("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil || !filepath.IsAbs(dir) {
		t.Errorf("found %q, want the absolute examples/site with index.html (%v)", dir, err)
	}

	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	braces := filepath.Join(tmp, "{env.HOME}")
	_ = os.WriteFile(file, nil, 0o644)
	_ = os.Mkdir(braces, 0o755)
	for _, bad := range []string{file, braces, filepath.Join(tmp, "missing")} {
		if _, err := findSiteDir(bad); err == nil {
			t.Errorf("findSiteDir(%q) = nil error, want one", bad)
		}
	}
}
