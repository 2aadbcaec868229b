package devprovider

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// userinfoCall asks userinfo with a Bearer header and decodes the answer.
func userinfoCall(t *testing.T, p *Provider, access string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.Issuer()+"/userinfo", nil)
	if access != "" {
		req.Header.Set("Authorization", "Bearer "+access)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, resp.Header
}

func accessToken(t *testing.T, p *Provider, scope string) string {
	t.Helper()
	q := get(t, p.Issuer()+"/authorize?"+authParams("login_hint", "bob", "scope", scope).Encode()).query(t)
	_, m := tokenCall(t, p, codeForm(q.Get("code")), true)
	s, _ := m["access_token"].(string)
	if s == "" {
		t.Fatalf("no access token: %v", m)
	}
	return s
}

func TestUserinfoFollowsScope(t *testing.T) {
	p := startProvider(t, nil)
	st, m, _ := userinfoCall(t, p, accessToken(t, p, "openid"))
	if st != 200 || m["sub"] != "bob" || m["email"] != nil || m["name"] != nil {
		t.Errorf("openid only: %d %v", st, m)
	}
	if groups, _ := m["groups"].([]any); len(groups) != 2 {
		t.Errorf("groups are always released: %v", m["groups"])
	}
	st, m, _ = userinfoCall(t, p, accessToken(t, p, "openid email profile"))
	if st != 200 || m["email"] != "bob@example.org" || m["email_verified"] != true || m["name"] != "Bob Builder" {
		t.Errorf("openid email profile: %d %v", st, m)
	}
}

func TestUserinfoRefusesMissingOrUnknownToken(t *testing.T) {
	p := startProvider(t, nil)
	for _, tok := range []string{"", "made-up"} {
		st, m, h := userinfoCall(t, p, tok)
		if st != 401 || m["error"] != "invalid_token" || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("token %q: %d %v", tok, st, m)
		}
	}
}

func TestUserinfoAccessTokenExpires(t *testing.T) {
	p := startProvider(t, nil)
	tok := accessToken(t, p, "openid")
	p.store.mu.Lock()
	p.store.access[tok].expires = time.Now().Add(-time.Second)
	p.store.mu.Unlock()
	if st, _, _ := userinfoCall(t, p, tok); st != 401 {
		t.Errorf("expired access token: %d", st)
	}
}

func TestUserinfoTokenInPostBody(t *testing.T) {
	p := startProvider(t, nil)
	resp, err := http.PostForm(p.Issuer()+"/userinfo", url.Values{"access_token": {accessToken(t, p, "openid")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
}
