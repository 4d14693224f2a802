#!/usr/bin/env bash
# A real local Kubernetes control plane for integration tests, built from Go modules only (no
# Docker, no release downloads): etcd, kube-apiserver, kube-controller-manager, kube-scheduler, and
# kwok playing the kubelet for fake nodes, so Deployments roll out and Pods become Ready.
#
# usage: scripts/cluster.sh build|up|down|env|status
#   build   build missing or outdated binaries into $TCP_PLATFORM_CACHE/bin (a changed wrapper
#           go.mod/go.sum or Go version rebuilds); prints timings
#   up      build, then start everything and wait until it is usable; no-op when up
#   down    stop what `up` started, remove what a real node left on the host, and delete the etcd
#           data (TCP_PLATFORM_CLUSTER_KEEP_DATA=1 keeps it)
#   env     print `export KUBECONFIG=...` (eval "$(scripts/cluster.sh env)")
#   cert-manager-crds  apply cert-manager's CRDs to the running plane (`up` does it too)
#   status  short health summary; exit status 0 only when everything is healthy
#
# Two kinds of node. TCP_PLATFORM_NODE=kwok (the default): kwok simulates the nodes, no container
# runs, everything listens on 127.0.0.1. TCP_PLATFORM_NODE=real: one real node instead (containerd,
# runc, kubelet, kube-proxy, CNI plugins; scripts/node.sh), whose pods run the images
# scripts/images.sh builds; the API server then also serves on the node's address, for the pods.
# Versions live in scripts/go/{etcd,kube,kwok,node,cni}/go.mod. Binaries go to
# $TCP_PLATFORM_CACHE/bin, runtime state (certs, etcd data, logs, pids, kubeconfigs, the node's
# containerd and kubelet directories) to $TCP_PLATFORM_CLUSTER_STATE ($TCP_PLATFORM_CACHE/cluster).
# Knobs: TCP_PLATFORM_APISERVER_PORT (16443), TCP_PLATFORM_ETCD_PORT (12379; peer port is +1),
# TCP_PLATFORM_CLUSTER_NODES (2 fake nodes), TCP_PLATFORM_CLUSTER_STATE, TCP_PLATFORM_NODE.
# Two planes run side by side with different state directories and ports; one real node at a time.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
# shellcheck source=scripts/lib/common.sh
. "$here/lib/common.sh"

STATE="${TCP_PLATFORM_CLUSTER_STATE:-$TCP_PLATFORM_CACHE/cluster}"
MODS="$repo/scripts/go"
PKI="$STATE/pki"
KUBECONFIG_OUT="$STATE/kubeconfig"
NAME=tcp-platform-local
MARKER="# $NAME: written by tcp-platform scripts/cluster.sh, deleted by its 'down'. Do not edit."

APISERVER_PORT="${TCP_PLATFORM_APISERVER_PORT:-16443}"
ETCD_PORT="${TCP_PLATFORM_ETCD_PORT:-12379}"
ETCD_PEER_PORT=$((ETCD_PORT + 1))
KCM_PORT=$((APISERVER_PORT + 1))
SCHED_PORT=$((APISERVER_PORT + 2))
NODE_MODE="${TCP_PLATFORM_NODE:-kwok}"
case $NODE_MODE in kwok | real) ;; *)
  echo "TCP_PLATFORM_NODE must be kwok or real, not '$NODE_MODE'" >&2
  exit 2
  ;;
esac
NODES="${TCP_PLATFORM_CLUSTER_NODES:-2}"
SERVICE_CIDR=10.96.0.0/16
# Pod IPs are only written into Pod/Endpoints status by kwok; nothing routes or dials them. Do not
# use the apiserver's services/pods proxy subresources against this cluster.
POD_CIDR_PREFIX=10.244

COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
# shellcheck source=scripts/node.sh
. "$here/node.sh"
if [ "$NODE_MODE" = real ]; then
  COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler "${NODE_COMPONENTS[@]}")
fi
# Bump when the build commands below change, so existing binaries get rebuilt.
BUILD_RECIPE=1

# ---------------------------------------------------------------------------------------- build

# build_bin NAME VERSION MODULE_DIR PACKAGE LDFLAGS: go build PACKAGE, resolved through the wrapper module
# in MODULE_DIR, into $BIN/NAME unless the stamp beside it says it is already built from the same
# go.mod/go.sum, Go version and recipe.
build_bin() {
  local name=$1 version=$2 dir=$3 pkg=$4 ldflags=$5 stamp t0
  stamp="$(go env GOVERSION) recipe=$BUILD_RECIPE $(key_of "$dir/go.mod" "$dir/go.sum")"
  if stamp_current "$name" "$stamp"; then
    log "build: $name $version up to date"
    return 0
  fi
  log "build: $name $version ($pkg) ..."
  t0=$(now_ms)
  # CGO off: static binaries, as upstream releases them; -trimpath/-s -w: smaller, reproducible.
  (cd "$dir" && CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags "-s -w $ldflags" \
    -o "$BIN/.$name.tmp" "$pkg")
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
  stamp_write "$name" "$stamp"
  log "build: $name $version built in $(secs_since "$t0")s, $(du -m "$BIN/$name" | cut -f1) MB"
}

# kube_ldflags DIR: the version variables upstream's release build stamps (hack/lib/version.sh),
# for the k8s.io/kubernetes a wrapper module pins; without them the binaries report
# v0.0.0-master, which confuses version-checking clients.
kube_ldflags() {
  local kv minor date pkg ld=""
  kv=$(modver "$1" k8s.io/kubernetes)
  minor=$(echo "$kv" | cut -d. -f2)
  date=$(modver "$1" k8s.io/kubernetes '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}')
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=$kv -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ld="$ld -X $pkg.gitTreeState=clean -X $pkg.gitCommit= -X $pkg.buildDate=$date"
  done
  echo "$ld"
}

# modver DIR MODULE [FORMAT]: a field of a dependency of a wrapper module, e.g. its version.
modver() {
  local f='{{.Version}}'
  [ $# -lt 3 ] || f=$3
  (cd "$1" && go list -mod=readonly -m -f "$f" "$2")
}

cmd_build() {
  command -v go >/dev/null || die "go not found (needs Go >= 1.26)"
  lock "$STATE/.lock"
  local t0 v kv pkg ld
  t0=$(now_ms)

  v=$(modver "$MODS/etcd" go.etcd.io/etcd/server/v3)
  build_bin etcd "$v" "$MODS/etcd" go.etcd.io/etcd/server/v3 \
    "-X go.etcd.io/etcd/api/v3/version.GitSHA=module-$v"

  kv=$(modver "$MODS/kube" k8s.io/kubernetes)
  ld=$(kube_ldflags "$MODS/kube")
  for pkg in kube-apiserver kube-controller-manager kube-scheduler; do
    build_bin "$pkg" "$kv" "$MODS/kube" "k8s.io/kubernetes/cmd/$pkg" "$ld"
  done

  if [ "$NODE_MODE" = real ]; then
    node_build
    log "build: done in $(secs_since "$t0")s"
    return 0
  fi
  v=$(modver "$MODS/kwok" sigs.k8s.io/kwok)
  build_bin kwok "$v" "$MODS/kwok" sigs.k8s.io/kwok/cmd/kwok ""
  # kwok alone has no stages (kwokctl normally passes them): use the same default ones kwokctl
  # does, read from the kwok module in the module cache at the version in go.mod.
  local stages="$BIN/kwok-stages.yaml" kdir f
  if [ ! -s "$stages" ] || [ "$BIN/.kwok.stamp" -nt "$stages" ]; then
    kdir=$(modver "$MODS/kwok" sigs.k8s.io/kwok '{{.Dir}}')
    {
      echo "# Default kwok stages (as kwokctl uses them), from sigs.k8s.io/kwok $v"
      for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
        pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
        echo "---"
        cat "$kdir/kustomize/stage/$f.yaml"
      done
    } >"$stages.tmp"
    mv -f "$stages.tmp" "$stages"
  fi
  log "build: done in $(secs_since "$t0")s"
}

# ------------------------------------------------------------------------------------ processes

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

stop_all() {
  # The node first (it needs the API server to stop its pods cleanly), then the etcd clients: an
  # apiserver that loses etcd while shutting down only slows down.
  [ ! -d "$NODE_DIR" ] || node_cleanup
  stop kwok kube-scheduler kube-controller-manager kube-apiserver
  stop etcd
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

# ------------------------------------------------------------------------ certs and kubeconfigs

# new_ca NAME CN: a self-signed CA. cert NAME SUBJECT EXTENSIONS [CA]: a key and a cert signed by
# CA (default "ca"). ECDSA P-256 throughout: key generation is instant, every component takes it.
new_ca() {
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$1.key" 2>/dev/null
  openssl req -x509 -new -key "$PKI/$1.key" -subj "/CN=$2" -days 3650 -out "$PKI/$1.crt"
}
cert() {
  local name=$1 subj=$2 ext=$3 ca=${4:-ca}
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key" 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n%s\n' \
    "$ext" >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days 3650 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

ensure_certs() {
  # Kept across down/up; `rm -rf $TCP_PLATFORM_CACHE/cluster` makes new ones, and so does a change
  # of the API server's addresses (the real node's address is one of them).
  local sans="IP:127.0.0.1,DNS:localhost,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  [ "$NODE_MODE" = real ] && sans+=",IP:$NODE_IP"
  [ "$(cat "$PKI/done" 2>/dev/null)" = "$sans" ] && return 0
  log "up: generating certificates in $PKI"
  rm -rf "$PKI"
  mkdir -p "$PKI"
  (
    umask 077
    new_ca ca "$NAME-ca"
    cert apiserver "/CN=kube-apiserver" "extendedKeyUsage=serverAuth
subjectAltName=$sans"
    cert admin "/O=system:masters/CN=$NAME-admin" "extendedKeyUsage=clientAuth"
    cert kube-controller-manager "/CN=system:kube-controller-manager" "extendedKeyUsage=clientAuth"
    cert kube-scheduler "/CN=system:kube-scheduler" "extendedKeyUsage=clientAuth"
    # kwok acts as the kubelet of every fake node (node status, leases, pod status, deletes).
    cert kwok "/O=system:masters/CN=kwok" "extendedKeyUsage=clientAuth"
    # Aggregation layer (request-header auth): kcm and the scheduler read this CA from the
    # apiserver's extension-apiserver-authentication ConfigMap, and log errors all along without.
    new_ca front-proxy-ca "$NAME-front-proxy-ca"
    cert front-proxy-client "/CN=front-proxy-client" "extendedKeyUsage=clientAuth" front-proxy-ca
    # Service-account token signing key pair.
    openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/sa.key" 2>/dev/null
    openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  )
  echo "$sans" >"$PKI/done"
}

b64() { base64 -w0 <"$1"; }

# write_kubeconfig FILE CERT_NAME: a kubeconfig with data embedded (still valid when copied).
write_kubeconfig() {
  local file=$1 user=$2
  cat >"$file.tmp" <<EOF
$MARKER
apiVersion: v1
kind: Config
clusters:
- name: $NAME
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $NAME-$user
  user:
    client-certificate-data: $(b64 "$PKI/$user.crt")
    client-key-data: $(b64 "$PKI/$user.key")
contexts:
- name: $NAME
  context:
    cluster: $NAME
    user: $NAME-$user
current-context: $NAME
EOF
  chmod 600 "$file.tmp"
  mv -f "$file.tmp" "$file"
}

# Ours: it has our marker line, or (after `kubectl config ...` rewrote it and dropped comments)
# its only cluster is ours. Anything else at that path was put there by someone else.
kubeconfig_is_ours() {
  head -n 1 "$1" | grep -qxF -- "$MARKER" && return 0
  [ "$(kubectl --kubeconfig "$1" config get-clusters 2>/dev/null | tail -n +2)" = "$NAME" ]
}

write_kubeconfigs() {
  mkdir -p "$STATE/kubeconfigs"
  local c
  for c in kube-controller-manager kube-scheduler kwok; do
    write_kubeconfig "$STATE/kubeconfigs/$c" "$c"
  done
  if [ -e "$KUBECONFIG_OUT" ] && ! kubeconfig_is_ours "$KUBECONFIG_OUT"; then
    die "$KUBECONFIG_OUT exists and was not written by this script; refusing to overwrite it"
  fi
  write_kubeconfig "$KUBECONFIG_OUT" admin
}

# ------------------------------------------------------------------------------------- commands

kc() { kubectl --kubeconfig "$KUBECONFIG_OUT" "$@"; }
apiserver_ready() {
  curl -fsS --max-time 2 --cacert "$PKI/ca.crt" "https://127.0.0.1:$APISERVER_PORT/readyz"
}
# kcm and scheduler serve /healthz without auth on a self-signed cert of their own.
healthz() { curl -fsSk --max-time 2 "https://127.0.0.1:$1/healthz"; }
nodes_ready() {
  local want=$1 ready
  ready=$(kc get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    grep -c '^True$' || true)
  [ "$ready" -ge "$want" ]
}

healthy() {
  local c
  for c in "${COMPONENTS[@]}"; do running "$c" || return 1; done
  [ -e "$KUBECONFIG_OUT" ] && kubeconfig_is_ours "$KUBECONFIG_OUT" && apiserver_ready >/dev/null 2>&1 || return 1
  [ "$NODE_MODE" = kwok ] || node_ready >/dev/null 2>&1
}

# A failed `up` stops what it started (the logs stay), so no caller is left with half a cluster.
up_failed() {
  local rc=$?
  [ $rc = 0 ] && return 0
  log "up: failed; stopping the components it started (logs: $STATE/logs)"
  stop_all
  exit $rc
}

create_nodes() {
  local i manifest=""
  for ((i = 0; i < NODES; i++)); do
    # Status is accepted on Node create (a kubelet registers this way); kwok's node-initialize
    # stage then adds the conditions. No taints: ordinary workloads schedule here unchanged.
    manifest+="---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: \"0\"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kwok-node-$i
    type: kwok
spec:
  podCIDR: $POD_CIDR_PREFIX.$i.0/24
  podCIDRs: [$POD_CIDR_PREFIX.$i.0/24]
status:
  # Loopback, and InternalIP-only in the apiserver: its kubelet calls (logs, exec) go nowhere.
  # Both types are needed, or kwok's node-initialize stage rewrites the addresses list.
  addresses: [{type: InternalIP, address: 127.0.0.1}, {type: Hostname, address: kwok-node-$i}]
  allocatable: {cpu: \"32\", memory: 256Gi, pods: \"110\"}
  capacity: {cpu: \"32\", memory: 256Gi, pods: \"110\"}
  nodeInfo: {architecture: amd64, operatingSystem: linux, kubeletVersion: fake, containerRuntimeVersion: kwok}
"
  done
  printf '%s' "$manifest" | kc apply -f - >/dev/null
}

# Claims (the databases' StatefulSets) need a default StorageClass, as every cluster has one. The
# controller-manager's host-path provisioner serves it: a directory under /tmp/hostpath_pv per
# claim, deleted with the volume. For one-node test clusters only, as upstream says.
# cert-manager's API, as a cluster with cert-manager serves it: its CRDs from the release's Go
# module (the module proxy is what these machines reach). No controller runs, so Certificates are
# stored and never issued; on simulated nodes no pod needs the Secret. dev and prod both request
# their TLS pair's certificates from cert-manager, and the API server refuses a Certificate whose
# kind it does not serve.
CERT_MANAGER_MODULE=github.com/cert-manager/cert-manager@v1.21.2
cmd_cert_manager_crds() {
  local dir
  dir=$(cd "${TMPDIR:-/tmp}" && go mod download -json "$CERT_MANAGER_MODULE" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir/deploy/crds" ] || die "could not download $CERT_MANAGER_MODULE"
  kc apply --server-side --field-manager=tcp-platform-cluster -f "$dir/deploy/crds" >/dev/null
  log "up: cert-manager CRDs of ${CERT_MANAGER_MODULE#*@} applied"
}

create_storage_class() {
  kc apply -f - >/dev/null <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
EOF
}

cmd_up() {
  local t0
  lock "$STATE/.lock"
  cmd_build
  t0=$(now_ms)
  mkdir -p "$STATE/logs" "$STATE/pids"
  if healthy; then
    log "up: already up ($KUBECONFIG_OUT)"
    return 0
  fi
  local c
  for c in "${COMPONENTS[@]}" kwok "${NODE_COMPONENTS[@]}"; do
    if running "$c" || { [ "$c" = containerd ] && [ -d "$NODE_DIR" ]; }; then
      log "up: cluster running but not healthy (or its kubeconfig gone); restarting it"
      stop_all
      break
    fi
  done
  ensure_certs
  write_kubeconfigs
  [ "$NODE_MODE" = kwok ] || node_certs

  trap up_failed EXIT
  start etcd --name "$NAME" --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "$NAME=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --log-level warn # test data, thrown away by `down`: fsync only costs time
  wait_for "etcd healthy" 30 etcd curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"

  # kwok: --endpoint-reconciler-type=none: the "kubernetes" Service's endpoint would be 127.0.0.1,
  # which Endpoints validation rejects (loopback); nothing there needs that endpoint.
  # real: pods reach the API server through the "kubernetes" Service, whose endpoint is the node's
  # address: serve there too (and on 127.0.0.1 for the host's clients; the node's guard chain
  # drops this port on the machine's other interfaces), and keep the endpoint up to date.
  local serve=(--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --endpoint-reconciler-type none)
  if [ "$NODE_MODE" = real ]; then
    node_network_up
    serve=(--bind-address 0.0.0.0 --advertise-address "$NODE_IP" --endpoint-reconciler-type lease
      --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt"
      --kubelet-client-key "$PKI/apiserver-kubelet-client.key"
      --kubelet-certificate-authority "$PKI/ca.crt")
  fi
  start kube-apiserver \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    "${serve[@]}" --secure-port "$APISERVER_PORT" \
    --cert-dir "$STATE/run/kube-apiserver" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$PKI/front-proxy-client.crt" \
    --proxy-client-key-file "$PKI/front-proxy-client.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction \
    --allow-privileged=true \
    --service-cluster-ip-range "$SERVICE_CIDR" --service-node-port-range 30000-32767 \
    --kubelet-preferred-address-types InternalIP \
    --profiling=false
  wait_for "kube-apiserver ready" 90 kube-apiserver apiserver_ready

  # Single instances: no leader election, so a restart does not wait for an old lease to expire.
  start kube-controller-manager \
    --kubeconfig "$STATE/kubeconfigs/kube-controller-manager" \
    --authentication-kubeconfig "$STATE/kubeconfigs/kube-controller-manager" \
    --authorization-kubeconfig "$STATE/kubeconfigs/kube-controller-manager" \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --cert-dir "$STATE/run/kube-controller-manager" \
    --leader-elect=false \
    --cluster-name "$NAME" \
    --root-ca-file "$PKI/ca.crt" \
    --service-account-private-key-file "$PKI/sa.key" \
    --use-service-account-credentials=true \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --enable-hostpath-provisioner \
    --profiling=false
  start kube-scheduler \
    --kubeconfig "$STATE/kubeconfigs/kube-scheduler" \
    --authentication-kubeconfig "$STATE/kubeconfigs/kube-scheduler" \
    --authorization-kubeconfig "$STATE/kubeconfigs/kube-scheduler" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --cert-dir "$STATE/run/kube-scheduler" \
    --leader-elect=false \
    --profiling=false
  if [ "$NODE_MODE" = real ]; then
    wait_for "kube-controller-manager healthy" 60 kube-controller-manager healthz "$KCM_PORT"
    wait_for "kube-scheduler healthy" 60 kube-scheduler healthz "$SCHED_PORT"
    wait_for "default ServiceAccount" 60 kube-controller-manager kc -n default get serviceaccount default
    cmd_cert_manager_crds
    # No StorageClass here: no provisioner serves this node (the cluster tier makes its volumes).
    node_start
    trap - EXIT
    log "up: cluster with a real node up in $(secs_since "$t0")s; $(cmd_env)"
    return 0
  fi
  # Manages only the nodes annotated kwok.x-k8s.io/node=fake; no --server-address, so it serves
  # no port. 40s node leases, as kwokctl sets up (matches the heartbeat-with-lease stage).
  # (--flag=value: kwok pre-parses --config with a lenient flag set that misreads "--flag value".)
  start kwok \
    --kubeconfig="$STATE/kubeconfigs/kwok" \
    --config="$BIN/kwok-stages.yaml" \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds=40 \
    --node-ip=127.0.0.1 \
    --cidr="$POD_CIDR_PREFIX.0.0/16"

  create_nodes
  wait_for "kube-controller-manager healthy" 60 kube-controller-manager healthz "$KCM_PORT"
  wait_for "kube-scheduler healthy" 60 kube-scheduler healthz "$SCHED_PORT"
  wait_for "$NODES fake node(s) Ready" 60 kwok nodes_ready "$NODES"
  wait_for "default ServiceAccount" 60 kube-controller-manager kc -n default get serviceaccount default
  create_storage_class
  cmd_cert_manager_crds
  trap - EXIT
  log "up: cluster up in $(secs_since "$t0")s; $(cmd_env)"
}

cmd_down() {
  lock "$STATE/.lock"
  stop_all
  local c left=""
  for c in "${COMPONENTS[@]}" kwok "${NODE_COMPONENTS[@]}"; do running "$c" && left+=" $c"; done
  [ -z "$left" ] || die "still running:$left"
  if [ "${TCP_PLATFORM_CLUSTER_KEEP_DATA:-0}" = 1 ]; then
    log "down: keeping etcd data in $STATE/etcd"
  else
    rm -rf "$STATE/etcd"
  fi
  if [ -e "$KUBECONFIG_OUT" ]; then
    kubeconfig_is_ours "$KUBECONFIG_OUT" ||
      die "$KUBECONFIG_OUT was not written by this script; leaving it alone"
    rm -f "$KUBECONFIG_OUT"
  fi
  log "down: stopped"
}

cmd_env() { printf 'export KUBECONFIG=%q\n' "$KUBECONFIG_OUT"; }

cmd_status() {
  local c pids ok=0
  for c in "${COMPONENTS[@]}"; do
    pids=$(pids_of "$c" | tr '\n' ' ')
    if [ -n "$pids" ]; then printf '%-24s running (pid %s)\n' "$c" "${pids% }"; else
      printf '%-24s not running\n' "$c"
      ok=1
    fi
  done
  if [ -e "$KUBECONFIG_OUT" ] && apiserver_ready >/dev/null 2>&1; then
    printf '%-24s ready at https://127.0.0.1:%s (%s)\n' apiserver "$APISERVER_PORT" \
      "$(curl -fsS --max-time 2 --cacert "$PKI/ca.crt" "https://127.0.0.1:$APISERVER_PORT/version" |
        grep -o '"gitVersion": *"[^"]*"' | cut -d'"' -f4)"
    printf '%-24s %s\n' nodes "$(kc get nodes --no-headers 2>/dev/null | awk '{printf "%s=%s ", $1, $2}')"
    printf '%-24s %s\n' kubeconfig "$KUBECONFIG_OUT"
  else
    printf '%-24s not ready\n' apiserver
    ok=1
  fi
  return $ok
}

case "${1:-}" in
  build) cmd_build ;;
  up) cmd_up ;;
  down) cmd_down ;;
  env) cmd_env ;;
  status) cmd_status ;;
  cert-manager-crds) cmd_cert_manager_crds ;;
  *)
    sed -n '6,13s/^# \{0,1\}//p' "$0" >&2
    exit 2
    ;;
esac
