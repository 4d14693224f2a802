#!/usr/bin/env bash
# Builds CoreDNS from Go modules for the end-to-end tests' UDP app (dns-demo, image
# coredns/coredns:1.12.1), which run it as a local process with the rendered Deployment's args.
#
#   scripts/coredns.sh [build]   build $TCP_PLATFORM_CACHE/bin/coredns unless it is current (idempotent)
#   scripts/coredns.sh path      print the binary's path; exit 1 when it is missing or stale
#
# What it is built from lives in scripts/go/coredns/ (coremain with the plugins of CoreDNS's default
# configuration). $BIN/.coredns.stamp records the wrapper's contents and the Go version.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/common.sh"

BIN="$TCP_PLATFORM_CACHE/bin"
WRAPPER="$ROOT/scripts/go/coredns"

wanted_stamp() { printf '%s %s\n' "$(go env GOVERSION)" "$(cd "$WRAPPER" && key_of go.mod go.sum main.go)"; }

cmd_build() {
  command -v go >/dev/null || { log "ERROR: go not found on PATH"; exit 1; }
  exec 9>"$BIN/.coredns.lock"
  flock 9
  local stamp t0
  stamp=$(wanted_stamp)
  if stamp_current coredns "$stamp"; then
    log "coredns: up to date ($BIN/coredns)"
    return 0
  fi
  log "coredns: building scripts/go/coredns with $(go env GOVERSION) ..."
  t0=$(date +%s)
  (cd "$WRAPPER" && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN/.coredns.tmp" .)
  "$BIN/.coredns.tmp" -version | grep -q '^CoreDNS-' || { log "ERROR: the built binary is not CoreDNS"; exit 1; }
  mv -f "$BIN/.coredns.tmp" "$BIN/coredns"
  stamp_write coredns "$stamp"
  log "coredns: built in $(($(date +%s) - t0))s ($BIN/coredns)"
}

cmd_path() {
  stamp_current coredns "$(wanted_stamp)" || { log "ERROR: $BIN/coredns is missing or stale: run scripts/coredns.sh build"; exit 1; }
  echo "$BIN/coredns"
}

case "${1:-build}" in
  build) cmd_build ;;
  path) cmd_path ;;
  *)
    sed -n '5,6s/^# \{0,1\}//p' "$0" >&2
    exit 2
    ;;
esac
