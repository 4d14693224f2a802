#!/usr/bin/env bash
# Builds the real Prometheus server and promtool from Go modules, for the end-to-end tier's
# monitoring (tests/e2e/monitoring.test.ts: the server scrapes the local Traefik and evaluates the
# stack's alert rules; alertRules.test.ts: promtool checks and unit-tests them).
#
#   scripts/prometheus.sh [build]   build $TCP_PLATFORM_CACHE/bin/{prometheus,promtool} unless current (idempotent)
#   scripts/prometheus.sh path      print the server's path; exit 1 when it or promtool is missing or stale
#
# What it is built from lives in scripts/go/prometheus/ (our go.mod/go.sum requiring
# github.com/prometheus/prometheus, no source of ours). The module has no web UI assets (upstream
# builds them with npm and embeds them with its builtinassets tag): the server is built without
# them, so its API, scraping, TSDB, PromQL and rule evaluation are upstream's, and its UI pages are
# not served. Cold, the two builds take about 6.5 minutes on 2 cores; warm, the stamps' check.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/common.sh"

WRAPPER="$ROOT/scripts/go/prometheus"
MODULE=github.com/prometheus/prometheus

# Upstream's release ldflags (.promu.yml): module v0.3XX.Y is Prometheus v3.XX.Y, its VERSION file.
# Only when a build is due: the module's files may have to be downloaded first.
release_ldflags() {
  local dir pkg=github.com/prometheus/common/version
  dir=$(modver "$WRAPPER" "$MODULE" '{{.Dir}}')
  [ -n "$dir" ] || (cd "$WRAPPER" && go_ mod download "$MODULE")
  RELEASE=$(cat "$(modver "$WRAPPER" "$MODULE" '{{.Dir}}')/VERSION")
  # shellcheck disable=SC2034 # go_build's
  ldflags="-X $pkg.Version=$RELEASE -X $pkg.Revision=$VERSION -X $pkg.Branch=module"
}

reports_release() {
  local out
  out=$("$1" --version 2>&1 || true)
  grep -q "version $RELEASE " <<<"$out" || die "$1 does not report version $RELEASE"
}

# build [--path]: the server, then promtool (most of its packages are the server's, compiled already).
build() {
  command -v go >/dev/null || die "go not found on PATH"
  VERSION=$(modver "$WRAPPER" "$MODULE")
  for cmd in prometheus promtool; do
    go_build "$cmd" "$WRAPPER" "$MODULE/cmd/$cmd" --version "$VERSION" --prepare release_ldflags --check reports_release "$@" >/dev/null
  done
  [ "${1:-}" != --path ] || echo "$BIN/prometheus"
}

case "${1:-build}" in
  build) build ;;
  path) build --path ;;
  *) usage 6,7 ;;
esac
