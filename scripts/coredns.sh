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
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/common.sh"

is_coredns() {
  local out
  out=$("$1" -version || true)
  grep -q '^CoreDNS-' <<<"$out" || die "the built binary is not CoreDNS"
}

# build [--path]: the stamp has always read "<go version> <sources>", without a recipe.
build() {
  local gover
  gover=$(go_version)
  go_build coredns "$ROOT/scripts/go/coredns" . --key "$gover" --check is_coredns "$@"
}

case "${1:-build}" in
  build) build ;;
  path) build --path ;;
  *) usage 5,6 ;;
esac
