package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/caddy-oidc-auth/oidcauth/cookie"
)

func main() {
	signin := flag.String("signin", "", "start a sign-in at this URL and print the site's cookies")
	user := flag.String("user", "alice", "with -signin: who signs in (login_hint)")
	from := flag.String("from", "", "a Cookie header holding a real session, the model for -n")
	secret := flag.String("secret", "", "with -n: the site's cookie_secret")
	n := flag.Int("n", 0, "print this many sessions of distinct users")
	site := flag.String("site", "", "with -n: the site's redirect_uri, whose origin the cookies are for")
	issuer := flag.String("issuer", "", "with -n: the default provider's issuer")
	clientID := flag.String("client_id", "", "with -n: the site's client_id")
	many := flag.Int("signins", 0, "with -signin: sign in this many distinct users (-user is their prefix) and report the rate")
	conc := flag.Int("concurrency", 16, "with -signins: sign-ins in flight at a time")
	every := flag.Int("report", 2000, "with -signins: write a progress line after every this many sign-ins")
	flag.Parse()
	var err error
	switch {
	case *signin != "" && *many > 0:
		err = signIns(os.Stdout, *signin, *user, *many, *conc, *every)
	case *signin != "":
		var c string
		if c, err = signIn(*signin, *user); err == nil {
			fmt.Println(c)
		}
	case *n > 0:
		out := bufio.NewWriterSize(os.Stdout, 1<<20)
		var jar *cookie.Jar
		if jar, err = siteJar(*secret, *site, *issuer, *clientID); err != nil {
			break
		}
		if err = mint(out, jar, *from, *n); err == nil {
			err = out.Flush()
		}
	default:
		err = errors.New("give -signin URL, or -from, -secret, -site, -issuer, -client_id and -n")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mint:", err)
		os.Exit(1)
	}
}

// signIn follows the sign-in from start, naming user at the provider's
// /authorize, and returns the Cookie header for start's site afterwards.
func signIn(start, user string) (string, error) {
	site, err := url.Parse(start)
	if err != nil {
		return "", err
	}
	client := browser(http.DefaultTransport, user, false)
	req, _ := http.NewRequest(http.MethodGet, start, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
		return "", fmt.Errorf("sign-in ended on %s with %s", resp.Request.URL, resp.Status)
	}
	var parts []string
	for _, c := range client.Jar.Cookies(&url.URL{Scheme: site.Scheme, Host: site.Host, Path: "/"}) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	if len(parts) == 0 {
		return "", errors.New("signed in, but the site set no cookie")
	}
	return strings.Join(parts, "; "), nil
}

// siteJar is the jar oidc_auth keeps for the site of redirectURI, whose
// default provider has issuer and clientID.
func siteJar(secret, redirectURI, issuer, clientID string) (*cookie.Jar, error) {
	codec, err := cookie.NewCodec(secret)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(redirectURI)
	if err != nil || u.Host == "" || issuer == "" || clientID == "" {
		return nil, errors.New("-site must be the site's redirect_uri, and -issuer and -client_id are needed")
	}
	name := "oidc_auth"
	if p := u.Port(); p != "" {
		name += "-" + p
	}
	if u.Scheme == "https" {
		name = "__Host-" + name
	}
	return cookie.NewJar(cookie.JarConfig{
		Codec:   codec,
		Name:    name,
		Scope:   u.Scheme + "://" + u.Host,
		Clients: map[string]cookie.Client{"default": {Issuer: issuer, ClientID: clientID}},
		Secure:  u.Scheme == "https",
		// As the module keeps it: the ID token apart, for sign-out only.
		SignOutPath: "/auth/logout",
	}), nil
}

// mint writes n Cookie headers, one a line, of sessions modelled on the one
// in model: same claims and tokens, but a distinct sub, email and name each.
func mint(out io.Writer, jar *cookie.Jar, model string, n int) error {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Cookie", model)
	base, err := jar.ReadSession(r, time.Now())
	if err != nil {
		return fmt.Errorf("-from does not hold a session this -secret opens: %w", err)
	}
	claims := maps.Clone(base.ClaimMap())
	for i := range n {
		id := fmt.Sprintf("user%06d", i)
		claims["sub"], claims["email"], claims["name"] = id, id+"@example.com", "User "+id
		s := *base
		s.Subject = id
		if s.Claims, err = cookie.ClaimsFromMap(claims); err != nil {
			return err
		}
		w := httptest.NewRecorder()
		if err := jar.WriteSession(w, nil, &s); err != nil {
			return err
		}
		var parts []string
		for _, c := range w.Result().Cookies() {
			if c.Path == "/" && c.MaxAge >= 0 { // what a page request carries
				parts = append(parts, c.Name+"="+c.Value)
			}
		}
		if _, err := fmt.Fprintln(out, strings.Join(parts, "; ")); err != nil {
			return err
		}
	}
	return nil
}
