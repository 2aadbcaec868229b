# shellcheck shell=bash
# The caddy-security peer for bench/run.sh (sourced by it, not run alone):
# the same 1 KiB page behind caddy-security's `authorize` directive, which
# verifies a JWT signed with a shared key, in a Caddy process of its own on
# its own port, so that its CPU per request and its RSS are its own.
#
# The binary is built with xcaddy from the Go module proxy into
# build/caddy-security (kept across runs), for the Caddy version in
# xcaddy.json, or for the one caddy-security asks for when ours does not
# build. CADDY_SECURITY=path runs another build; CADDY_SECURITY_VERSION picks
# the module version. When nothing can be built, the run says why and goes on
# without this peer (CS stays empty).
#
# Uses run.sh's WORK, OUT, PIDS, wait_http, expect, run and rss.

CS_VERSION=${CADDY_SECURITY_VERSION:-v1.1.64}
CS="" CS_PID="" CS_URL="" CS_COOKIE=""

# cs_linked BINARY MODULE: the version of MODULE linked into BINARY.
cs_linked() { go version -m "$1" 2>/dev/null | awk -v m="$2" '$1 == "dep" && $2 == m {print $3}'; }

CS_OURS=$(python3 -c 'import json; print(json.load(open("xcaddy.json"))["caddy_version"])')

# cs_build: sets CS to a caddy-security binary, building it when needed.
# build/caddy-security.not-with names the Caddy version it failed to build
# with, so that a fallback build is kept rather than retried every run.
cs_build() {
	local bin=build/caddy-security log="$OUT/caddy-security-build.log" ours=$CS_OURS need gomod
	if [ -n "${CADDY_SECURITY:-}" ]; then
		CS=$CADDY_SECURITY
		return 0
	fi
	if [ -x "$bin" ] && [ "$(cs_linked "$bin" github.com/greenpau/caddy-security)" = "$CS_VERSION" ] &&
		{ [ "$(cs_linked "$bin" github.com/caddyserver/caddy/v2)" = "$ours" ] || [ "$(cat "$bin.not-with" 2>/dev/null)" = "$ours" ]; }; then
		CS=$bin
		return 0
	fi
	command -v xcaddy >/dev/null || go install github.com/caddyserver/xcaddy/cmd/xcaddy@v0.4.5 >"$log" 2>&1 || {
		echo "caddy-security: no xcaddy ($(tail -1 "$log")): no caddy-security comparison"
		return 0
	}
	echo "caddy-security: building $CS_VERSION with Caddy $ours (xcaddy, Go module proxy) into $bin"
	mkdir -p build
	if cs_xcaddy "$ours" "$bin" >"$log" 2>&1; then
		CS=$bin
		rm -f "$bin.not-with"
		return 0
	fi
	# It may need another Caddy than ours: the one its go.mod names.
	# (outside this module, which must not gain it in go.sum)
	gomod=$(cd "$WORK" && GOPROXY="$(go env GOPROXY | cut -d, -f1)" go mod download -json "github.com/greenpau/caddy-security@$CS_VERSION" 2>>"$log" |
		python3 -c 'import json, sys; print(json.load(sys.stdin).get("GoMod", ""))' 2>>"$log") || true
	need=""
	[ ! -f "$gomod" ] || need=$(awk '$1 == "github.com/caddyserver/caddy/v2" {print $2; exit}' "$gomod")
	if [ -n "$need" ] && [ "$need" != "$ours" ]; then
		echo "caddy-security: $CS_VERSION does not build with Caddy $ours ($(grep -vE '\[(INFO|FATAL)\]' "$log" | tail -1)); trying Caddy $need, the version its go.mod names"
		if cs_xcaddy "$need" "$bin" >>"$log" 2>&1; then
			CS=$bin
			echo "$ours" >"$bin.not-with"
			return 0
		fi
	fi
	echo "caddy-security: could not build it, no caddy-security comparison; the build said:"
	grep -v '\[INFO\]' "$log" | tail -3 | sed 's/^/  /'
	echo "  (all of it in $log)"
	return 0
}

cs_xcaddy() { # CADDY_VERSION OUTPUT
	GOPROXY="$(go env GOPROXY | cut -d, -f1)" xcaddy build "$1" \
		--with "github.com/greenpau/caddy-security@$CS_VERSION" --output "$2"
}

# cs_start: starts the caddy-security site and checks it admits the minted
# JWT and nothing else. Sets CS_PID, CS_URL, CS_COOKIE.
cs_start() {
	cs_build
	[ -n "$CS" ] || return 0
	local caddy
	caddy=$(cs_linked "$CS" github.com/caddyserver/caddy/v2)
	echo "caddy-security: $(cs_linked "$CS" github.com/greenpau/caddy-security) (go-authcrunch $(cs_linked "$CS" github.com/greenpau/go-authcrunch)) on Caddy $caddy$([ "$caddy" = "$CS_OURS" ] || echo ", not on ours ($CS_OURS)")"
	local port
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# HS512 with a 64-byte shared key, the portal's default algorithm for one.
	CS_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	go build -o "$WORK/jwtmint" ./bench/jwtmint
	cat >"$WORK/caddy-security.Caddyfile" <<EOF
{
	admin off
	auto_https off
	persist_config off
	servers {
		protocols h1
	}
	security {
		authorization policy bench {
			crypto key verify $CS_KEY
			allow roles authp/user
		}
	}
}
http://127.0.0.1:$port {
	bind 127.0.0.1
	root * $WORK/www
	route {
		authorize with bench
		file_server
	}
}
EOF
	"$CS" run --config "$WORK/caddy-security.Caddyfile" --adapter caddyfile >"$WORK/caddy-security.log" 2>&1 &
	CS_PID=$!
	PIDS+=("$CS_PID")
	CS_URL=http://127.0.0.1:$port/page.html
	wait_http "$CS_URL"
	CS_COOKIE=$("$WORK/jwtmint" -key "$CS_KEY" -n 1)
	local forged
	forged=$("$WORK/jwtmint" -key "not-$CS_KEY" -n 1)
	expect 200 "$CS_URL" -H "Cookie: $CS_COOKIE"
	expect 302 "$CS_URL" # to its sign-in page, /auth
	expect 302 "$CS_URL" -H "Cookie: $forged"
	echo "Cookie header: caddy-security ${#CS_COOKIE} bytes (an HS512 JWT in access_token)"
}

# cs_run LABEL SECONDS WRK-ARGS...: run.sh's run, measuring caddy-security's
# process instead of the main Caddy (the assignment lasts for that call only).
cs_run() { [ -z "$CS" ] || CADDY_PID=$CS_PID run "$@"; }
cs_rss() { CADDY_PID=$CS_PID rss; }

cs_warmup() { cs_run warmup-cs 2 -H "Cookie: $CS_COOKIE" "$CS_URL" >/dev/null; }
cs_single_round() { cs_run caddy-security "$DUR" -H "Cookie: $CS_COOKIE" "$CS_URL"; }

cs_single_done() {
	[ -n "$CS" ] || return 0
	summary plain caddy-security
	echo "caddy-security RSS: $(cs_rss) MB"
	note_rss caddy-security "$(cs_rss)"
}

# The many mode: USERS distinct users' JWTs, cycling through bench/many.lua
# as oidc_auth's sessions do.
cs_many_setup() {
	[ -n "$CS" ] || return 0
	"$WORK/jwtmint" -key "$CS_KEY" -n "$USERS" >"$WORK/jwts.txt"
	expect 200 "$CS_URL" -H "Cookie: $(sed -n "$((USERS / 2 + 1))p" "$WORK/jwts.txt")"
	CS_IDLE=$(cs_rss)
	echo "caddy-security RSS before: $CS_IDLE MB"
}
cs_many_round() { cs_run many-caddy-security "$DUR" -s bench/many.lua "$CS_URL" -- "$WORK/jwts.txt"; }

# cs_many_done: keeps caddy-security busy until it too has served TOTAL
# requests (at most MAX_EXTRA s more), so that it has seen every user, then
# compares its RSS with before.
cs_many_done() {
	[ -n "$CS" ] || return 0
	summary many-plain many-caddy-security
	local deadline=$((SECONDS + MAX_EXTRA))
	cs_served() { awk '$1 == "many-caddy-security" || $1 == "many-cs-extra" {n += $5} END {print n + 0}' "$OUT/results.txt"; }
	while [ "$(cs_served)" -lt "$TOTAL" ] && [ $SECONDS -lt $deadline ]; do
		cs_run many-cs-extra "$DUR" -s bench/many.lua "$CS_URL" -- "$WORK/jwts.txt"
	done
	local after
	after=$(cs_rss)
	echo "caddy-security requests with distinct users' JWTs: $(cs_served)"
	note_rss many-caddy-security "$after"
	sleep 5
	echo "caddy-security RSS: before this mode $CS_IDLE MB, right after $after MB, 5 s later $(cs_rss) MB"
}
