#!/usr/bin/env bash
# Lints .github/workflows with actionlint, built from its wrapper module (scripts/go/actionlint)
# into the cache on first use.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/common.sh"

wrapper="$ROOT/scripts/go/actionlint"
version=$(modver "$wrapper" github.com/rhysd/actionlint)
# Built as a dependency of our wrapper, actionlint cannot read its version from the build info.
go_build actionlint "$wrapper" github.com/rhysd/actionlint/cmd/actionlint --version "$version" \
  --ldflags "-X github.com/rhysd/actionlint.version=$version"
cd "$ROOT"
"$BIN/actionlint" -no-color "$@"
