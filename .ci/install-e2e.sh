#!/usr/bin/env bash
# Installs what the browser tests in e2e/ need on a fresh Debian machine:
#   - Debian's Chromium (driven headless by chromedp) and its driver;
#   - the Dex OpenID provider, built from the version pinned in tools/dex;
#   - panva's oidc-provider, the second real provider, from the npm lock file
#     in e2e/oidcprovider (npm ci; node and npm must be on PATH).
# Safe to run again: each step is skipped when its result is already there.
# Run as root (apt-get). Environment:
#   DEX_BIN   where to put dex (default: $(go env GOPATH)/bin/dex, where the tests look).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
started=$SECONDS

say() { printf 'install-e2e: %s\n' "$*"; }

install_chromium() {
	local t0=$SECONDS
	if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
		say "chromium: already installed ($(dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo '?')), skipped"
		return
	fi
	if [[ $(id -u) -ne 0 ]]; then
		say "chromium: missing, and installing it needs root (apt-get); rerun as root" >&2
		exit 1
	fi
	say "chromium: apt-get update"
	apt-get update -qq
	say "chromium: apt-get install chromium chromium-driver"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		chromium chromium-driver >/dev/null
	say "chromium: installed $(dpkg-query -W -f='${Version}' chromium) in $((SECONDS - t0))s"
}

# mod_version prints the version of module $2 recorded in the build info of
# binary $1 ("mod" when the program's main package is in it, else "dep").
# Prints nothing for a file that is not a Go program.
mod_version() {
	{ go version -m "$1" 2>/dev/null || true; } | awk -v m="$2" '($1 == "mod" || $1 == "dep") && $2 == m { print $3 }'
}

# go_version prints the Go release that built binary $1, or nothing.
go_version() {
	{ go version "$1" 2>/dev/null || true; } | awk '{ print $2 }'
}

install_dex() {
	local t0=$SECONDS
	if ! command -v go >/dev/null; then
		say "dex: the go command is not on PATH; install Go first" >&2
		exit 1
	fi
	local bin="${DEX_BIN:-$(go env GOPATH)/bin/dex}"
	local want have want_go have_go
	want="$(cd "$repo/tools/dex" && go list -m -f '{{.Version}}' github.com/dexidp/dex)"
	want_go="$(go env GOVERSION)"
	if [[ -x $bin ]]; then
		have="$(mod_version "$bin" github.com/dexidp/dex)"
		have_go="$(go_version "$bin")"
		if [[ $have == "$want" && $have_go == "$want_go" ]]; then
			say "dex: $bin is up to date (dex $want, $want_go), skipped"
			return
		fi
		say "dex: $bin has dex '${have:-unknown}' built by '${have_go:-unknown}'; rebuilding"
	fi
	mkdir -p "$(dirname "$bin")"
	say "dex: building dex $want into $bin (cgo; a cold build takes 1-2 minutes)"
	# Dex's storage drivers need cgo (sqlite3); gcc must be present.
	(cd "$repo/tools/dex" && CGO_ENABLED=1 go build -trimpath -ldflags "-X main.version=$want" \
		-o "$bin" github.com/dexidp/dex/cmd/dex)
	say "dex: built $("$bin" version 2>/dev/null | head -n 1 || echo "$bin") in $((SECONDS - t0))s"
}

install_oidc_provider() {
	local t0=$SECONDS dir="$repo/e2e/oidcprovider"
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		say "oidc-provider: node and npm must be on PATH; install Node.js first" >&2
		exit 1
	fi
	# npm ci wipes and refills node_modules; skip it when the installed tree
	# came from this very lock file (its hash is kept beside it).
	local want stamp="$dir/node_modules/.oidcauth-lock-sha256"
	want="$(sha256sum "$dir/package-lock.json" | awk '{ print $1 }')"
	if [[ -f $stamp && $(cat "$stamp") == "$want" && -f $dir/node_modules/oidc-provider/package.json ]]; then
		say "oidc-provider: $dir/node_modules matches package-lock.json, skipped"
		return
	fi
	say "oidc-provider: npm ci in $dir (node $(node --version))"
	(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	printf '%s\n' "$want" >"$stamp"
	say "oidc-provider: installed $(node -p 'require("'"$dir"'/node_modules/oidc-provider/package.json").version') in $((SECONDS - t0))s"
}

install_chromium
install_dex
install_oidc_provider
say "done in $((SECONDS - started))s"
