#!/usr/bin/env bash
# Builds the rule checker of tests/rules (npm run test:rules): every rule the program renders,
# parsed and matched by Traefik's own TCP and HTTP muxers, at the version scripts/traefik.sh builds.
#
#   scripts/rulecheck.sh [build]   build $TCP_PLATFORM_CACHE/bin/rulecheck unless it is current (idempotent)
#   scripts/rulecheck.sh path      print the binary's path; exit 1 when it is missing or stale
#
# What it is built from lives in scripts/go/rulecheck/ (main.go, and go.mod/go.sum restating
# scripts/go/traefik's). $BIN/.rulecheck.stamp records the wrapper's contents, Go version and recipe.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/common.sh"

# shellcheck disable=SC2016 # the backticks are the rule's quotes, not a command
reads_rules() { echo '{"id":"probe","kind":"tcp","syntax":"v3","rule":"HostSNI(`*`)","probes":[{"want":true}]}' | "$1" | grep -q '"id":"probe","probes":1}' || die "the built checker does not check a rule"; }

build() {
  command -v go >/dev/null || die "go not found on PATH (Traefik v3.7 needs Go >= 1.26)"
  go_build rulecheck "$ROOT/scripts/go/rulecheck" . --version "$(modver "$ROOT/scripts/go/rulecheck" github.com/traefik/traefik/v3)" --check reads_rules "$@"
}

case "${1:-build}" in
  build) build ;;
  path) build --path ;;
  *) usage 5,6 ;;
esac
