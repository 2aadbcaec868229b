package oidcauth

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
)

// The providers README's "Providers" section has a recipe for, each with its
// Caddyfile under examples/providers/<name>/.
var providerRecipes = []string{"google", "entra-id", "okta", "auth0", "keycloak", "cognito", "dex", "oidc-provider"}

// TestProviderRecipesAdapt adapts every examples/providers/*/Caddyfile with
// Caddy's own adapter (which runs the directive's config checks), and holds
// README to showing each of them, byte for byte, under the line that names
// its file: README and the files cannot drift apart.
func TestProviderRecipesAdapt(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("examples", "providers", "*", "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(filepath.Dir(f)))
	}
	if want := slices.Sorted(slices.Values(providerRecipes)); !slices.Equal(names, want) {
		t.Fatalf("examples/providers holds recipes %v, want %v", names, want)
	}

	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := providersSection(t, string(readme))
	shown := readmeRecipes(t, section)

	for _, name := range providerRecipes {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("examples", "providers", name, "Caddyfile")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt(data, map[string]any{"filename": path})
			if err != nil {
				t.Fatalf("%s does not adapt: %v", path, err)
			}
			for _, w := range warnings {
				t.Errorf("%s: warning: line %d: %s", path, w.Line, w.Message)
			}
			checkRecipeConfig(t, path, string(data), out)
			block, ok := shown[name]
			if !ok {
				t.Fatalf("README's Providers section does not show %s (a line naming `%s`, then a ```caddyfile block)", path, filepath.ToSlash(path))
			}
			if block != string(data) {
				t.Errorf("README shows for %s:\n%s\nthe file holds:\n%s", path, block, data)
			}
		})
	}
	for name := range shown {
		if !slices.Contains(providerRecipes, name) {
			t.Errorf("README shows a recipe for examples/providers/%s/Caddyfile, which is not a recipe here", name)
		}
	}
}

// envPlaceholder is a {env.NAME} in a recipe.
var envPlaceholder = regexp.MustCompile(`\{env\.([A-Z0-9_]+)\}`)

// checkRecipeConfig runs the checks Provision runs on the recipe's oidc_auth
// handler, with every {env.NAME} it uses set to a plausible value: the
// recipe is a config that can work once its secrets are filled in.
func checkRecipeConfig(t *testing.T, path, caddyfile string, adapted []byte) {
	t.Helper()
	for _, m := range envPlaceholder.FindAllStringSubmatch(caddyfile, -1) {
		t.Setenv(m[1], "Example-"+strings.ToLower(strings.ReplaceAll(m[1], "_", "-"))+"-value")
	}
	var handlers []json.RawMessage
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["handler"] == "oidc_auth" {
				raw, _ := json.Marshal(v)
				handlers = append(handlers, raw)
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	var cfg any
	if err := json.Unmarshal(adapted, &cfg); err != nil {
		t.Fatal(err)
	}
	walk(cfg)
	if len(handlers) != 1 {
		t.Fatalf("%s adapts to %d oidc_auth handlers, want 1", path, len(handlers))
	}
	var m OIDCAuth
	if err := json.Unmarshal(handlers[0], &m); err != nil {
		t.Fatalf("%s: the adapted oidc_auth handler: %v", path, err)
	}
	m.expandEnv()
	if err := m.check(keySource{}); err != nil {
		t.Errorf("%s is refused once its secrets are set: %v", path, err)
	}
}

// providersSection is README's "## Providers" section, up to the next "## ".
func providersSection(t *testing.T, readme string) string {
	t.Helper()
	_, rest, ok := strings.Cut(readme, "\n## Providers\n")
	if !ok {
		t.Fatal("README has no \"## Providers\" section")
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

var (
	recipeFile  = regexp.MustCompile("`examples/providers/([a-z0-9-]+)/Caddyfile`")
	caddyfileIn = regexp.MustCompile("(?s)```caddyfile\n(.*?\n)```\n")
)

// readmeRecipes maps each recipe name to the first ```caddyfile block after
// the first mention of its file, and fails on a ```caddyfile block that no
// mention claims.
func readmeRecipes(t *testing.T, section string) map[string]string {
	t.Helper()
	blocks := caddyfileIn.FindAllStringSubmatchIndex(section, -1)
	claimed := make([]bool, len(blocks))
	out := map[string]string{}
	for _, m := range recipeFile.FindAllStringSubmatchIndex(section, -1) {
		name := section[m[2]:m[3]]
		if _, seen := out[name]; seen {
			continue
		}
		for i, b := range blocks {
			if b[0] > m[1] {
				if claimed[i] {
					t.Errorf("README: the mention of %s is followed by a block that an earlier recipe claims", name)
				}
				claimed[i] = true
				out[name] = section[b[2]:b[3]]
				break
			}
		}
	}
	for i, c := range claimed {
		if !c {
			t.Errorf("README's Providers section has a ```caddyfile block no recipe file names:\n%s", section[blocks[i][2]:blocks[i][3]])
		}
	}
	return out
}
