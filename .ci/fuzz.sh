#!/usr/bin/env bash
# Runs every Go fuzz target of the repository's modules (the root one and
# e2e/) for the given time each (default 20s):
#   bash .ci/fuzz.sh 10m    # longer, to hunt for bugs
# A crasher is saved under the package's testdata/fuzz and fails the run.
# New inputs are minimized for at most 5 s (the default 60 s stalls the
# short CI runs on the large split-cookie seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-20s}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# fuzz_one PKG TARGET: fuzz one target. Go's fuzzing coordinator can end a
# run with a bare "context deadline exceeded" when -fuzztime expires while a
# worker is still busy (a race in the toolchain on loaded machines, with no
# input to blame): then the target's corpus is replayed, and only a failure
# there, or a failing input written, fails the run.
fuzz_one() {
	if go test -run '^$' -fuzz "^${2}\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s "$1" </dev/null 2>&1 | tee "$log"; then
		return 0
	fi
	if grep -q 'context deadline exceeded' "$log" && ! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' "$log"; then
		echo "fuzz $1 $2: the fuzzing engine's deadline race, no failing input; replaying the corpus"
		go test -count=1 -run "^${2}\$" "$1" </dev/null
		return
	fi
	return 1
}
for mod in . e2e; do
	(
		cd "$mod"
		go list -f '{{.ImportPath}} {{.Dir}}' ./... | while read -r pkg dir; do
			for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
				echo "fuzz $pkg $target for $fuzztime"
				fuzz_one "$pkg" "$target"
			done
		done
	)
done
