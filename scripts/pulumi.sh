#!/usr/bin/env bash
# `pulumi` for this project, on any machine:   bash scripts/pulumi.sh up --stack dev --yes
#
# - Node 22 (from the npm registry when the machine's Node is older) and the npm packages;
# - a Pulumi CLI from PATH, or the one scripts/toolchain.sh builds from Go modules;
# - state in a local file backend ($TCP_PLATFORM_CACHE/state) unless you are logged in elsewhere
#   or set PULUMI_BACKEND_URL; the demo stacks' passphrase unless you set your own;
# - when no cluster is configured (no KUBECONFIG, no ~/.kube/config), the embedded local control
#   plane (scripts/cluster.sh), and the Traefik chart from ../shared/charts, since that plane is
#   for machines without internet: the stack file is left as it is and the chart path is given
#   through a copy of it (--config-file).
# The stack named with --stack/-s is created in the backend when it does not exist yet.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/common.sh"
cd "$ROOT"

ensure_node22
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund >/dev/null
fi

# A normal Pulumi install manages its own plugins; otherwise use (and build) the offline toolchain.
installed=$(command -v pulumi || true)
if [ -z "$installed" ] || [ "$installed" = "$TCP_PLATFORM_CACHE/pulumi-cli/bin/pulumi" ] || [ "$installed" = "$TCP_PLATFORM_CACHE/bin/pulumi" ]; then
  bash scripts/toolchain.sh build >&2
  eval "$(bash scripts/toolchain.sh env)"
fi

if [ -z "${PULUMI_BACKEND_URL:-}" ] && ! pulumi whoami >/dev/null 2>&1; then
  mkdir -p "$TCP_PLATFORM_CACHE/state"
  export PULUMI_BACKEND_URL="file://$TCP_PLATFORM_CACHE/state"
  log "state: $PULUMI_BACKEND_URL (set PULUMI_BACKEND_URL or run 'pulumi login' to keep it elsewhere)"
fi
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  # The passphrase of the committed demo stacks; README: replace it before real use.
  export PULUMI_CONFIG_PASSPHRASE=tcp-platform-demo
fi

stack=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --stack | -s) stack="${args[i + 1]:-}" ;;
    --stack=*) stack="${args[i]#--stack=}" ;;
  esac
done

config_file=()
if [ -z "${KUBECONFIG:-}" ] && [ ! -f "$HOME/.kube/config" ]; then
  log "no cluster configured: using the embedded local control plane"
  bash scripts/cluster.sh up >&2
  eval "$(bash scripts/cluster.sh env)"
  charts="${TCP_PLATFORM_CHARTS:-$ROOT/../shared/charts}"
  case "${1:-}" in
    up | preview | destroy | refresh)
      if [ -n "$stack" ] && [ -f "Pulumi.$stack.yaml" ] && [ -d "$charts" ]; then
        local_config="$TCP_PLATFORM_CACHE/stack-config/Pulumi.$stack.yaml"
        mkdir -p "$(dirname "$local_config")"
        node -r ts-node/register/transpile-only tools/offlineChart.ts "Pulumi.$stack.yaml" "$charts" >"$local_config"
        config_file=(--config-file "$local_config")
      fi
      ;;
  esac
fi

if [ -n "$stack" ]; then
  pulumi stack select --create "$stack" --secrets-provider passphrase >/dev/null
fi
exec pulumi "$@" "${config_file[@]}"
