package pages

import (
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// README's table of the fields a template gets names exactly the fields
// there are, so that a field added or renamed cannot leave it wrong.
func TestReadmeNamesEveryTemplateField(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n**What each template gets**")
	if !ok {
		t.Fatal("README has no \"What each template gets\" table")
	}
	section, _, _ = strings.Cut(section, "\n\n**")
	var documented []string
	for _, line := range strings.Split(section, "\n") {
		if cell, _, ok := strings.Cut(strings.TrimPrefix(line, "| "), " |"); ok {
			for _, m := range regexp.MustCompile("`\\.([A-Za-z]+)`").FindAllStringSubmatch(cell, -1) {
				documented = append(documented, m[1])
			}
		}
	}
	var fields []string
	for _, f := range reflect.VisibleFields(reflect.TypeFor[view]()) {
		if f.IsExported() && !f.Anonymous {
			fields = append(fields, f.Name)
		}
	}
	slices.Sort(documented)
	slices.Sort(fields)
	if !slices.Equal(documented, fields) {
		t.Errorf("README documents %v, the templates get %v", documented, fields)
	}
}

// One custom page, as a request renders it.
func BenchmarkCustomErrorPage(b *testing.B) {
	dir := b.TempDir()
	os.WriteFile(dir+"/error.html", []byte(`<!doctype html><title>{{.Title}} · {{.Site}}</title><h1>{{.Title}}</h1><p>{{.Message}}</p>{{with .Link}}<a href="{{.Href}}">{{.Label}}</a>{{end}}`), 0o644)
	set, err := Load(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	p := Page{Title: "Sign-in was not completed", Message: "The sign-in provider answered: access_denied", Link: &Link{Href: "/auth/login?return_to=%2F", Label: "Try again"}, Status: 403}
	r := httptest.NewRequest(http.MethodGet, "https://site.example/oauth2callback", nil)
	for b.Loop() {
		if _, err := render(set.custom[Error], viewOf(r, p)); err != nil {
			b.Fatal(err)
		}
	}
}
