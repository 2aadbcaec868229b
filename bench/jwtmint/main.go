package main

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	key := flag.String("key", "", "the policy's shared key (crypto key verify KEY)")
	n := flag.Int("n", 1, "print this many users' tokens")
	lifetime := flag.Duration("lifetime", time.Hour, "how long the tokens are valid")
	cookie := flag.String("cookie", "access_token", "the cookie the tokens are sent in")
	flag.Parse()
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	err := mint(out, []byte(*key), *n, *lifetime, *cookie, time.Now())
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "jwtmint:", err)
		os.Exit(1)
	}
}

type claims struct {
	ID        string   `json:"jti"`
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Name      string   `json:"name"`
	Email     string   `json:"email"`
	Roles     []string `json:"roles"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf"`
	ExpiresAt int64    `json:"exp"`
}

// mint writes n lines "cookie=<JWT>", user i's token signed with key.
func mint(w io.Writer, key []byte, n int, lifetime time.Duration, cookie string, now time.Time) error {
	if len(key) == 0 {
		return errors.New("give -key")
	}
	header := b64(mustJSON(map[string]string{"alg": "HS512", "typ": "JWT"}))
	mac := hmac.New(sha512.New, key)
	for i := range n {
		jti := make([]byte, 16)
		rand.Read(jti)
		c := claims{
			ID:        hex.EncodeToString(jti),
			Issuer:    "https://auth.bench.test/",
			Subject:   fmt.Sprintf("user-%07d", i),
			Name:      fmt.Sprintf("Bench User %07d", i),
			Email:     fmt.Sprintf("user-%07d@bench.test", i),
			Roles:     []string{"authp/user"},
			IssuedAt:  now.Unix(),
			NotBefore: now.Unix(),
			ExpiresAt: now.Add(lifetime).Unix(),
		}
		signing := header + "." + b64(mustJSON(c))
		mac.Reset()
		mac.Write([]byte(signing))
		if _, err := fmt.Fprintf(w, "%s=%s.%s\n", cookie, signing, b64(mac.Sum(nil))); err != nil {
			return err
		}
	}
	return nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only fixed, marshalable types reach here
	}
	return b
}
