package secrets

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Kind is the shape of a provider key's value.
type Kind int

const (
	Text  Kind = iota // one string, such as client_id
	Table             // a table of single values, such as client_kwargs
)

// Schema is what the caller knows of providers.
type Schema struct {
	// The keys a provider may have, in [auth] and in [auth.NAME].
	ProviderKeys map[string]Kind
	// Refuses a name of an [auth.NAME] table (nil: any name); its error
	// is returned with the file and the table's line in front.
	CheckProviderName func(name string) error
}

// Provider holds the provider keys one table sets.
type Provider struct {
	Text   map[string]string            // keys of Kind Text
	Tables map[string]map[string]string // keys of Kind Table
}

// File is the [auth] table of a Streamlit secrets.toml.
type File struct {
	Path                  string
	RedirectURI           string
	CookieSecret          string
	PostLogoutRedirectURI string
	ExposeTokens          []string
	Default               Provider            // provider keys directly in [auth]
	Providers             map[string]Provider // [auth.NAME] tables
	Ignored               []string            // keys not in the schema, for a warning
	// The line of each table header: "auth" and "auth.NAME".
	Lines map[string]int
}

// Load reads path, a Streamlit secrets.toml. Other tables in the file are
// ignored; errors name the file and, where known, the line.
func Load(path string, schema Schema) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secrets_file: cannot read %s: %w", path, errors.Unwrap(err))
	}
	return Parse(path, data, schema)
}

// Parse reads data as the secrets.toml at path (named in errors).
func Parse(path string, data []byte, schema Schema) (*File, error) {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("secrets_file %s, line %d: invalid TOML: %s", path, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("secrets_file %s: invalid TOML: %v", path, err)
	}
	f := &File{Path: path, Default: newProvider(), Providers: map[string]Provider{}, Lines: tableLines(data)}
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
		_, isProviderKey := schema.ProviderKeys[key]
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
		case isProviderKey:
			err = f.providerKey(f.Default, schema, "auth", key, val)
		default:
			table, isTable := val.(map[string]any)
			if !isTable {
				f.Ignored = append(f.Ignored, "auth."+key)
				continue
			}
			if schema.CheckProviderName != nil {
				if err := schema.CheckProviderName(key); err != nil {
					return nil, fmt.Errorf("secrets_file %s%s: %w", path, f.lineSuffix("auth."+key), err)
				}
			}
			p := newProvider()
			for _, pk := range sortedKeys(table) {
				if _, ok := schema.ProviderKeys[pk]; !ok {
					f.Ignored = append(f.Ignored, "auth."+key+"."+pk)
					continue
				}
				if err := f.providerKey(p, schema, "auth."+key, pk, table[pk]); err != nil {
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

func newProvider() Provider {
	return Provider{Text: map[string]string{}, Tables: map[string]map[string]string{}}
}

// providerKey reads one key of the schema into p.
func (f *File) providerKey(p Provider, schema Schema, table, key string, val any) error {
	var err error
	if schema.ProviderKeys[key] == Table {
		p.Tables[key], err = f.params(table, key, val)
	} else {
		p.Text[key], err = f.str(table, key, val)
	}
	return err
}

// params reads a table of single values, such as client_kwargs.
func (f *File) params(table, key string, val any) (map[string]string, error) {
	kw, ok := val.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("secrets_file %s%s: %s.%s must be a table, such as { prompt = \"login\" }", f.Path, f.lineSuffix(table), table, key)
	}
	out := make(map[string]string, len(kw))
	for k, v := range kw {
		switch v.(type) {
		case map[string]any, []any, []map[string]any:
			return nil, fmt.Errorf("secrets_file %s%s: %s.%s.%s must be a single value", f.Path, f.lineSuffix(table), table, key, k)
		}
		out[k] = fmt.Sprint(v)
	}
	return out, nil
}

func (f *File) str(table, key string, val any) (string, error) {
	s, ok := val.(string)
	if !ok {
		return "", fmt.Errorf("secrets_file %s%s: %s.%s must be a string, not a %s", f.Path, f.lineSuffix(table), table, key, tomlType(val))
	}
	return s, nil
}

func (f *File) strList(table, key string, val any) ([]string, error) {
	switch v := val.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("secrets_file %s%s: %s.%s must list strings", f.Path, f.lineSuffix(table), table, key)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("secrets_file %s%s: %s.%s must be a string or a list of strings", f.Path, f.lineSuffix(table), table, key)
}

func (f *File) lineSuffix(table string) string {
	if n := f.Lines[table]; n > 0 {
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
