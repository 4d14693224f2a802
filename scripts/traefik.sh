#!/usr/bin/env bash
# Builds the real Traefik proxy from Go modules, for the end-to-end tests (tests/e2e), which run it
# as a local process against the local control plane. No release download, no Docker.
#
#   scripts/traefik.sh [build]   build $TCP_PLATFORM_CACHE/bin/traefik unless it is current (idempotent)
#   scripts/traefik.sh path      print the binary's path; exit 1 when it is missing or stale
#
# What it is built from lives in scripts/go/traefik/ (our go.mod/go.sum, which restate upstream's
# replace and exclude directives, and a stand-in for one unpublished nested module; see go.mod).
# The version is the appVersion of the chart the tests install (traefik-41.3.0.tgz: v3.7.11).
# $BIN/.traefik.stamp records the version, Go version, recipe and wrapper contents it was built
# from; any change of those rebuilds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/common.sh"

BIN="$TCP_PLATFORM_CACHE/bin"
WRAPPER="$ROOT/scripts/go/traefik"
MODULE=github.com/traefik/traefik/v3
# Bump when the build command below changes, so an existing binary gets rebuilt.
BUILD_RECIPE=1

die() { log "ERROR: $*"; exit 1; }

# modinfo FORMAT: a field of the Traefik module as the wrapper selects it (read-only: go.sum must
# already be complete, the work tree is never rewritten).
modinfo() { (cd "$WRAPPER" && GOFLAGS="-mod=readonly -buildvcs=false" go list -m -f "$1" "$MODULE"); }

# Stamp of what the binary must have been built from.
wanted_stamp() {
  local files key
  mapfile -t files < <(cd "$WRAPPER" && find . -type f \( -name 'go.*' -o -name '*.go' \) | LC_ALL=C sort)
  key=$(cd "$WRAPPER" && key_of "${files[@]}")
  printf '%s %s recipe=%s %s\n' "$(modinfo '{{.Version}}')" "$(go env GOVERSION)" "$BUILD_RECIPE" "$key"
}

current() { stamp_current traefik "$(wanted_stamp)"; }

cmd_build() {
  command -v go >/dev/null || die "go not found on PATH (Traefik v3.7 needs Go >= 1.26)"
  # One build at a time; a second caller waits, then finds the binary current.
  exec 9>"$BIN/.traefik.lock"
  flock 9
  local stamp version dir codename date t0
  stamp=$(wanted_stamp)
  version=$(modinfo '{{.Version}}')
  if current; then
    log "traefik $version: up to date ($BIN/traefik)"
    return 0
  fi
  dir=$(modinfo '{{.Dir}}')
  [ -n "$dir" ] || (cd "$WRAPPER" && GOFLAGS=-mod=readonly go mod download "$MODULE")
  dir=$(modinfo '{{.Dir}}')
  # The ldflags of upstream's release build (.goreleaser.yml.tmpl): version without the "v", the
  # codename from its release workflow, and a build date (the module's, so rebuilds are identical).
  codename=$(sed -n 's/^[[:space:]]*CODENAME:[[:space:]]*\([a-z]*\).*/\1/p' "$dir/.github/workflows/release.yaml" 2>/dev/null | head -1)
  date=$(modinfo '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}')
  local pkg=github.com/traefik/traefik/v3/pkg/version
  log "traefik $version: building $MODULE/cmd/traefik with $(go env GOVERSION) ($(nproc) cores) ..."
  t0=$(date +%s)
  # CGO off and -trimpath, as upstream releases it: a static binary, no C compiler needed.
  (cd "$WRAPPER" && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X $pkg.Version=${version#v} -X $pkg.Codename=${codename:-cheddar} -X $pkg.BuildDate=$date" \
    -o "$BIN/.traefik.tmp" "$MODULE/cmd/traefik")
  "$BIN/.traefik.tmp" version | grep -q "^Version:[[:space:]]*${version#v}$" ||
    die "the built binary does not report version ${version#v}"
  mv -f "$BIN/.traefik.tmp" "$BIN/traefik"
  stamp_write traefik "$stamp"
  log "traefik $version: built in $(($(date +%s) - t0))s, $(du -m "$BIN/traefik" | cut -f1) MB ($BIN/traefik)"
}

cmd_path() {
  current || die "$BIN/traefik is missing or stale: run scripts/traefik.sh build"
  echo "$BIN/traefik"
}

case "${1:-build}" in
  build) cmd_build ;;
  path) cmd_path ;;
  *)
    sed -n '5,6s/^# \{0,1\}//p' "$0" >&2
    exit 2
    ;;
esac
