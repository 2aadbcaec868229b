#!/usr/bin/env bash
# Builds Caddy with this module from xcaddy.json (the one place that pins the
# Caddy version) into build/caddy, then checks that Caddy knows the module and
# that every example Caddyfile adapts.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(go env GOPATH)/bin:$PATH"

if ! command -v xcaddy >/dev/null; then
	go install github.com/caddyserver/xcaddy/cmd/xcaddy@v0.4.5
fi

read -r version args < <(python3 - <<'PY'
import json
b = json.load(open("xcaddy.json"))
args = []
repl = {r["old"]: r["new"] for r in b.get("replacements", [])}
for p in b["plugins"]:
    mod = p["module_path"] + ("@" + p["version"] if p.get("version") else "")
    if p["module_path"] in repl:
        mod = p["module_path"] + "=" + repl[p["module_path"]]
    args += ["--with", mod]
print(b["caddy_version"], " ".join(args))
PY
)

mkdir -p build
# The proxy does not know this unpublished module: let Go fall back to the
# local replacement instead of failing on the proxy's refusal.
GOPROXY="$(go env GOPROXY | cut -d, -f1)|off" xcaddy build "$version" $args --output build/caddy

# grep reads the whole list: with -q it would stop early, and pipefail would
# count the SIGPIPE that caddy then gets as a failure.
build/caddy list-modules | grep -x 'http.handlers.oidc_auth' >/dev/null || {
	echo "build/caddy does not list http.handlers.oidc_auth" >&2
	exit 1
}
echo "build/caddy lists http.handlers.oidc_auth"

caddy="$PWD/build/caddy"
for cf in examples/*/Caddyfile examples/*/*/Caddyfile; do
	(cd "$(dirname "$cf")" && "$caddy" adapt --config Caddyfile >/dev/null)
	echo "caddy adapt ok: $cf"
done
