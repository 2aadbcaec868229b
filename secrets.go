package oidcauth

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// secretsFile is the [auth] table of a Streamlit secrets.toml.
type secretsFile struct {
	RedirectURI           string
	CookieSecret          string
	PostLogoutRedirectURI string
	ExposeTokens          []string
	Default               ProviderConfig             // keys directly in [auth]
	Providers             map[string]*ProviderConfig // [auth.NAME] tables
	Ignored               []string                   // keys we do not know, for a warning
	src                   where
}

// loadSecretsFile reads path, a Streamlit secrets.toml. Other tables in the
// file are ignored; errors name the file and, where known, the line.
func loadSecretsFile(path string) (*secretsFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secrets_file: cannot read %s: %w", path, errors.Unwrap(err))
	}
	return parseSecrets(path, data)
}

func parseSecrets(path string, data []byte) (*secretsFile, error) {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("secrets_file %s, line %d: invalid TOML: %s", path, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("secrets_file %s: invalid TOML: %v", path, err)
	}
	f := &secretsFile{Providers: map[string]*ProviderConfig{}, src: where{file: path, line: tableLines(data)}}
	authVal, ok := doc["auth"]
	if !ok {
		return nil, fmt.Errorf("secrets_file %s has no [auth] table: add one with redirect_uri, cookie_secret and your provider's client_id, client_secret and server_metadata_url", path)
	}
	auth, ok := authVal.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("secrets_file %s: auth must be a table ([auth]), not a %s", path, tomlType(authVal))
	}
	for _, key := range sortedKeys(auth) {
		val := auth[key]
		var err error
		switch {
		case key == "redirect_uri":
			f.RedirectURI, err = f.str("auth", key, val)
		case key == "cookie_secret":
			f.CookieSecret, err = f.str("auth", key, val)
		case key == "post_logout_redirect_uri":
			f.PostLogoutRedirectURI, err = f.str("auth", key, val)
		case key == "expose_tokens":
			f.ExposeTokens, err = f.strList("auth", key, val)
		case isProviderKey(key):
			err = f.providerKey(&f.Default, "auth", key, val)
		default:
			table, isTable := val.(map[string]any)
			if !isTable {
				f.Ignored = append(f.Ignored, "auth."+key)
				continue
			}
			if err := checkProviderName(key, fmt.Sprintf(" in [auth.%s]", key)); err != nil {
				return nil, fmt.Errorf("secrets_file %s%s: %w", path, lineSuffix(f.src, "auth."+key), err)
			}
			p := &ProviderConfig{}
			for _, pk := range sortedKeys(table) {
				if !isProviderKey(pk) {
					f.Ignored = append(f.Ignored, "auth."+key+"."+pk)
					continue
				}
				if err := f.providerKey(p, "auth."+key, pk, table[pk]); err != nil {
					return nil, err
				}
			}
			f.Providers[key] = p
		}
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

func isProviderKey(key string) bool {
	_, ok := lookupProviderKey(key)
	return ok
}

// providerKey reads one key of providerKeys into p.
func (f *secretsFile) providerKey(p *ProviderConfig, table, key string, val any) error {
	k, _ := lookupProviderKey(key)
	s := k.of(p)
	var err error
	if s.text != nil {
		*s.text, err = f.str(table, key, val)
	} else {
		*s.table, err = f.params(table, key, val)
	}
	return err
}

// params reads a table of single values, such as client_kwargs.
func (f *secretsFile) params(table, key string, val any) (map[string]string, error) {
	kw, ok := val.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("secrets_file %s%s: %s.%s must be a table, such as { prompt = \"login\" }", f.src.file, lineSuffix(f.src, table), table, key)
	}
	out := make(map[string]string, len(kw))
	for k, v := range kw {
		switch v.(type) {
		case map[string]any, []any, []map[string]any:
			return nil, fmt.Errorf("secrets_file %s%s: %s.%s.%s must be a single value", f.src.file, lineSuffix(f.src, table), table, key, k)
		}
		out[k] = fmt.Sprint(v)
	}
	return out, nil
}

func (f *secretsFile) str(table, key string, val any) (string, error) {
	s, ok := val.(string)
	if !ok {
		return "", fmt.Errorf("secrets_file %s%s: %s.%s must be a string, not a %s", f.src.file, lineSuffix(f.src, table), table, key, tomlType(val))
	}
	return s, nil
}

func (f *secretsFile) strList(table, key string, val any) ([]string, error) {
	switch v := val.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("secrets_file %s%s: %s.%s must list strings", f.src.file, lineSuffix(f.src, table), table, key)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("secrets_file %s%s: %s.%s must be a string or a list of strings", f.src.file, lineSuffix(f.src, table), table, key)
}

func lineSuffix(w where, table string) string {
	if n := w.line[table]; n > 0 {
		return fmt.Sprintf(", line %d", n)
	}
	return ""
}

var tableHeader = regexp.MustCompile(`^\s*\[\s*auth\s*(?:\.\s*"?([^"\]\s]+)"?\s*)?\]`)

// tableLines maps "auth" and "auth.NAME" to the line of their table header,
// since the TOML decoder keeps no positions for valid documents.
func tableLines(data []byte) map[string]int {
	out := map[string]int{}
	for i, line := range strings.Split(string(data), "\n") {
		m := tableHeader.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key := "auth"
		if m[1] != "" {
			key += "." + m[1]
		}
		if _, seen := out[key]; !seen {
			out[key] = i + 1
		}
	}
	return out
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int64:
		return "number"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "table"
	case []any, []map[string]any:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
