package devprovider

import (
	"testing"
)

func TestDemoUsers(t *testing.T) {
	users := DemoUsers()
	seen := map[string]bool{}
	for _, u := range users {
		if u.Username == "" || u.Password == "" || u.Claims["email"] == nil || u.Claims["name"] == nil || seen[u.Username] {
			t.Errorf("demo user %+v", u)
		}
		seen[u.Username] = true
	}
	if !seen["alice"] || !seen["bob"] || !seen["carol"] {
		t.Errorf("demo users %v", seen)
	}
	if groups, _ := users[1].Claims["groups"].([]string); len(groups) == 0 {
		t.Error("bob has no groups")
	}
	// each call hands out fresh maps
	users[0].Claims["email"] = "changed"
	if DemoUsers()[0].Claims["email"] == "changed" {
		t.Error("DemoUsers shares its maps")
	}
}

func TestIdentityDefaults(t *testing.T) {
	id := identity(User{Username: "dan", Claims: map[string]any{"email": "d@x.io", "iss": "forged", "nonce": "n"}})
	if id["sub"] != "dan" || id["email_verified"] != true {
		t.Errorf("defaults: %v", id)
	}
	if _, has := id["iss"]; has {
		t.Error("a user claim may set iss")
	}
	if _, has := id["nonce"]; has {
		t.Error("a user claim may set nonce")
	}
	id = identity(User{Username: "dan", Claims: map[string]any{"sub": "u-1", "email": "d@x.io", "email_verified": false}})
	if id["sub"] != "u-1" || id["email_verified"] != false {
		t.Errorf("explicit values lost: %v", id)
	}
}

func TestReleasedClaimsByScope(t *testing.T) {
	id := map[string]any{"sub": "s", "name": "N", "email": "e", "email_verified": true,
		"phone_number": "1", "groups": []string{"g"}, "team": "blue"}
	got := releasedClaims(id, "openid email")
	if got["email"] != "e" || got["email_verified"] != true || got["name"] != nil || got["phone_number"] != nil {
		t.Errorf("openid email: %v", got)
	}
	if got["groups"] == nil || got["team"] != "blue" || got["sub"] != "s" {
		t.Errorf("unscoped claims must always be released: %v", got)
	}
	if got := releasedClaims(id, "openid profile phone"); got["name"] != "N" || got["phone_number"] != "1" || got["email"] != nil {
		t.Errorf("openid profile phone: %v", got)
	}
}

func TestMadeUpUser(t *testing.T) {
	u := madeUpUser("zoe")
	if u.Claims["sub"] != "zoe" || u.Claims["email"] != "zoe@example.com" || u.Claims["name"] != "Zoe" {
		t.Errorf("zoe: %v", u.Claims)
	}
	u = madeUpUser("élodie@corp.example")
	if u.Claims["email"] != "élodie@corp.example" || u.Claims["name"] != "Élodie" {
		t.Errorf("email hint: %v", u.Claims)
	}
}
