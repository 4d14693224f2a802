# The cluster's processes: start one detached, find ours among the machine's, stop them, wait for
# one to be ready. Sourced after a script's opening, as every piece of scripts/cluster/ is.
# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$ROOT/scripts/lib/common.sh"
# shellcheck source=config.sh
. "$ROOT/scripts/cluster/config.sh"

# Where each component's binary is: containerd is Debian's, the rest are built.
binary_of() {
  case $1 in
    containerd) echo /usr/bin/containerd ;;
    *) echo "$BIN/$1" ;;
  esac
}

# A pid is ours when it runs our binary with our state directory on its command line: pid files
# can go stale and pids get reused, and `down` must stop only what `up` started.
is_ours() {
  local pid=$1 name=$2 exe args=()
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # Builtin test first: this runs for every process on the machine.
  local bin
  bin=$(binary_of "$name")
  if ! [ "/proc/$pid/exe" -ef "$bin" ]; then
    [ "$3" = pidfile ] || return 1
    # A rebuild replaced the binary since the start: the link then ends in " (deleted)".
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
    [ "$exe" = "$bin (deleted)" ] || return 1
  fi
  mapfile -d '' args <"/proc/$pid/cmdline" 2>/dev/null || return 1
  [[ "${args[*]}" == *"$STATE/"* ]]
}

# Pids of our running instances of NAME: from its pid file, plus any the pid file lost track of.
pids_of() {
  local name=$1 pid p
  pid=$(cat "$STATE/pids/$name.pid" 2>/dev/null || true)
  if is_ours "$pid" "$name" pidfile; then echo "$pid"; fi
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    if [ "$p" != "$pid" ] && is_ours "$p" "$name" scan; then echo "$p"; fi
  done
  return 0
}

running() { [ -n "$(pids_of "$1")" ]; }

# start NAME ARGS...: run $BIN/NAME detached (own session, so it outlives this script and a ^C
# in the caller's terminal), stdin/stdout/stderr away from the caller (a caller reading our output
# through a pipe must not wait for the daemons), and without the lock fd 9.
start() {
  local name=$1
  shift
  log "up: starting $name"
  setsid "$(binary_of "$name")" "$@" </dev/null >"$STATE/logs/$name.log" 2>&1 9>&- &
  local pid=$! i
  echo "$pid" >"$STATE/pids/$name.pid"
  # Until the background shell has exec'd the binary, the pid is not recognisably ours and
  # `running` would report a component that is still starting as exited.
  for ((i = 0; i < 50; i++)); do
    is_ours "$pid" "$name" pidfile && return 0
    [ -d "/proc/$pid" ] || return 0 # exited at once: wait_for reports it with its log
    sleep 0.02
  done
}

# stop NAME...: SIGTERM all, wait up to 20s, then SIGKILL what is left.
stop() {
  local name pids=() i
  for name in "$@"; do
    # shellcheck disable=SC2207 # pids are digits only
    pids+=($(pids_of "$name"))
    rm -f "$STATE/pids/$name.pid"
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  log "down: stopping $* (pids ${pids[*]})"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    local alive=0 pid
    for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    if [ -d "/proc/$pid" ]; then
      log "down: pid $pid did not stop after SIGTERM, killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# wait_for DESCRIPTION TIMEOUT_S LOG_NAME COMMAND...: poll COMMAND every 0.2s; on timeout show
# the component's log tail.
wait_for() {
  local what=$1 timeout=$2 name=$3 t0
  shift 3
  t0=$(now_ms)
  until "$@" >/dev/null 2>&1; do
    if [ -n "$name" ] && ! running "$name"; then
      tail -n 30 "$STATE/logs/$name.log" >&2 || true
      die "$name exited while waiting for $what (log: $STATE/logs/$name.log)"
    fi
    if [ $(($(now_ms) - t0)) -gt $((timeout * 1000)) ]; then
      [ -z "$name" ] || tail -n 30 "$STATE/logs/$name.log" >&2 || true
      die "timed out after ${timeout}s waiting for $what"
    fi
    sleep 0.2
  done
  log "up: $what ($(secs_since "$t0")s)"
}
