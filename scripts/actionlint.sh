#!/usr/bin/env bash
# Lints .github/workflows with actionlint, built from its Go module into the cache on first use.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/common.sh"

ACTIONLINT_VERSION=v1.7.12
bin="$TCP_PLATFORM_CACHE/bin/actionlint"
if [ ! -x "$bin" ] || [ "$("$bin" -version 2>/dev/null | head -1)" != "$ACTIONLINT_VERSION" ]; then
  log "building actionlint $ACTIONLINT_VERSION"
  GOBIN="$TCP_PLATFORM_CACHE/bin" CGO_ENABLED=0 go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
cd "$ROOT"
"$bin" -no-color "$@"
