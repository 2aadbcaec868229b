# The signin mode of bench/run.sh, which sources it (not run on its own):
# SIGNINS sign-ins of distinct users through the protected site and the
# development provider, SIGNIN_CONC at a time, and Caddy's memory at each
# SIGNIN_STEP of them.

admin() { curl -s "http://127.0.0.1:$P_ADMIN$1"; }
heap_mb() { # Go heap in use and allocated (live objects), from expvar's memstats
	admin /debug/vars | python3 -c '
import json, sys
m = json.load(sys.stdin)["memstats"]
print("heap in use %.1f MB, alloc %.1f MB" % (m["HeapInuse"] / 2**20, m["HeapAlloc"] / 2**20))'
}
goroutines() { admin "/debug/pprof/goroutine?debug=1" | awk 'NR == 1 {print $4}'; }
provider_conns() { # Caddy's connections to the provider, open now
	ss -Htnp state established "( dport = :$P_IDP )" | grep -c "pid=$CADDY_PID," || true
}
memory() { echo "caddy RSS $(rss) MB, $(heap_mb), $(goroutines) goroutines, $(provider_conns) connections to the provider"; }
per_signin() { # ticks0 ticks1 signins: CPU µs per sign-in
	awk -v a="$1" -v b="$2" -v n="$3" -v hz="$TICK" 'BEGIN { printf "%.0f", (b - a) / hz * 1e6 / n }'
}

echo "== signin: $SIGNINS sign-ins of distinct users, $SIGNIN_CONC in flight, through the development provider"
echo "before: $(memory)"
C0=$(cpu_ticks "$CADDY_PID")
I0=$(cpu_ticks "$IDP")
START=$(date +%s.%N)
# mint writes "signins N seconds S rate R" as each step is reached; Caddy is
# sampled right then, while the sign-ins go on.
if ! "$WORK/mint" -signin "http://127.0.0.1:$P_PROT/auth/login?return_to=/page.html" -user user \
	-signins "$SIGNINS" -concurrency "$SIGNIN_CONC" -report "$SIGNIN_STEP" 2>"$WORK/signin.err" |
	while read -r _ n _ secs _ rate; do
		[ "$PROFILE" != 1 ] || admin /debug/pprof/heap >"$OUT/caddy-heap-signin-$n.pprof"
		printf "%6d sign-ins in %7.2f s (%6.1f/s so far): caddy CPU %s µs/sign-in so far, %s\n" \
			"$n" "$secs" "$rate" "$(per_signin "$C0" "$(cpu_ticks "$CADDY_PID")" "$n")" "$(memory)"
	done; then
	cat "$WORK/signin.err" >&2
	exit 1
fi
SECS=$(awk -v a="$START" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
C1=$(cpu_ticks "$CADDY_PID")
I1=$(cpu_ticks "$IDP")
awk -v n="$SIGNINS" -v s="$SECS" -v c="$(per_signin "$C0" "$C1" "$SIGNINS")" -v p="$(per_signin "$I0" "$I1" "$SIGNINS")" \
	'BEGIN { printf "signin: %.0f sign-ins/s; CPU per sign-in: caddy %d µs, provider %d µs\n", n / s, c, p }'
sleep 5
echo "5 s later: $(memory)"
# Two collections: sync.Pools keep their objects through one, and the heap
# profile is that of the collection before last.
admin "/debug/pprof/heap?gc=1" >/dev/null
admin "/debug/pprof/heap?gc=1" >"$OUT/caddy-heap-signin.pprof"
echo "after two forced GCs: $(memory)"
admin /debug/vars | python3 -c '
import json, sys
m = json.load(sys.stdin)["memstats"]
mb = lambda v: "%.1f" % (v / 2**20)
print("  where the RSS is: live heap %s MB; heap freed but not yet returned to the OS %s MB; goroutine stacks %s MB; all the runtime holds %s MB" %
      (mb(m["HeapAlloc"]), mb(m["HeapIdle"] - m["HeapReleased"]), mb(m["StackInuse"]), mb(m["Sys"] - m["HeapReleased"])))'
if [ "$PROFILE" = 1 ]; then
	echo "== heap in use while signing in, at $SIGNIN_STEP sign-ins, by allocation site (top 12, inuse_space)"
	go tool pprof -top -sample_index=inuse_space -nodecount=12 "$CADDY" "$OUT/caddy-heap-signin-$SIGNIN_STEP.pprof" 2>/dev/null | sed -n '5,19p'
	echo "== live heap after the sign-ins, by allocation site (top 15, inuse_space)"
	go tool pprof -top -sample_index=inuse_space -nodecount=15 "$CADDY" "$OUT/caddy-heap-signin.pprof" 2>/dev/null | sed -n '5,22p'
	echo "== goroutines after the sign-ins (top 8)"
	admin "/debug/pprof/goroutine" >"$OUT/caddy-goroutines-signin.pprof"
	go tool pprof -top -nodecount=8 "$CADDY" "$OUT/caddy-goroutines-signin.pprof" 2>/dev/null | sed -n '5,14p'
fi
