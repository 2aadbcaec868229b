package oidcauth

import (
	"go.uber.org/zap"

	"github.com/caddy-oidc-auth/oidcauth/internal/pages"
)

// loadPages reads the pages directory, when set, so that a template that
// does not parse or fails on sample data fails `caddy validate` naming the
// file and line. A custom page that fails at request time is replaced by
// the built-in one and logged.
func (m *OIDCAuth) loadPages() error {
	if m.Pages == "" {
		return nil
	}
	set, err := pages.Load(m.Pages, func(file string, err error) {
		m.logger.Error("custom page failed; showing the built-in page", zap.String("file", file), zap.Error(err))
	})
	if err != nil {
		return err
	}
	m.pages = set
	m.logger.Info("custom pages", zap.String("dir", m.Pages), zap.Any("files", set.Custom()))
	return nil
}
