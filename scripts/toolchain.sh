#!/usr/bin/env bash
# Builds the Pulumi pieces this project runs with, from Go modules, because its machines can reach
# the Go module proxy but cannot download the Pulumi CLI or its plugins.
#
#   scripts/toolchain.sh [build]   build what is missing into $TCP_PLATFORM_CACHE/bin (idempotent)
#   scripts/toolchain.sh env       print `export` lines for an offline Pulumi: eval "$(scripts/toolchain.sh env)"
#   scripts/toolchain.sh versions  print the versions of the CLI, its language host and the provider plugin
#   scripts/toolchain.sh helm      build Helm (the adoption tests' tool, not the main job's) and print its path
#
# Each binary has a wrapper module under scripts/go/<name>/ (our go.mod/go.sum, no third-party
# source) that pins what it is built from. Go ignores replace directives of dependencies and
# `go install mod@version` refuses modules that have any, so the wrappers restate them.
#
#   pulumi                      github.com/pulumi/pulumi/pkg/v3 v3.259.0, ./cmd/pulumi
#   pulumi-language-nodejs      scripts/go/pulumi-language-nodejs: a small STAND-IN host of ours,
#                               because the proxy serves no version of the upstream host module
#                               (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3).
#                               A real host next to a matching `pulumi` on PATH is preferred.
#   pulumi-resource-kubernetes  github.com/pulumi/pulumi-kubernetes/provider/v4 at the commit
#                               pinned in its wrapper, the only one the proxy serves (4.24 line;
#                               see scripts/go/pulumi-resource-kubernetes/go.mod). Installed as a
#                               plugin (`pulumi plugin install --file`) into the offline PULUMI_HOME,
#                               and never put on PATH: the engine warns about every provider it
#                               takes from PATH.
#
# Nothing is built that is already there: a `pulumi` of the right version on PATH (a normal
# install, with the language host next to it), a normal install's kubernetes plugin of the version
# @pulumi/kubernetes wants (linked into the cache), or a build in $TCP_PLATFORM_CACHE/bin whose
# stamp (bin/.<name>.stamp: version + key of its wrapper) still matches. Go's module and build
# caches (~/go/pkg/mod, ~/.cache/go-build) make a rebuild after a small change quick.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/common.sh"

# Fixed by package.json (@pulumi/pulumi 3.259.0, @pulumi/kubernetes 4.24.1).
PULUMI_VERSION=3.259.0
# What the Node.js stand-in reports as its version: the SDK release it is built against, marked.
NODEJS_HOST_VERSION="$PULUMI_VERSION-tcp-platform-standin"
# What @pulumi/kubernetes 4.24.1 asks the engine for.
K8S_WANTED=4.24.1
# The oldest Go that the pinned modules' go.mod files accept (pkg/v3 3.259.0 says go 1.25.11).
GO_MIN=1.25.11

# What `env` puts on PATH: links to the CLI and its language host, and nothing else of $BIN (a
# provider found on PATH is used with a warning on every run, and other tools have no place there).
CLI_BIN="$TCP_PLATFORM_CACHE/pulumi-cli/bin"
BUILD="$TCP_PLATFORM_CACHE/build"
WRAPPERS="$ROOT/scripts/go"
PULUMI_HOME_DIR="$TCP_PLATFORM_CACHE/pulumi-home"
USER_PULUMI_HOME="$HOME/.pulumi"

K8S_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
K8S_CMD=$K8S_MODULE/cmd/pulumi-resource-kubernetes

require_go() {
  local v
  v=$(go env GOVERSION | sed 's/^go//')
  if [ "$(printf '%s\n%s\n' "$GO_MIN" "$v" | sort -V | head -1)" != "$GO_MIN" ]; then
    die "go $v is older than $GO_MIN, which the pinned Pulumi modules need"
  fi
}

# Version that the provider wrapper pins: a tag (v4.24.1) or a pseudo-version, without the "v".
k8s_version() {
  sed -n "s#^[[:space:]]*$K8S_MODULE \(v[^ ]*\).*#\1#p" "$WRAPPERS/pulumi-resource-kubernetes/go.mod" |
    head -1 | sed 's/^v//'
}

# A command of that name on PATH, ignoring our own directories.
on_path() {
  local name=$1 dir
  local IFS=:
  for dir in $PATH; do
    [ -n "$dir" ] && [ "$dir" != "$BIN" ] && [ "$dir" != "$CLI_BIN" ] && [ -x "$dir/$name" ] && { echo "$dir/$name"; return 0; }
  done
  return 1
}

# tool_build NAME VERSION PACKAGE [OPTION VALUE]...: go_build from the wrapper scripts/go/NAME.
# These stamps have always read "<version> <sources>" (no Go version, no recipe).
tool_build() {
  local name=$1 version=$2 pkg=$3
  shift 3
  go_build "$name" "$WRAPPERS/$name" "$pkg" --version "$version" --key "$version" --prepare require_go "$@"
}

build_pulumi() {
  tool_build pulumi "$PULUMI_VERSION" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    --ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
}

build_nodejs_host() {
  tool_build pulumi-language-nodejs "$NODEJS_HOST_VERSION" . --ldflags "-X main.version=$NODEJS_HOST_VERSION"
}

# The provider's main package embeds schema-embed.json and terraform-mapping-embed.json, which
# upstream generates (`go generate` -> cmd/pulumi-resource-kubernetes/generate.go, VERSION=...)
# and does not ship in the module. The module cache is read-only and `go build -overlay` refuses
# files in it, so: copy the module out, generate there, and build from a staged copy of the
# wrapper pointed at the copy with a directory replace (the work tree's wrapper stays as it is).
# Kept under $BUILD when the build fails, to look at.
stage_k8s_provider() {
  local stage="$BUILD/pulumi-resource-kubernetes" src
  require_go
  rm -rf "$stage"
  mkdir -p "$stage"
  cp -r "$WRAPPERS/pulumi-resource-kubernetes" "$stage/wrapper"
  src=$(cd "$stage/wrapper" && go_ mod download -json "$K8S_MODULE@v$K8S_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$src" ] || die "could not download $K8S_MODULE@v$K8S_VERSION"
  cp -r "$src" "$stage/src"
  chmod -R u+w "$stage/src"
  (cd "$stage/wrapper" && go_ build -trimpath -o "$stage/generate" "$src/cmd/pulumi-resource-kubernetes/generate.go")
  (cd "$stage/src/cmd/pulumi-resource-kubernetes" && VERSION=$K8S_VERSION "$stage/generate")
  (cd "$stage/wrapper" && go mod edit -replace "$K8S_MODULE=../src")
  # shellcheck disable=SC2034 # go_build's: build in the staged copy
  dir="$stage/wrapper"
}

build_k8s_provider() {
  K8S_VERSION=$(k8s_version)
  tool_build pulumi-resource-kubernetes "$K8S_VERSION" "$K8S_CMD" --prepare stage_k8s_provider \
    --ldflags "-X $K8S_MODULE/pkg/version.Version=$K8S_VERSION"
  rm -rf "${BUILD:?}/pulumi-resource-kubernetes"
}

# The CLI and its language host, as `env` puts them on PATH: links to what $BIN holds (nothing,
# when a normal install on PATH is used instead).
link_cli() {
  local name
  mkdir -p "$CLI_BIN"
  for name in pulumi pulumi-language-nodejs; do
    if [ -x "$BIN/$name" ]; then
      ln -sfn "$BIN/$name" "$CLI_BIN/$name"
    else
      rm -f "$CLI_BIN/$name"
    fi
  done
}

# The provider as an installed plugin of the offline PULUMI_HOME, under the version that
# @pulumi/kubernetes asks the engine for ($K8S_WANTED). The engine takes an installed plugin only
# when its version equals the one asked for (SelectCompatiblePlugin in Pulumi's workspace
# package): installed under its own pseudo-version it is never found ("no resource plugin
# 'pulumi-resource-kubernetes' found in the workspace at version v4.24.1"), and the SDK's request
# cannot change without every stack's state naming another provider. The binary keeps reporting
# its own version, so the engine still says, once per run, that it is not the 4.24.1 release
# (README, Toolchain). Reinstalled when the binary's stamp changes.
install_k8s_plugin() {
  local key installed pulumi_cmd
  key=$(stamp_read pulumi-resource-kubernetes)
  installed="$PULUMI_HOME_DIR/plugins/resource-kubernetes-v$K8S_WANTED/pulumi-resource-kubernetes"
  if [ -x "$installed" ] && [ "$(stamp_read kubernetes-plugin)" = "$key" ]; then
    log "pulumi-resource-kubernetes: installed as plugin kubernetes $K8S_WANTED in $PULUMI_HOME_DIR"
    return 0
  fi
  pulumi_cmd=$(command -v "$CLI_BIN/pulumi" || on_path pulumi) || { log "no pulumi to install the provider plugin with"; return 1; }
  mkdir -p "$PULUMI_HOME_DIR"
  PULUMI_HOME="$PULUMI_HOME_DIR" PULUMI_SKIP_UPDATE_CHECK=true "$pulumi_cmd" plugin install resource kubernetes "$K8S_WANTED" \
    --file "$BIN/pulumi-resource-kubernetes" --reinstall >&2
  stamp_write kubernetes-plugin "$key"
  log "pulumi-resource-kubernetes ($(cut -d' ' -f1 <<<"$key")): installed as plugin kubernetes $K8S_WANTED in $PULUMI_HOME_DIR"
}

# Helm, as the seed's users ran it (Argo CD renders charts with `helm template`): the version the
# provider embeds, pinned by scripts/go/helm.
HELM_VERSION=3.18.6
build_helm() {
  tool_build helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm --ldflags "-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
}

cmd_build() {
  local path t0
  t0=$(now_ms)
  # The CLI and, from the same install, its Node.js host.
  if path=$(on_path pulumi) && [ "$("$path" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; then
    log "pulumi v$PULUMI_VERSION: found on PATH at $path, not building"
    # `env` puts links to $BIN's CLI first on PATH: an older build of ours would shadow this install.
    rm -f "$BIN/pulumi"
    if [ -x "$(dirname "$path")/pulumi-language-nodejs" ]; then
      log "pulumi-language-nodejs: found next to it, not building"
      rm -f "$BIN/pulumi-language-nodejs"
    else
      build_nodejs_host
    fi
  else
    build_pulumi
    build_nodejs_host
  fi

  # The provider: a normal install keeps it as a plugin of the exact version @pulumi/kubernetes
  # asks for; link that rather than build the version that the wrapper can pin.
  path="$USER_PULUMI_HOME/plugins/resource-kubernetes-v$K8S_WANTED/pulumi-resource-kubernetes"
  if [ -x "$path" ]; then
    if ! stamp_current pulumi-resource-kubernetes "$K8S_WANTED linked"; then
      ln -sfn "$path" "$BIN/pulumi-resource-kubernetes"
      stamp_write pulumi-resource-kubernetes "$K8S_WANTED linked"
    fi
    log "pulumi-resource-kubernetes $K8S_WANTED: linked from $path, not building"
  else
    build_k8s_provider
  fi
  link_cli
  install_k8s_plugin
  log "toolchain ready in $(secs_since "$t0")s; use: eval \"\$(scripts/toolchain.sh env)\""
}

# Offline runtime: our CLI and language host first on PATH, no update check, no plugin downloads
# (the engine uses the provider plugin installed by `build`), and a PULUMI_HOME of our own so
# ~/.pulumi stays untouched. PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE are left to the caller.
cmd_env() {
  mkdir -p "$PULUMI_HOME_DIR"
  # shellcheck disable=SC2016 # $PATH is for the caller's shell to expand
  printf 'export PATH=%q:"$PATH"\n' "$CLI_BIN"
  printf 'export PULUMI_HOME=%q\n' "$PULUMI_HOME_DIR"
  printf 'export PULUMI_SKIP_UPDATE_CHECK=true\n'
  printf 'export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true\n'
  # The CLI writes a debug log of every run to $PULUMI_HOME/logs (12 MB per no-op up of 50 apps with
  # the chart's CRDs) and keeps 500 MB by default; this home is cached across CI runs.
  printf 'export PULUMI_LOG_ROTATION_MAX_TOTAL_MB=%q\n' "${PULUMI_LOG_ROTATION_MAX_TOTAL_MB:-100}"
}

cmd_versions() {
  local p
  export PATH="$CLI_BIN:$PATH"
  if p=$(command -v pulumi); then
    printf 'pulumi                      %s  (%s)\n' "$(pulumi version)" "$p"
  else
    printf 'pulumi                      missing: run scripts/toolchain.sh build\n'
  fi
  if p=$(command -v pulumi-language-nodejs); then
    if [ "$p" = "$CLI_BIN/pulumi-language-nodejs" ]; then
      printf 'pulumi-language-nodejs      %s  (%s)\n' "$("$p" --version)" "$p"
    else
      printf 'pulumi-language-nodejs      from the same install as pulumi  (%s)\n' "$p"
    fi
  else
    printf 'pulumi-language-nodejs      missing: run scripts/toolchain.sh build\n'
  fi
  p="$PULUMI_HOME_DIR/plugins/resource-kubernetes-v$K8S_WANTED/pulumi-resource-kubernetes"
  if [ -x "$p" ]; then
    # The provider has no --version flag; its version is what this script built or linked.
    printf 'pulumi-resource-kubernetes  %s, installed as plugin kubernetes %s  (%s)\n' \
      "$(stamp_read kubernetes-plugin | cut -d' ' -f1)" "$K8S_WANTED" "$p"
  else
    printf 'pulumi-resource-kubernetes  not installed: run scripts/toolchain.sh build\n'
  fi
  if command -v go >/dev/null; then
    printf 'go                          %s\n' "$(go env GOVERSION)"
  fi
}

main() {
  case "${1:-build}" in
    build) cmd_build ;;
    env) cmd_env ;;
    versions) cmd_versions ;;
    helm)
      build_helm >&2
      echo "$BIN/helm"
      ;;
    *)
      echo "usage: $0 [build|env|versions|helm]" >&2
      exit 2
      ;;
  esac
}

main "$@"
