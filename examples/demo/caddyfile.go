package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// siteSecrets are the values oidc_auth needs to talk to the provider.
type siteSecrets struct {
	ClientID, ClientSecret, CookieSecret, MetadataURL string
}

// siteCaddyfile is the demo's whole Caddy configuration: no admin API, no
// certificates, nothing saved to disk, one site on 127.0.0.1 whose pages
// are templates that see the signed-in user.
func siteCaddyfile(cfg config, s siteSecrets) string {
	// Quiet by default: only problems. The admin API is off on purpose, so
	// its notice is left out, and only HTTP/1.1 is served since HTTP/2 and
	// HTTP/3 need TLS, which this plain-http demo has none of.
	logging := "level WARN\n\t\texclude admin"
	if cfg.Verbose {
		logging = "level INFO"
	}
	return fmt.Sprintf(`{
	admin off
	auto_https off
	persist_config off
	log {
		%s
	}
	servers {
		protocols h1
	}
}

%s {
	bind 127.0.0.1
	oidc_auth {
		redirect_uri %s/oauth2callback
		cookie_secret %s
		client_id %s
		client_secret %s
		server_metadata_url %s
	}
	templates
	root * %s
	file_server
}
`, logging, cfg.siteURL(), cfg.siteURL(), s.CookieSecret, s.ClientID, s.ClientSecret, s.MetadataURL, caddyQuote(cfg.SiteDir))
}

// caddyQuote makes s one Caddyfile token, read literally: spaces,
// backslashes and quotes included (findSiteDir refuses what cannot be).
func caddyQuote(s string) string {
	return "`" + s + "`"
}

// findSiteDir is the absolute folder to serve: dir when given, else the
// repository's examples/site, found beside this source file or from the
// working directory.
func findSiteDir(dir string) (string, error) {
	if dir != "" {
		return checkSiteDir(dir)
	}
	var candidates []string
	if _, file, _, ok := runtime.Caller(0); ok {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), "..", "site"))
	}
	candidates = append(candidates, filepath.Join("examples", "site"), filepath.Join("..", "site"))
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "index.html")); err == nil {
			return checkSiteDir(c)
		}
	}
	return "", errors.New("cannot find the example site (examples/site/index.html): run from the repository root, or pass -site DIR")
}

// checkSiteDir makes dir absolute and makes sure it is a folder that a
// Caddyfile can name.
func checkSiteDir(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("no site folder given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("site folder %q: %w", dir, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("site folder: %w", err)
	}
	if !info.IsDir() {
		return "", fmt.Errorf("site folder %s is a file, not a folder", abs)
	}
	// Caddy would read {…} as a placeholder and ` would end the token.
	if strings.ContainsAny(abs, "{}`\n") {
		return "", fmt.Errorf("site folder %s has a character Caddy cannot take in a path ({, }, ` or a newline); move the site or pass -site with another folder", abs)
	}
	return abs, nil
}
