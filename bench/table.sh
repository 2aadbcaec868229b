# shellcheck shell=bash
# The summary table of bench/run.sh (sourced by it): one row per peer, the
# medians over the rounds of $OUT/results.txt, and the RSS noted along the
# way in $OUT/rss.txt. Printed as markdown and written to $OUT/table.md.

note_rss() { echo "$1 $2" >>"$OUT/rss.txt"; } # LABEL MB

# print_table USERS O2P-PRESENT CS-PRESENT
print_table() {
	touch "$OUT/rss.txt"
	awk -v users="$1" -v o2p="$2" -v cs="$3" '
	function median(x, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
		return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
	}
	FNR == NR { rss[$1] = $2; next }
	{ n[$1]++; rps[$1, n[$1]] = $2; cpu[$1, n[$1]] = $6 + ($1 ~ /forward_auth$/ ? $7 : 0) }
	# cells LABEL BASE: "req/s | ratio | CPU | RSS" for one mode, medians over rounds.
	function cells(l, base,   i, k, r, q, c) {
		k = n[l]
		if (!k) return "— | — | — | " (l in rss ? rss[l] : "—")
		for (i = 1; i <= k; i++) { r[i] = rps[l, i]; c[i] = cpu[l, i]; if (n[base] >= i) q[i] = rps[l, i] / rps[base, i] }
		return sprintf("%.0f | %.3f× | %.1f | %s", median(r, k), median(q, k < n[base] ? k : n[base]), median(c, k), l in rss ? rss[l] : "—")
	}
	function row(name, l) { printf "| %s | %s | %s |\n", name, cells(l, "plain"), cells("many-" l, "many-plain") }
	function pair_row(name, l) { if (n["pair-" l] || n["many-pair-" l]) printf "| %s | %s | %s |\n", name, cells("pair-" l, "pair-plain"), cells("many-pair-" l, "many-pair-plain") }
	END {
		printf "| | one user req/s | ratio | CPU µs/req | RSS MB | %d users req/s | ratio | CPU µs/req | RSS MB |\n", users
		print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
		row("plain", "plain")
		row("oidc_auth", "oidc_auth")
		pair_row("plain, side by side with oidc_auth", "plain")
		pair_row("oidc_auth, side by side with plain", "oidc_auth")
		if (o2p) row("oauth2-proxy (forward_auth)", "forward_auth")
		if (cs) row("caddy-security", "caddy-security")
		else print "| caddy-security (not built) | — | — | — | — | — | — | — | — |"
	}' "$OUT/rss.txt" "$OUT/results.txt" >"$OUT/table.md"
	cat >>"$OUT/table.md" <<'EOF'

Medians over the rounds; ratio is req/s over the plain run of the same round.
Side by side: plain and oidc_auth loaded at the same moment, each by its own
wrk with half the connections, so that both see the same machine, and each
served by a Caddy process of its own (two processes with the same sites,
which swap roles every round); CPU µs/req is then each process's own.
CPU µs/req is the serving Caddy process's user+system time per request
(for oauth2-proxy: Caddy's forward_auth plus oauth2-proxy's own). RSS: plain
is the shared Caddy at idle before the mode, oidc_auth that same process
(plain and oidc_auth sites) after it; oauth2-proxy is its own process;
caddy-security its own Caddy process after the mode.
EOF
	cat "$OUT/table.md"
}
