#!/usr/bin/env bash
# Builds the real Prometheus server and promtool from Go modules, for the end-to-end tests' monitoring
# (tests/e2e/monitoring.test.ts): the server scrapes the local Traefik and evaluates the stack's
# alert rules; promtool checks and unit-tests them.
#
#   scripts/prometheus.sh [build]   build $TCP_PLATFORM_CACHE/bin/{prometheus,promtool} unless current (idempotent)
#   scripts/prometheus.sh path      print the server's path; exit 1 when it or promtool is missing or stale
#
# What it is built from lives in scripts/go/prometheus/ (our go.mod/go.sum requiring
# github.com/prometheus/prometheus, no source of ours). The module has no web UI assets (upstream
# builds them with npm and embeds them with the builtinassets tag): the server is built without
# them, so its API, scraping, TSDB, PromQL and rule evaluation are upstream's, and its UI pages
# are not served. $BIN/.prometheus.stamp and .promtool.stamp record the module version, the Go
# version, the recipe and the wrapper's contents; any change of those rebuilds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/common.sh"

BIN="$TCP_PLATFORM_CACHE/bin"
WRAPPER="$ROOT/scripts/go/prometheus"
MODULE=github.com/prometheus/prometheus
# Bump when the build command below changes, so existing binaries get rebuilt.
BUILD_RECIPE=1

die() { log "ERROR: $*"; exit 1; }

modinfo() { (cd "$WRAPPER" && GOFLAGS="-mod=readonly -buildvcs=false" go list -m -f "$1" "$MODULE"); }

wanted_stamp() {
  printf '%s %s recipe=%s %s\n' "$(modinfo '{{.Version}}')" "$(go env GOVERSION)" "$BUILD_RECIPE" "$(cd "$WRAPPER" && key_of go.mod go.sum tools.go)"
}

current() {
  local stamp
  stamp=$(wanted_stamp)
  stamp_current prometheus "$stamp" && stamp_current promtool "$stamp"
}

cmd_build() {
  command -v go >/dev/null || die "go not found on PATH"
  mkdir -p "$BIN"
  exec 9>"$BIN/.prometheus.lock"
  flock 9
  local stamp version release t0 pkg=github.com/prometheus/common/version
  stamp=$(wanted_stamp)
  version=$(modinfo '{{.Version}}')
  if current; then
    log "prometheus $version: up to date ($BIN/prometheus, $BIN/promtool)"
    return 0
  fi
  # Module v0.3XX.Y is Prometheus v3.XX.Y (the module's VERSION file).
  release=$(cat "$(modinfo '{{.Dir}}')/VERSION" 2>/dev/null || (cd "$WRAPPER" && GOFLAGS=-mod=readonly go mod download "$MODULE" && cat "$(modinfo '{{.Dir}}')/VERSION"))
  log "prometheus $version (Prometheus $release): building the server and promtool with $(go env GOVERSION) ($(nproc) cores) ..."
  t0=$(date +%s)
  mkdir -p "$BIN/.prometheus.tmp"
  # One go build for both: they share most packages. CGO off and -trimpath, as upstream releases them.
  (cd "$WRAPPER" && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 go build -trimpath -tags netgo \
    -ldflags "-s -w -X $pkg.Version=$release -X $pkg.Revision=$version -X $pkg.Branch=module" \
    -o "$BIN/.prometheus.tmp/" "$MODULE/cmd/prometheus" "$MODULE/cmd/promtool")
  "$BIN/.prometheus.tmp/prometheus" --version 2>&1 | grep -q "version $release " || die "the built server does not report version $release"
  "$BIN/.prometheus.tmp/promtool" --version 2>&1 | grep -q "version $release " || die "the built promtool does not report version $release"
  mv -f "$BIN/.prometheus.tmp/prometheus" "$BIN/.prometheus.tmp/promtool" "$BIN/"
  rmdir "$BIN/.prometheus.tmp"
  stamp_write prometheus "$stamp"
  stamp_write promtool "$stamp"
  log "prometheus $version: built in $(($(date +%s) - t0))s ($BIN/prometheus, $BIN/promtool)"
}

cmd_path() {
  current || die "$BIN/prometheus or $BIN/promtool is missing or stale: run scripts/prometheus.sh build"
  echo "$BIN/prometheus"
}

case "${1:-build}" in
  build) cmd_build ;;
  path) cmd_path ;;
  *)
    sed -n '6,7s/^# \{0,1\}//p' "$0" >&2
    exit 2
    ;;
esac
