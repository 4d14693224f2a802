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
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/common.sh"

WRAPPER="$ROOT/scripts/go/traefik"
MODULE=github.com/traefik/traefik/v3

# The ldflags of upstream's release build (.goreleaser.yml.tmpl): version without the "v", the
# codename from its release workflow, and a build date (the module's, so rebuilds are identical).
# Only when a build is due: the module's files may have to be downloaded first.
release_ldflags() {
  local dir codename date pkg=$MODULE/pkg/version
  dir=$(modver "$WRAPPER" "$MODULE" '{{.Dir}}')
  [ -n "$dir" ] || (cd "$WRAPPER" && go_ mod download "$MODULE")
  dir=$(modver "$WRAPPER" "$MODULE" '{{.Dir}}')
  codename=$(sed -n 's/^[[:space:]]*CODENAME:[[:space:]]*\([a-z]*\).*/\1/p' "$dir/.github/workflows/release.yaml" 2>/dev/null | head -1)
  date=$(modver "$WRAPPER" "$MODULE" '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}')
  # shellcheck disable=SC2034 # go_build's
  ldflags="-X $pkg.Version=${VERSION#v} -X $pkg.Codename=${codename:-cheddar} -X $pkg.BuildDate=$date"
}

# The whole output first: `cmd | grep -q` under pipefail fails when grep's early exit makes cmd
# die of SIGPIPE (22 of 200 checks of a good build under load; it failed a cold .ci/run once).
reports_version() {
  local out
  out=$("$1" version || true)
  grep -q "^Version:[[:space:]]*${VERSION#v}$" <<<"$out" || die "the built binary does not report version ${VERSION#v}"
}

# build [--path]: the stamp has always read "<version> <go version> recipe=<n> <sources>".
build() {
  command -v go >/dev/null || die "go not found on PATH (Traefik v3.7 needs Go >= 1.26)"
  VERSION=$(modver "$WRAPPER" "$MODULE")
  go_build traefik "$WRAPPER" "$MODULE/cmd/traefik" --version "$VERSION" --key "$VERSION $(go_version) recipe=$GO_RECIPE" \
    --prepare release_ldflags --check reports_version "$@"
}

case "${1:-build}" in
  build) build ;;
  path) build --path ;;
  *) usage 5,6 ;;
esac
