//go:build tools

// Package tools pins the Dex OpenID provider that the browser tests in e2e/
// sign in against; .ci/install-e2e.sh builds its cmd/dex from here. It is a
// module of its own so that Dex's many dependencies never enter the oidc_auth
// module's go.mod.
//
// github.com/dexidp/dex and github.com/dexidp/dex/api/v2 are pinned at the same
// commit (43956db7fd75, Dex's v2.41.1 release): Dex's own go.mod points api/v2
// at its subdirectory with a replace line, which does not apply to a module
// that requires Dex, so an api/v2 from another commit may not compile with it.
// Move both together, e.g.
//
//	go get github.com/dexidp/dex@v0.0.0-TIME-HASH github.com/dexidp/dex/api/v2@vX.Y.Z-0.TIME-HASH
//
// then `go mod tidy` here (and only here).
package tools

import (
	_ "github.com/dexidp/dex/cmd/dex"
)
