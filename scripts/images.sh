#!/usr/bin/env bash
# The images the stacks name, built locally (no registry is reachable, no Docker) and imported into
# the real node's containerd under exactly those names, so the rendered objects run unchanged.
#
# usage: scripts/images.sh build|import|list
#   build    build every missing or outdated image archive into $TCP_PLATFORM_CACHE/images
#   import   build, then import each into the real node's containerd (namespace k8s.io), unless it
#            has it already: the socket under $TCP_PLATFORM_CLUSTER_STATE, or $TCP_PLATFORM_CONTAINERD_SOCK
#   list     the image names, one a line
#   path I   build image I (redis, postgres, ...) if needed and print its archive's path
#
# Each archive is one layer (scripts/images/mkimage) from a root filesystem assembled here:
#   registry.k8s.io/pause:3.10.1       upstream's build/pause/linux/pause.c (k8s.io/kubernetes module), static, Debian's gcc
#   docker.io/library/traefik:v3.7.11  scripts/traefik.sh's build from Go modules
#   docker.io/traefik/whoami:v1.10.3   scripts/images/whoami (ours: the module is refused by the proxy)
#   docker.io/iceymoss/tcp-echo:1.0    scripts/images/tcp-echo (ours)
#   docker.io/library/redis:7.4.2      Debian's redis-server (7.0), busybox sh
#   docker.io/library/postgres:17.2    Debian's PostgreSQL (15), busybox sh
#   docker.io/library/mysql:8.4.3      Debian's MariaDB (10.11), busybox sh
# An archive is keyed by everything it is made from (recipe, files, package versions, binaries'
# stamps): a change rebuilds it, anything else reuses it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/common.sh"

OUT="$TCP_PLATFORM_CACHE/images"
SRC="$ROOT/scripts/images"
# Bump when the assembly below changes.
RECIPE=1

IMAGES=(pause traefik whoami tcp-echo redis postgres mysql)
# A subset, for working on one image: TCP_PLATFORM_IMAGES="redis postgres".
[ -z "${TCP_PLATFORM_IMAGES:-}" ] || read -ra IMAGES <<<"$TCP_PLATFORM_IMAGES"
declare -A NAME=(
  [pause]=registry.k8s.io/pause:3.10.1
  [traefik]=docker.io/library/traefik:v3.7.11
  [whoami]=docker.io/traefik/whoami:v1.10.3
  [tcp-echo]=docker.io/iceymoss/tcp-echo:1.0
  [redis]=docker.io/library/redis:7.4.2
  [postgres]=docker.io/library/postgres:17.2
  [mysql]=docker.io/library/mysql:8.4.3
)
# Debian packages whose files (and shared libraries) make up an image.
declare -A PACKAGES=(
  [redis]="redis-server redis-tools"
  [postgres]="postgresql-15 postgresql-client-15 tzdata"
  [mysql]="mariadb-server-core mariadb-client-core"
)
PG_BIN=/usr/lib/postgresql/15/bin

# ------------------------------------------------------------------------------- root filesystems

# add ROOT PATH...: copy each path into ROOT at the same place, with the symlinks leading to it
# (on this usrmerged Debian, /lib/x -> /usr/lib/x: ROOT gets the same top-level links).
add() {
  local root=$1 p parent q
  shift
  for p in "$@"; do
    while :; do
      parent=$(realpath "$(dirname "$p")")
      q="$parent/$(basename "$p")"
      if [ ! -e "$root$q" ] && [ ! -L "$root$q" ]; then
        mkdir -p "$root$parent"
        cp -a "$q" "$root$q"
      fi
      [ -L "$q" ] || break
      p=$(readlink "$q")
      [[ $p == /* ]] || p="$parent/$p"
    done
  done
}

# The shared libraries every ELF file in ROOT needs (ldd: the transitive closure).
add_libraries() {
  local root=$1 libs
  libs=$({ find "$root" -type f \( -perm -u+x -o -name '*.so*' \) -print0 | xargs -0 ldd 2>/dev/null || true; } |
    awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | sort -u)
  # shellcheck disable=SC2086 # paths without spaces
  [ -z "$libs" ] || add "$root" $libs
}

base_rootfs() {
  local root=$1 d
  rm -rf "$root"
  mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,tmp,dev,proc,sys,run}
  for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
  chmod 1777 "$root/tmp"
}

# passwd/group with the upstream images' users.
users() {
  local root=$1 name=$2 uid=$3 home=$4
  printf 'root:x:0:0:root:/root:/bin/sh\n%s:x:%s:%s:%s:%s:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
    "$name" "$uid" "$uid" "$name" "$home" >"$root/etc/passwd"
  printf 'root:x:0:\n%s:x:%s:\nnogroup:x:65534:\n' "$name" "$uid" >"$root/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files\n' >"$root/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
}

# Debian's busybox-static as sh and the few tools the entrypoints use.
busybox() {
  local root=$1 tool
  cp /bin/busybox "$root/usr/bin/busybox"
  for tool in sh cat chmod cut date env head id kill ls mkdir mktemp rm sed sleep tr base64 hostname \
    basename dirname touch test expr; do
    [ -e "$root/usr/bin/$tool" ] || ln -s busybox "$root/usr/bin/$tool"
  done
}

# debian_files ROOT "PKG...": the packages' files, without documentation and service manager bits.
debian_files() {
  local root=$1 files pkgs
  read -ra pkgs <<<"$2"
  files=$(dpkg -L "${pkgs[@]}" | grep -vE '^/usr/share/(doc|man|lintian|locale|bug|bash-completion|zoneinfo/(right|posix))/|^/usr/lib/postgresql/[0-9]+/lib/(llvmjit|bitcode)|^/etc/(init\.d|logrotate\.d|systemd)|^/lib/systemd|^/usr/lib/systemd' |
    while read -r f; do [ -d "$f" ] && [ ! -L "$f" ] || echo "$f"; done)
  # shellcheck disable=SC2086
  add "$root" $files
}

# rootfs_<image> ROOT: writes the root filesystem and prints mkimage's flags for the config, one
# a line.
flags() { printf '%s\n' "$@"; }
rootfs_pause() {
  local root=$1 src
  src=$(modver "$ROOT/scripts/go/node" k8s.io/kubernetes '{{.Dir}}')/build/pause/linux/pause.c
  base_rootfs "$root"
  # As upstream's build/pause/Makefile compiles it.
  gcc -Os -Wall -Werror -static -DVERSION=v3.10.1-tcp-platform -o "$root/pause" "$src"
  strip "$root/pause"
  flags -user 65535:65535 -entrypoint '["/pause"]'
}

rootfs_traefik() {
  local root=$1
  base_rootfs "$root"
  mkdir -p "$root/usr/local/bin"
  cp "$BIN/traefik" "$root/usr/local/bin/traefik"
  # Upstream's image has an entrypoint.sh that prefixes flags with `traefik`; without a shell,
  # the binary is the entrypoint and the chart's args (flags only) reach it the same way.
  flags -entrypoint '["/usr/local/bin/traefik"]' -expose 80/tcp
}

rootfs_go() {
  local root=$1 name=$2
  base_rootfs "$root"
  go_build "$name" "$SRC" "./$name"
  cp "$BIN/$name" "$root/$name"
}
rootfs_whoami() {
  rootfs_go "$1" whoami
  flags -entrypoint '["/whoami"]' -expose 80/tcp
}
rootfs_tcp-echo() {
  rootfs_go "$1" tcp-echo
  flags -entrypoint '["/tcp-echo"]' -expose 3333/tcp
}

rootfs_redis() {
  local root=$1
  base_rootfs "$root"
  debian_files "$root" "${PACKAGES[redis]}"
  add_libraries "$root"
  busybox "$root"
  users "$root" redis 999 /data
  mkdir -p "$root/data" "$root/usr/local/bin"
  install -m 0755 "$SRC/redis/docker-entrypoint.sh" "$SRC/redis/redis-server" "$root/usr/local/bin/"
  flags -user 999:999 -workdir /data -env PATH=/usr/local/bin:/usr/bin:/usr/sbin \
    -entrypoint '["docker-entrypoint.sh"]' -cmd '["redis-server"]' -expose 6379/tcp
}

rootfs_postgres() {
  local root=$1
  base_rootfs "$root"
  debian_files "$root" "${PACKAGES[postgres]}"
  # C.UTF-8 (glibc's locale data from libc-bin) for initdb; /etc/localtime for the time zone.
  add "$root" /usr/lib/locale/C.utf8
  ln -sf /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
  add_libraries "$root"
  busybox "$root"
  users "$root" postgres 999 /var/lib/postgresql
  mkdir -p "$root/var/lib/postgresql/data" "$root/var/run/postgresql" "$root/usr/local/bin"
  install -m 0755 "$SRC/postgres/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
  flags -user 999:999 -env "PATH=/usr/local/bin:$PG_BIN:/usr/bin:/usr/sbin" -env PGDATA=/var/lib/postgresql/data \
    -env LANG=C.UTF-8 -stopsignal SIGINT -entrypoint '["docker-entrypoint.sh"]' -cmd '["postgres"]' -expose 5432/tcp
}

rootfs_mysql() {
  local root=$1
  base_rootfs "$root"
  debian_files "$root" "${PACKAGES[mysql]}"
  add_libraries "$root"
  busybox "$root"
  users "$root" mysql 999 /var/lib/mysql
  mkdir -p "$root/var/lib/mysql" "$root/var/run/mysqld" "$root/usr/local/bin" "$root/etc/mysql"
  install -m 0644 "$SRC/mysql/my.cnf" "$root/etc/mysql/my.cnf"
  install -m 0755 "$SRC/mysql/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
  flags -user 999:999 -env PATH=/usr/local/bin:/usr/bin:/usr/sbin -entrypoint '["docker-entrypoint.sh"]' \
    -cmd '["mysqld"]' -expose 3306/tcp
}

# ------------------------------------------------------------------------------------ the archives

# key IMAGE: a digest of everything the image is made from.
key() {
  local image=$1
  {
    echo "recipe=$RECIPE $(go env GOVERSION) ${NAME[$image]}"
    sed -n "/^rootfs_${image}()/,/^}/p" "$0"
    case $image in
      pause) modver "$ROOT/scripts/go/node" k8s.io/kubernetes '{{.Path}} {{.Version}}'; gcc --version | head -1 ;;
      traefik) stamp_read traefik ;;
      whoami | tcp-echo) cat "$SRC/go.mod" "$SRC/$image"/*.go ;;
      *)
        # shellcheck disable=SC2086
        dpkg-query -W ${PACKAGES[$image]} libc6 busybox-static
        cat "$SRC/$image"/*
        ;;
    esac
    sed -n '/^# -* root filesystems/,/^rootfs_pause()/p' "$0"
  } | sha256sum | cut -c1-16
}

archive_of() { echo "$OUT/$1-$(key "$1").tar"; }

build_one() {
  local image=$1 archive root flags=() t0
  # Traefik's binary (and the stamp its key reads) first; a no-op when it is current.
  [ "$image" != traefik ] || bash "$ROOT/scripts/traefik.sh" build
  archive=$(archive_of "$image")
  if [ -s "$archive" ]; then
    return 0
  fi
  t0=$(now_ms)
  mkdir -p "$OUT"
  root=$(mktemp -d "$OUT/.rootfs-$image.XXXXXX")
  "rootfs_$image" "$root" >"$root.flags"
  mapfile -t flags <"$root.flags"
  "$BIN/mkimage" -rootfs "$root" -name "${NAME[$image]}" -out "$archive.tmp" "${flags[@]}"
  rm -rf "$root" "$root.flags"
  rm -f "$OUT/$image"-*.tar
  mv -f "$archive.tmp" "$archive"
  log "images: ${NAME[$image]} built in $(secs_since "$t0")s ($(du -m "$archive" | cut -f1) MB, $archive)"
}

cmd_build() {
  command -v go >/dev/null || die "go not found"
  lock "$OUT/.lock"
  # Its stamp has always been the digest of its sources alone.
  go_build mkimage "$SRC" ./mkimage --key ""
  local image t0
  t0=$(now_ms)
  for image in "${IMAGES[@]}"; do build_one "$image"; done
  log "images: all up to date ($(secs_since "$t0")s)"
}

cmd_import() {
  local sock=${TCP_PLATFORM_CONTAINERD_SOCK:-${TCP_PLATFORM_CLUSTER_STATE:-$TCP_PLATFORM_CACHE/cluster}/node/containerd.sock}
  cmd_build
  local image archive have t0
  t0=$(now_ms)
  have=$(ctr --address "$sock" -n k8s.io images ls -q 2>/dev/null || true)
  for image in "${IMAGES[@]}"; do
    archive=$(archive_of "$image")
    # Imported already from this very archive: its key is a label of ours on the image.
    if grep -qxF "${NAME[$image]}" <<<"$have" &&
      grep -qF "tcp-platform.key=$(basename "$archive" .tar)" <<<"$(ctr --address "$sock" -n k8s.io images ls "name==${NAME[$image]}" 2>/dev/null)"; then
      continue
    fi
    ctr --address "$sock" -n k8s.io images import "$archive" >/dev/null
    ctr --address "$sock" -n k8s.io images label "${NAME[$image]}" "tcp-platform.key=$(basename "$archive" .tar)" >/dev/null
  done
  log "images: imported into $sock in $(secs_since "$t0")s"
}

case "${1:-}" in
  build) cmd_build ;;
  import) cmd_import ;;
  list) for image in "${IMAGES[@]}"; do echo "${NAME[$image]}"; done ;;
  path)
    [ -n "${NAME[${2:-}]:-}" ] || die "usage: $0 path <${!NAME[*]}>"
    IMAGES=("$2")
    cmd_build >&2
    archive_of "$2"
    ;;
  *)
    usage 5,10
    ;;
esac
