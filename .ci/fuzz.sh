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
for mod in . e2e; do
	(
		cd "$mod"
		go list -f '{{.ImportPath}} {{.Dir}}' ./... | while read -r pkg dir; do
			for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
				echo "fuzz $pkg $target for $fuzztime"
				go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s "$pkg" </dev/null
			done
		done
	)
done
