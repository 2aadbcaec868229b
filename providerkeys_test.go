package oidcauth

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

// jsonKeys maps the JSON name of each field of a struct type to its type.
func jsonKeys(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			out[name] = t.Field(i).Type
		}
	}
	return out
}

// A field added to ProviderConfig without a line in providerKeys would be
// JSON only: not in the Caddyfile, secrets.toml or the merge of the two.
func TestProviderKeysListEveryProviderField(t *testing.T) {
	fields := jsonKeys(reflect.TypeOf(ProviderConfig{}))
	top := jsonKeys(reflect.TypeOf(OIDCAuth{}))
	listed := map[string]bool{}
	for _, k := range providerKeys {
		if listed[k.name] {
			t.Errorf("%s is listed twice in providerKeys", k.name)
		}
		listed[k.name] = true
		typ, ok := fields[k.name]
		if !ok {
			t.Errorf("providerKeys lists %s, which ProviderConfig has no field for", k.name)
			continue
		}
		if isTable := k.of(&ProviderConfig{}).table != nil; isTable != (typ.Kind() == reflect.Map) {
			t.Errorf("%s: listed as table=%v, but the field is a %s", k.name, isTable, typ)
		}
		if top[k.name] != typ {
			t.Errorf("%s: the default provider's field (directly in the directive) is %v, want %v", k.name, top[k.name], typ)
		}

		// Each accessor reaches the field of that name, not a neighbour.
		var p ProviderConfig
		var m OIDCAuth
		setSample(k.of(&p))
		setSample(k.top(&m))
		for what, v := range map[string]any{"ProviderConfig": p, "OIDCAuth": m} {
			got := jsonObject(t, v)
			if len(got) != 1 || got[k.name] == nil {
				t.Errorf("%s in providerKeys reaches %v of %s", k.name, got, what)
			}
		}
	}
	for name := range fields {
		if !listed[name] {
			t.Errorf("ProviderConfig.%s is not in providerKeys (config.go): add it there", name)
		}
	}
}

func setSample(s slot) {
	if s.text != nil {
		*s.text = "https://sample.example/v"
	} else {
		*s.table = map[string]string{"a": "b"}
	}
}

func jsonObject(t *testing.T, v any) map[string]any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every provider key is read from a Caddyfile provider block, from the
// directive itself (default provider), from [auth.NAME] and from [auth],
// and reaches that provider's config.
func TestEveryProviderKeyWorksInEveryForm(t *testing.T) {
	for _, k := range providerKeys {
		isTable := k.of(&ProviderConfig{}).table != nil
		cfLine, tomlLine := k.name+" https://v.example/cb", k.name+` = "https://v.example/cb"`
		want := any("https://v.example/cb")
		if isTable {
			cfLine, tomlLine = k.name+" {\n\t\t\thd example.com\n\t\t}", k.name+` = { hd = "example.com" }`
			want = map[string]any{"hd": "example.com"}
		}
		// Another key that makes the provider exist, unless it is k itself.
		other := "client_id"
		if k.name == other {
			other = "client_secret"
		}
		for _, form := range []struct {
			name, provider string
			load           func() (*OIDCAuth, error)
		}{
			{"a Caddyfile provider block", "g", func() (*OIDCAuth, error) {
				return fromCaddyfile("oidc_auth {\n\tprovider g {\n\t\t" + other + " x\n\t\t" + cfLine + "\n\t}\n}")
			}},
			{"the Caddyfile directive", DefaultProviderName, func() (*OIDCAuth, error) {
				return fromCaddyfile("oidc_auth {\n\t" + other + " x\n\t" + cfLine + "\n}")
			}},
			{"[auth.g]", "g", func() (*OIDCAuth, error) {
				return fromSecrets("[auth.g]\n" + other + " = \"x\"\n" + tomlLine + "\n")
			}},
			{"[auth]", DefaultProviderName, func() (*OIDCAuth, error) {
				return fromSecrets("[auth]\n" + other + " = \"x\"\n" + tomlLine + "\n")
			}},
		} {
			m, err := form.load()
			if err != nil {
				t.Errorf("%s in %s: %v", k.name, form.name, err)
				continue
			}
			p := m.providerConfigs()[form.provider]
			if p == nil {
				t.Errorf("%s in %s: no provider %s", k.name, form.name, form.provider)
				continue
			}
			if got := jsonObject(t, p)[k.name]; !reflect.DeepEqual(got, want) {
				t.Errorf("%s in %s: provider %s has %v, want %v", k.name, form.name, form.provider, got, want)
			}
		}
	}
}

func fromCaddyfile(input string) (*OIDCAuth, error) {
	var m OIDCAuth
	err := m.UnmarshalCaddyfile(caddyfile.NewTestDispenser(input))
	return &m, err
}

func fromSecrets(toml string) (*OIDCAuth, error) {
	f, err := parseSecrets("secrets.toml", []byte(toml))
	if err != nil {
		return nil, err
	}
	if len(f.Ignored) > 0 {
		return nil, fmt.Errorf("ignored %v", f.Ignored)
	}
	var m OIDCAuth
	m.mergeSecrets(f)
	return &m, nil
}
