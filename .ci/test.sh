#!/usr/bin/env bash
# README's test command: the tests of both Go modules of the repository, the
# root one (the oidc_auth module and its packages) and e2e/ (the browser
# tests, a module of its own so that chromedp stays out of the graph of
# everyone who builds Caddy with oidc_auth). Flags go to each go test:
#   bash .ci/test.sh -count=1 -run TestBrowser -v
# Both modules are tested even when the first fails; the exit status is
# nonzero when either failed.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
go test "$@" ./... || status=1
(cd e2e && go test "$@" ./...) || status=1
exit "$status"
