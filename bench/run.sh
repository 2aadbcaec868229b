#!/usr/bin/env bash
# Side-by-side load test: the same 1 KiB static page served by one Caddy
# process on two ports, plain and behind oidc_auth (and behind oauth2-proxy
# through forward_auth, when oauth2-proxy is on PATH), and behind
# caddy-security's authorize in a Caddy of its own (bench/caddy-security.sh),
# measured with wrk in interleaved rounds (A B C D B A C D ...: plain and
# oidc_auth swap places every round: an A/A control read 0.922 with plain
# always first), so all see the same machine at about the same time.
# Then plain and oidc_auth are loaded side by side, at the same moment, for
# as many rounds, each served by a Caddy process of its own: a second Caddy
# with the same two sites serves plain in odd rounds and oidc_auth in even
# ones, so that neither process's state favours one site.
# On a shared machine that ratio is the steadier one. -A measures either way
# against itself (an A/A control).
# It ends with one table of all of them (bench/table.sh), also written to
# OUTDIR/table.md.
#
#   bench/run.sh [-m single|many|signin|all] [-d SECONDS] [-r ROUNDS]
#                [-t THREADS] [-c CONNECTIONS] [-u USERS] [-N REQUESTS]
#                [-S SIGNINS] [-C IN_FLIGHT] [-o OUTDIR] [-P] [-A]
#
# single  every request carries one signed-in user's real cookie (from a
#         sign-in through the development provider); the plain port gets the
#         very same request. Then the same with an API client's bearer token
#         instead (an RFC 9068 access token minted by the development
#         provider, "Authorization: Bearer ..."), on both ports.
# many    every request carries the next of USERS (default 100,000) distinct
#         users' sessions (bench/many.lua), on both ports; the protected
#         port is then kept busy until it has served REQUESTS (default
#         1,000,000) of them, and Caddy's RSS is compared with its idle RSS.
# signin  SIGNINS (default 10,000) sign-ins of distinct users through the
#         protected site and the development provider (bench/mint -signins),
#         IN_FLIGHT (default 16) at a time, each stopping at the callback's
#         answer: sign-ins/s, Caddy's and the provider's CPU per sign-in, and
#         every 2,000 sign-ins Caddy's RSS, Go heap and goroutines; then the
#         same 5 s later and after a forced garbage collection.
# -P      also take a CPU profile of Caddy during the first protected run and
#         the plain run before it (PROFILE_SECONDS, default 5; at most the
#         run's SECONDS less 1), and show where they differ,
#         and a heap profile after the many mode (through Caddy's admin API on
#         a loopback port); and a heap and goroutine profile after the
#         signin mode.
# -A      an A/A control: the protected port serves the page without
#         oidc_auth (as control.html, beside the sign-in routes), to the
#         very same requests, and the plain port serves its page through a
#         handle of the same shape, so every "oidc_auth" ratio to plain reads
#         what the method itself adds (1.000 if it added nothing).
# CADDY=path runs that Caddy binary (with oidc_auth) instead of build/caddy.
# caddy-security gets one user's JWT, or USERS users' JWTs, in the same rounds.
#
# Each run prints wrk's req/s, p50 and p99, and the CPU time Caddy (and
# oauth2-proxy) spent per request, read from /proc: on a shared machine
# req/s swing with the neighbours' load, CPU per request much less.
#
# Everything listens on 127.0.0.1; every process started here is stopped on
# exit. On a fresh machine it installs wrk (apt-get) and builds build/caddy
# (.ci/build-caddy.sh) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$(go env GOPATH)/bin"

MODE=all DUR=10 ROUNDS=3 THREADS=2 CONNS=32 USERS=100000 TOTAL=1000000 OUT="" PROFILE=0 CONTROL=0
SIGNINS=10000 SIGNIN_CONC=16 SIGNIN_STEP=2000
MAX_EXTRA=240 # seconds the many mode may add to reach TOTAL protected requests
while getopts "m:d:r:t:c:u:N:S:C:o:PAh" opt; do
	case $opt in
	m) MODE=$OPTARG ;; d) DUR=$OPTARG ;; r) ROUNDS=$OPTARG ;; t) THREADS=$OPTARG ;;
	c) CONNS=$OPTARG ;; u) USERS=$OPTARG ;; N) TOTAL=$OPTARG ;; o) OUT=$OPTARG ;; P) PROFILE=1 ;; A) CONTROL=1 ;;
	S) SIGNINS=$OPTARG ;; C) SIGNIN_CONC=$OPTARG ;;
	*) sed -n '2,/^set /{/^#/p}' "$0"; exit 2 ;;
	esac
done
PROFILE_SECONDS=${PROFILE_SECONDS:-5}
[ "$PROFILE_SECONDS" -lt "$DUR" ] || PROFILE_SECONDS=$((DUR > 1 ? DUR - 1 : 1))
case $MODE in single | many | signin | all) ;; *) echo "-m must be single, many, signin or all" >&2; exit 2 ;; esac
runs() { [ "$MODE" = all ] || [ "$MODE" = "$1" ]; } # runs MODE: whether that mode is on

# --- tools --------------------------------------------------------------
if ! command -v wrk >/dev/null; then
	echo "installing wrk"
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk
fi
# CADDY=path runs another Caddy build (one with oidc_auth) instead.
CADDY=${CADDY:-build/caddy}
[ -x "$CADDY" ] || [ "$CADDY" != build/caddy ] || .ci/build-caddy.sh
WORK=$(mktemp -d /tmp/oidc-bench.XXXXXX)
OUT=${OUT:-$WORK}
mkdir -p "$OUT"
# Medians and the table are of this run alone: an earlier run's results in
# the same OUTDIR are moved aside, not mixed in.
for f in results.txt rss.txt table.md; do
	if [ -e "$OUT/$f" ]; then
		aside="$OUT/$f.$(date -r "$OUT/$f" +%Y%m%d-%H%M%S)"
		mv "$OUT/$f" "$aside"
		echo "an earlier run's $f moved aside to $aside"
	fi
done
go build -o "$WORK/provider" ./bench/provider
go build -o "$WORK/mint" ./bench/mint
source bench/table.sh
source bench/caddy-security.sh

PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	[ "$OUT" = "$WORK" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

read -r P_PLAIN P_PROT P_FA P_O2P P_IDP P_IDP2 P_ADMIN P_APART P_APART_PROT < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(9)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')

wait_http() { # url: until it answers at all, at most 10 s
	for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
	echo "no answer from $1" >&2; return 1
}

# --- the provider, the page, Caddy ---------------------------------------
SECRET="bench-cookie-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$WORK/provider" -addr "127.0.0.1:$P_IDP" -client bench -secret bench-secret -bearer alice >"$WORK/provider.out" 2>"$WORK/provider.log" &
IDP=$!
PIDS+=($IDP)
wait_http "http://127.0.0.1:$P_IDP/ready" # any answer; a 404 is not counted
for _ in $(seq 50); do [ "$(wc -l <"$WORK/provider.out")" -ge 2 ] && break; sleep 0.1; done
METADATA=$(head -1 "$WORK/provider.out")
BEARER=$(sed -n 2p "$WORK/provider.out")

mkdir -p "$WORK/www"
python3 - "$WORK/www/page.html" <<'PY'
import sys
head = "<!doctype html><title>bench</title><p>"
tail = "</p>\n"
open(sys.argv[1], "w").write(head + "x" * (1024 - len(head) - len(tail)) + tail)
PY
cp "$WORK/www/page.html" "$WORK/www/control.html"

O2P=""
if command -v oauth2-proxy >/dev/null; then
	O2P=$(command -v oauth2-proxy)
	# A provider of its own, so that the first one's counts are oidc_auth's.
	"$WORK/provider" -addr "127.0.0.1:$P_IDP2" -client bench -secret bench-secret >"$WORK/provider2.out" 2>/dev/null &
	PIDS+=($!)
	wait_http "http://127.0.0.1:$P_IDP2/ready"
	oauth2-proxy --http-address="127.0.0.1:$P_O2P" --provider=oidc \
		--oidc-issuer-url="$(head -1 "$WORK/provider2.out" | sed 's|/.well-known/openid-configuration$||')" \
		--client-id=bench --client-secret=bench-secret --code-challenge-method=S256 \
		--redirect-url="http://127.0.0.1:$P_FA/oauth2/callback" \
		--cookie-secret="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" --cookie-secure=false \
		--email-domain='*' --upstream=static://202 --reverse-proxy --set-xauthrequest \
		--skip-provider-button --request-logging=false --auth-logging=false \
		>"$WORK/oauth2-proxy.log" 2>&1 &
	O2P_PID=$!
	PIDS+=($O2P_PID)
	wait_http "http://127.0.0.1:$P_O2P/ping"
else
	echo "oauth2-proxy is not on PATH: no forward_auth comparison (go install github.com/oauth2-proxy/oauth2-proxy/v7@v7.15.6 adds it)"
fi

# plain_site PORT: the plain site. Under -A its page takes a handle of its
# own, as the control page does on the protected port, so that the two
# sides of the control differ in nothing but their port and process.
plain_site() {
	cat <<EOF
http://127.0.0.1:$1 {
	bind 127.0.0.1
EOF
	if [ "$CONTROL" = 0 ]; then
		printf '\troot * %s\n\tfile_server\n}\n' "$WORK/www"
		return
	fi
	cat <<EOF
	handle /page.html {
		root * $WORK/www
		file_server
	}
	handle {
		root * $WORK/www
		file_server
	}
}
EOF
}

# protected_site PORT: the site behind oidc_auth, on PORT. Every copy is
# configured as the one on P_PROT (its redirect_uri too, which no copy but
# that one serves), so the same cookies sign in on each.
protected_site() {
	cat <<EOF
http://127.0.0.1:$1 {
	bind 127.0.0.1
EOF
	# -A: the control page is served apart from, and without, oidc_auth.
	[ "$CONTROL" = 0 ] || cat <<EOF
	handle /control.html {
		root * $WORK/www
		file_server
	}
	handle {
EOF
	cat <<EOF
	oidc_auth {
		redirect_uri http://127.0.0.1:$P_PROT/oauth2callback
		cookie_secret $SECRET
		client_id bench
		client_secret bench-secret
		server_metadata_url $METADATA
		bearer
	}
	root * $WORK/www
	file_server
EOF
	[ "$CONTROL" = 0 ] || echo "	}"
	echo "}"
}

{
	cat <<EOF
{
	admin 127.0.0.1:$P_ADMIN
	auto_https off
	persist_config off
	servers {
		protocols h1
	}
}
EOF
	plain_site "$P_PLAIN"
	protected_site "$P_PROT"
	[ -z "$O2P" ] || cat <<EOF
http://127.0.0.1:$P_FA {
	bind 127.0.0.1
	handle /oauth2/* {
		reverse_proxy 127.0.0.1:$P_O2P
	}
	handle {
		forward_auth 127.0.0.1:$P_O2P {
			uri /oauth2/auth
			copy_headers X-Auth-Request-Email
		}
		root * $WORK/www
		file_server
	}
}
EOF
} >"$WORK/Caddyfile"
"$CADDY" run --config "$WORK/Caddyfile" --adapter caddyfile >"$WORK/caddy.log" 2>&1 &
CADDY_PID=$!
PIDS+=($CADDY_PID)
wait_http "http://127.0.0.1:$P_PLAIN/page.html"
# The same two sites in a Caddy process of its own, for the side-by-side
# runs: plain on one process and oidc_auth on the other, and the other way
# round in other rounds.
{
	cat <<EOF
{
	admin off
	auto_https off
	persist_config off
	servers {
		protocols h1
	}
}
EOF
	plain_site "$P_APART"
	protected_site "$P_APART_PROT"
} >"$WORK/Caddyfile.apart"
"$CADDY" run --config "$WORK/Caddyfile.apart" --adapter caddyfile >"$WORK/caddy-apart.log" 2>&1 &
APART_PID=$!
PIDS+=($APART_PID)
PLAIN_APART=http://127.0.0.1:$P_APART/page.html
wait_http "$PLAIN_APART"

PLAIN=http://127.0.0.1:$P_PLAIN/page.html
PROT=http://127.0.0.1:$P_PROT/page.html
PROT_APART=http://127.0.0.1:$P_APART_PROT/page.html
if [ "$CONTROL" = 1 ]; then
	PROT=http://127.0.0.1:$P_PROT/control.html
	PROT_APART=http://127.0.0.1:$P_APART_PROT/control.html
fi
FA=http://127.0.0.1:$P_FA/page.html
COOKIE=$("$WORK/mint" -signin "http://127.0.0.1:$P_PROT/auth/login?return_to=/page.html" -user alice)

expect() { # want url [curl args]: the status code must be want
	local want=$1 url=$2 got
	shift 2
	got=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url")
	[ "$got" = "$want" ] || { echo "GET $url: $got, want $want" >&2; exit 1; }
}
expect 200 "$PROT" -H "Cookie: $COOKIE"
expect 200 "$PROT_APART" -H "Cookie: $COOKIE"
if [ "$CONTROL" = 0 ]; then
	expect 401 "$PROT" -H "Accept: application/json"
	expect 200 "$PROT" -H "Authorization: Bearer $BEARER"
	expect 401 "$PROT" -H "Authorization: Bearer not.a.token"
else
	expect 200 "$PROT" -H "Accept: application/json" # no oidc_auth there
	echo "A/A control (-A): every \"oidc_auth\" row below is $PROT, served without oidc_auth"
fi
expect 200 "$PLAIN" -H "Cookie: $COOKIE"
if [ -n "$O2P" ]; then
	O2P_COOKIE=$("$WORK/mint" -signin "http://127.0.0.1:$P_FA/oauth2/start?rd=/page.html" -user alice)
	expect 200 "$FA" -H "Cookie: $O2P_COOKIE"
	expect 401 "$FA" -H "Accept: application/json"
fi
cs_start
echo "Authorization header: bearer token ${#BEARER} bytes"
echo "Cookie header: oidc_auth ${#COOKIE} bytes$([ -z "$O2P" ] || echo ", oauth2-proxy ${#O2P_COOKIE} bytes")"

# --- measuring -----------------------------------------------------------
rss() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$CADDY_PID/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user+system, in clock ticks
TICK=$(getconf CLK_TCK)
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

# record LABEL OUTFILE TICKS [OTHER-TICKS]: checks one wrk output, prints its
# line and appends "label rps p50ms p99ms requests caddy-cpu-us/req
# other-cpu-us/req" to $OUT/results.txt: TICKS of the serving Caddy's CPU
# (and OTHER-TICKS of oauth2-proxy's) over the run's requests.
record() {
	local label=$1 out=$2 ticks=$3 oticks=${4:-0}
	if grep -q "Non-2xx" "$out" || ! grep -q "Requests/sec" "$out"; then
		echo "wrk $label: failed or got errors:" >&2; cat "$out" >&2; exit 1
	fi
	local rps p50 p99 reqs
	rps=$(awk '/Requests\/sec/ {print $2}' "$out")
	p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
	p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
	reqs=$(awk '/requests in/ {print $1}' "$out")
	local cpu other_cpu other=""
	cpu=$(per_req "$ticks" "$reqs")
	other_cpu=$(per_req "$oticks" "$reqs")
	[ "$oticks" = 0 ] || other=" + oauth2-proxy $other_cpu µs"
	printf "%-20s %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms  %9d requests  caddy %6.1f µs CPU/req%s\n" \
		"$label" "$rps" "$p50" "$p99" "$reqs" "$cpu" "$other"
	echo "$label $rps $p50 $p99 $reqs $cpu $other_cpu" >>"$OUT/results.txt"
}
per_req() { awk -v t="$1" -v n="$2" -v hz="$TICK" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }'; } # TICKS REQUESTS
wrk_out() { echo "$OUT/wrk-$1-$(date +%H%M%S)-$RANDOM.txt"; } # LABEL: a fresh file for wrk's output

# run LABEL SECONDS WRK-ARGS...: one wrk run, on its own.
run() {
	local label=$1 secs=$2 out t0 t1 o0=0 o1=0
	out=$(wrk_out "$label")
	shift 2
	t0=$(cpu_ticks "$CADDY_PID")
	[ -z "$O2P" ] || o0=$(cpu_ticks "$O2P_PID")
	wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --latency "$@" >"$out" 2>&1
	t1=$(cpu_ticks "$CADDY_PID")
	[ -z "$O2P" ] || o1=$(cpu_ticks "$O2P_PID")
	record "$label" "$out" $((t1 - t0)) $((o1 - o0))
}

# summary A B: per-round ratios of B to A (req/s, p99) and their medians.
summary() {
	awk -v a="$1" -v b="$2" '
	function median(x, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
		return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
	}
	$1 == a { ra[++na] = $2; pa[na] = $4; ca[na] = $6 }
	$1 == b { rb[++nb] = $2; pb[nb] = $4; cb[nb] = $6 }
	END {
		for (i = 1; i <= nb && i <= na; i++) { r[i] = rb[i] / ra[i]; p[i] = pb[i] / pa[i]; c[i] = cb[i] - ca[i]
			printf "  round %d: %s/%s req/s %.3f, p99 %.3f, %+.1f µs Caddy CPU per request\n", i, b, a, r[i], p[i], c[i] }
		printf "  median: req/s ratio %.3f, p99 ratio %.3f, %+.1f µs Caddy CPU per request\n", median(r, i - 1), median(p, i - 1), median(c, i - 1)
	}' "$OUT/results.txt"
}

# pair LABEL-A URL-A PID-A LABEL-B URL-B PID-B SECONDS WRK-ARGS...: two
# sites loaded at the same moment, each by a wrk of its own with half the
# connections (and half the threads, at least one), each served by its own
# Caddy process (PID). Sequential runs see the neighbours' load change
# between them; a pair sees the same machine at every instant, and as the
# processes are apart, neither's garbage collector or memory slows the
# other. In WRK-ARGS, @URL stands for each site's URL.
pair() {
	local la=$1 ua=$2 pida=$3 lb=$4 ub=$5 pidb=$6 secs=$7 oa ob a0 a1 b0 b1 pa pb
	shift 7
	local args_a=("${@/#@URL/$ua}") args_b=("${@/#@URL/$ub}")
	oa=$(wrk_out "$la")
	ob=$(wrk_out "$lb")
	local t=$((THREADS > 1 ? THREADS / 2 : 1)) c=$((CONNS > 1 ? CONNS / 2 : 1))
	a0=$(cpu_ticks "$pida")
	b0=$(cpu_ticks "$pidb")
	wrk -t"$t" -c"$c" -d"${secs}s" --latency "${args_a[@]}" >"$oa" 2>&1 &
	pa=$!
	wrk -t"$t" -c"$c" -d"${secs}s" --latency "${args_b[@]}" >"$ob" 2>&1 &
	pb=$!
	wait "$pa" "$pb" || true # record reports a failed run
	a1=$(cpu_ticks "$pida")
	b1=$(cpu_ticks "$pidb")
	record "$la" "$oa" $((a1 - a0))
	record "$lb" "$ob" $((b1 - b0))
}

# pairs_round I LABEL-A URL-A PID-A LABEL-B URL-B PID-B WRK-ARGS...: round I
# of a pair, which wrk starts first alternating from round to round.
pairs_round() {
	local i=$1
	shift
	if [ $((i % 2)) = 1 ]; then
		pair "$1" "$2" "$3" "$4" "$5" "$6" "$DUR" "${@:7}"
	else
		pair "$4" "$5" "$6" "$1" "$2" "$3" "$DUR" "${@:7}"
	fi
}

# crossed_round I LABEL-PLAIN LABEL-PROTECTED WRK-ARGS...: round I of plain
# and oidc_auth side by side, each in its own process: plain in the second
# process and oidc_auth in the first (which served the rounds one after the
# other) in odd rounds, the other way round in even ones, so that neither
# process's state favours one site; which wrk starts first changes every
# two rounds.
crossed_round() {
	local i=$1 lp=$2 lo=$3
	shift 3
	if [ $((i % 2)) = 1 ]; then
		pairs_round $(((i + 1) / 2)) "$lp" "$PLAIN_APART" "$APART_PID" "$lo" "$PROT" "$CADDY_PID" "$@"
	else
		pairs_round $(((i + 1) / 2)) "$lp" "$PLAIN" "$CADDY_PID" "$lo" "$PROT_APART" "$APART_PID" "$@"
	fi
}

in_turn() { # in_turn ROUND FIRST SECOND: the two in this order in odd rounds, the other way in even ones
	if [ $(($1 % 2)) = 1 ]; then "$2"; "$3"; else "$3"; "$2"; fi
}

profile() { # a CPU profile of Caddy while the next run goes on: profile NAME
	[ "$PROFILE" = 1 ] || return 0
	[ -z "${PROFILER:-}" ] || wait "$PROFILER" || true # one profile at a time
	(sleep 1; curl -s -o "$OUT/caddy-cpu-$1.pprof" "http://127.0.0.1:$P_ADMIN/debug/pprof/profile?seconds=$PROFILE_SECONDS") &
	PROFILER=$!
}

profile_summary() { # profile_summary NAME: where the protected requests' CPU went
	[ -z "${PROFILER:-}" ] || wait "$PROFILER" || true
	PROFILER=""
	local f="$OUT/caddy-cpu-$1.pprof"
	[ -s "$f" ] || return 0
	echo "== where Caddy's CPU goes serving the protected page ($1, $PROFILE_SECONDS s profile, top 25 cumulative)"
	go tool pprof -top -cum -nodecount=25 "$CADDY" "$f" 2>/dev/null | sed -n '4,40p'
	echo "== oidc_auth's own part (the page it passes to, file_server, left out)"
	go tool pprof -top -cum -focus=oidcauth -ignore=fileserver -nodecount=40 "$CADDY" "$f" 2>/dev/null |
		grep -E 'oidcauth|Builder|mallocgc$|newstack|gcBgMarkWorker' | head -14
	local base="$OUT/caddy-cpu-$1-plain.pprof"
	[ -s "$base" ] || return 0
	echo "== the protected page's profile less the plain page's of the same round (both scaled to the same total; top 20 by cumulative difference)"
	go tool pprof -top -cum -diff_base="$base" -normalize -nodecount=20 "$CADDY" "$f" 2>/dev/null | sed -n '5,30p'
}

echo "machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$THREADS -c$CONNS, ${DUR}s runs, $ROUNDS rounds"
IDLE0=$(rss)
echo "caddy idle RSS: $IDLE0 MB"

if runs single; then
	echo "== single: one signed-in user's cookie on every request"
	run warmup-plain 2 -H "Cookie: $COOKIE" "$PLAIN" >/dev/null
	run warmup-prot 2 -H "Cookie: $COOKIE" "$PROT" >/dev/null
	[ -z "$O2P" ] || run warmup-fa 2 -H "Cookie: $O2P_COOKIE" "$FA" >/dev/null
	cs_warmup
	single_plain() { [ "$i" != 1 ] || profile single-plain; run plain "$DUR" -H "Cookie: $COOKIE" "$PLAIN"; }
	single_prot() { [ "$i" != 1 ] || profile single; run oidc_auth "$DUR" -H "Cookie: $COOKIE" "$PROT"; }
	for i in $(seq "$ROUNDS"); do
		in_turn "$i" single_plain single_prot
		[ -z "$O2P" ] || run forward_auth "$DUR" -H "Cookie: $O2P_COOKIE" "$FA"
		cs_single_round
	done
	summary plain oidc_auth
	[ -z "$O2P" ] || summary plain forward_auth
	echo "== single, side by side: plain (in a Caddy of its own) and oidc_auth loaded at the same moment"
	for i in $(seq "$ROUNDS"); do
		crossed_round "$i" pair-plain pair-oidc_auth -H "Cookie: $COOKIE" @URL
	done
	summary pair-plain pair-oidc_auth
	echo "caddy RSS: $(rss) MB"
	note_rss plain "$IDLE0"
	note_rss oidc_auth "$(rss)"
	[ -z "$O2P" ] || note_rss forward_auth "$(CADDY_PID=$O2P_PID rss)"
	cs_single_done
	profile_summary single

	echo "== bearer: one API client's bearer token on every request"
	run warmup-bearer 2 -H "Authorization: Bearer $BEARER" "$PROT" >/dev/null
	bearer_plain() { run plain-bearer "$DUR" -H "Authorization: Bearer $BEARER" "$PLAIN"; }
	bearer_prot() { run oidc_auth-bearer "$DUR" -H "Authorization: Bearer $BEARER" "$PROT"; }
	for i in $(seq "$ROUNDS"); do
		in_turn "$i" bearer_plain bearer_prot
	done
	summary plain-bearer oidc_auth-bearer
fi

if runs many; then
	echo "== many: $USERS distinct users' cookies, cycling"
	"$WORK/mint" -from "$COOKIE" -secret "$SECRET" -site "http://127.0.0.1:$P_PROT/oauth2callback" \
		-issuer "${METADATA%/.well-known/openid-configuration}" -client_id bench -n "$USERS" >"$WORK/cookies.txt"
	expect 200 "$PROT" -H "Cookie: $(sed -n "$((USERS / 2 + 1))p" "$WORK/cookies.txt")"
	IDLE=$(rss)
	echo "caddy RSS before: $IDLE MB"
	cs_many_setup
	many_plain() { [ "$i" != 2 ] || profile many-plain; run many-plain "$DUR" -s bench/many.lua "$PLAIN" -- "$WORK/cookies.txt"; }
	many_prot() { [ "$i" != 2 ] || profile many; run many-oidc_auth "$DUR" -s bench/many.lua "$PROT" -- "$WORK/cookies.txt"; }
	for i in $(seq "$ROUNDS"); do
		in_turn "$i" many_plain many_prot
		cs_many_round
	done
	summary many-plain many-oidc_auth
	profile_summary many
	echo "== many, side by side: plain (in a Caddy of its own) and oidc_auth loaded at the same moment"
	for i in $(seq "$ROUNDS"); do
		crossed_round "$i" many-pair-plain many-pair-oidc_auth -s bench/many.lua @URL -- "$WORK/cookies.txt"
	done
	summary many-pair-plain many-pair-oidc_auth
	served() { awk '$1 == "many-oidc_auth" || $1 == "many-pair-oidc_auth" || $1 == "many-extra" {n += $5} END {print n + 0}' "$OUT/results.txt"; }
	deadline=$((SECONDS + MAX_EXTRA))
	while [ "$(served)" -lt "$TOTAL" ] && [ $SECONDS -lt $deadline ]; do
		run many-extra "$DUR" -s bench/many.lua "$PROT" -- "$WORK/cookies.txt"
	done
	echo "protected requests with distinct users' cookies: $(served)"
	AFTER=$(rss)
	sleep 5
	if [ "$PROFILE" = 1 ]; then
		curl -s -o "$OUT/caddy-heap.pprof" "http://127.0.0.1:$P_ADMIN/debug/pprof/heap"
		curl -s "http://127.0.0.1:$P_ADMIN/debug/vars" | python3 -c '
import json, sys
m = json.load(sys.stdin)["memstats"]
print("go memstats (MB): " + ", ".join("%s %.1f" % (k, m[k] / 2**20) for k in ("HeapAlloc", "HeapInuse", "HeapIdle", "HeapReleased", "StackInuse", "Sys")) + ", NumGC %d" % m["NumGC"])'
		echo "== live heap by allocation site (top 12, inuse_space)"
		go tool pprof -top -sample_index=inuse_space -nodecount=12 "$CADDY" "$OUT/caddy-heap.pprof" 2>/dev/null | sed -n '5,20p'
	fi
	delta() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f", a - b}'; }
	echo "caddy RSS: idle at start $IDLE0 MB, before this mode $IDLE MB, right after $AFTER MB ($(delta "$AFTER" "$IDLE0") MB from idle), 5 s later $(rss) MB"
	note_rss many-plain "$IDLE"
	note_rss many-oidc_auth "$AFTER"
	cs_many_done
fi

if runs signin; then
	. bench/signin.sh
fi

kill "$IDP" && wait "$IDP" || true
echo "oidc_auth's $(cat "$WORK/provider.log")"
echo "== all peers ($OUT/table.md)"
print_table "$USERS" "$O2P" "$CS"
echo "raw wrk output and results.txt: $OUT"
