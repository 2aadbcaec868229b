package oidcauth

import (
	"go/build"
	"strings"
	"testing"
)

// Each package's doc.go says what it must not import; this holds them to it.
func TestPackagesImportOnlyWhatTheirDocAllows(t *testing.T) {
	const module = "github.com/caddy-oidc-auth/oidcauth"
	caddy := []string{"github.com/caddyserver/caddy"}
	for dir, forbidden := range map[string][]string{
		"cookie":                     append([]string{module + "/"}, caddy...),
		"flow":                       append([]string{module + "/cookie", module + "/internal"}, caddy...),
		"internal/access":            append([]string{module + "/cookie", module + "/flow"}, caddy...),
		"internal/claims":            append([]string{module + "/"}, caddy...),
		"internal/pages":             append([]string{module + "/"}, caddy...),
		"internal/recent":            append([]string{module + "/"}, caddy...),
		"internal/revocation":        append([]string{module + "/cookie", module + "/flow"}, caddy...),
		"internal/secrets":           append([]string{module + "/"}, caddy...),
		"devprovider":                append([]string{module + "/"}, caddy...),
		"bench/cpuclock":             {module},
		"bench/mint":                 append([]string{module + "/flow", module + "/internal", module + "/devprovider"}, caddy...),
		"bench/provider":             append([]string{module + "/cookie", module + "/flow", module + "/internal"}, caddy...),
		"bench/jwtmint":              append([]string{module}, caddy...),
		"examples/demo":              {module + "/internal"},
		"examples/reverse-proxy/app": append([]string{module}, caddy...),
	} {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, imp := range pkg.Imports {
			// Only the examples may use the module as its users do.
			if imp == module && !strings.HasPrefix(dir, "examples/demo") {
				t.Errorf("%s imports the root package", dir)
			}
			for _, f := range forbidden {
				if strings.HasPrefix(imp, f) {
					t.Errorf("%s imports %s, which its doc.go rules out", dir, imp)
				}
			}
		}
	}
}
