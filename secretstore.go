package oidcauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"
)

// cookieSecretKey is where a generated cookie_secret is kept in Caddy's
// storage. Every Caddy on that storage uses it, so sessions survive
// restarts and reloads and work on each of them.
const cookieSecretKey = "oidc_auth/cookie_secret"

// cookieSecretLock keeps two Caddys that start at once from each storing
// a secret of their own.
const cookieSecretLock = "oidc_auth_cookie_secret"

// storedCookieSecret returns the cookie_secret kept in storage, generating
// and storing one first if there is none. generated says which happened.
func storedCookieSecret(ctx context.Context, storage certmagic.Storage) (secret string, generated bool, err error) {
	if storage == nil {
		return "", false, errors.New("no storage to keep a generated one in")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := storage.Lock(ctx, cookieSecretLock); err != nil {
		return "", false, fmt.Errorf("locking %s: %w", cookieSecretKey, err)
	}
	defer func() { _ = storage.Unlock(context.WithoutCancel(ctx), cookieSecretLock) }()

	data, err := storage.Load(ctx, cookieSecretKey)
	switch {
	case err == nil:
		secret = strings.TrimSpace(string(data))
		if len(secret) < 16 {
			return "", false, fmt.Errorf("%s in %s holds %d characters, too few for a cookie secret: delete it to have a new one generated (everyone signs in again)", cookieSecretKey, storageName(storage), len(secret))
		}
		return secret, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, fmt.Errorf("reading %s: %w", cookieSecretKey, err)
	}
	// 256 random bits, as `openssl rand -base64 32` would give.
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = base64.RawURLEncoding.EncodeToString(b)
	if err := storage.Store(ctx, cookieSecretKey, []byte(secret+"\n")); err != nil {
		return "", false, fmt.Errorf("storing %s: %w", cookieSecretKey, err)
	}
	return secret, true, nil
}

// useStoredCookieSecret fills in cookie_secret from Caddy's storage when
// the config gives none, and says so in the log (never the value).
func (m *OIDCAuth) useStoredCookieSecret(ctx caddy.Context, storage certmagic.Storage) error {
	secret, generated, err := storedCookieSecret(ctx, storage)
	if err != nil {
		return fmt.Errorf("cookie_secret is not set and cannot be kept in Caddy's storage (%w); set cookie_secret to a long random string, for example the output of `openssl rand -base64 32`", err)
	}
	m.CookieSecret = secret
	stored := storageName(storage)
	if generated {
		m.logger.Info("generated cookie_secret and stored it", zap.String("storage", stored), zap.String("key", cookieSecretKey))
	} else {
		m.logger.Info("using the cookie_secret stored in "+stored, zap.String("key", cookieSecretKey))
	}
	return nil
}

// caddyStorage is the storage Caddy configured (the `storage` global
// option; by default a folder in Caddy's data directory), or nil for a
// context that was not made by a running config, as in some unit tests.
func caddyStorage(ctx caddy.Context) (s certmagic.Storage) {
	defer func() {
		if recover() != nil {
			s = nil // caddy.Context.Storage dereferences a config such contexts lack
		}
	}()
	return ctx.Storage()
}

// storageName names a storage for the log: its own String (the file
// storage gives its folder), else its type, never its fields (a remote
// storage's may hold a password).
func storageName(s certmagic.Storage) string {
	if str, ok := s.(fmt.Stringer); ok {
		return str.String()
	}
	return fmt.Sprintf("%T", s)
}
