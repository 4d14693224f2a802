# The real node of scripts/cluster.sh (TCP_PLATFORM_NODE=real): Debian's containerd and runc, and
# kubelet, kube-proxy and the CNI plugins built from Go modules, running the pods the program
# deploys from images built locally (scripts/images.sh). Sourced by cluster.sh, which provides
# STATE, BIN, PKI, MODS, log/die/start/stop/wait_for/cert/write_kubeconfig/build_bin and the ports.
#
# What the node adds to the host, all of it removed by node_cleanup (cluster.sh down), also after
# a crash: an interface with the node's address, the pods' bridge and their veths, the pods'
# network namespaces (mounted under $NODE_DIR), iptables rules (kube-proxy's KUBE-* chains, the
# portmap plugin's CNI-* chains, our guard chain), cgroups under /$NODE_CGROUP, mounts under
# $NODE_DIR, three sysctls (restored to the values they had), and containerd's state in $NODE_DIR.
# shellcheck shell=bash

NODE_DIR="$STATE/node"
NODE_NAME=tcp-platform-node
NODE_IF=tcpp-node0
NODE_BRIDGE=tcpp-br0
# Private addresses of the node and its pods. Nothing outside this machine routes to them; the
# guard chain drops what arrives for the node's ports on any other interface.
NODE_IP="${TCP_PLATFORM_NODE_IP:-10.246.0.1}"
NODE_POD_CIDR="${TCP_PLATFORM_NODE_POD_CIDR:-10.245.0.0/24}"
NODE_POD_GATEWAY="${NODE_POD_CIDR%.*}.1"
NODE_CGROUP=tcp-platform-node
NODE_GUARD=TCPP-NODE-GUARD
KUBELET_PORT="${TCP_PLATFORM_KUBELET_PORT:-10250}"
KUBELET_HEALTHZ_PORT=$((KUBELET_PORT - 2))
PROXY_HEALTHZ_PORT="${TCP_PLATFORM_PROXY_HEALTHZ_PORT:-10256}"
PROXY_METRICS_PORT=$((PROXY_HEALTHZ_PORT - 7))
CONTAINERD_SOCK="$NODE_DIR/containerd.sock"
# registry.k8s.io/pause at the version kubeadm 1.34 names; built from the kubernetes module's
# build/pause/linux/pause.c by scripts/images.sh.
PAUSE_IMAGE=registry.k8s.io/pause:3.10.1
# Host sysctls the node needs: kube-proxy's localhost NodePorts (route_localnet), forwarding
# between the pods' bridge and the host (the bridge plugin turns it on), and iptables seeing
# bridged pod-to-pod traffic (Service traffic between two pods on the bridge).
NODE_SYSCTLS=(net/ipv4/conf/all/route_localnet net/ipv4/ip_forward net/bridge/bridge-nf-call-iptables)

# shellcheck disable=SC2034 # read by cluster.sh
NODE_COMPONENTS=(containerd kubelet kube-proxy)

# Where each component's binary is: containerd is Debian's, the rest are built.
binary_of() {
  case $1 in
    containerd) echo /usr/bin/containerd ;;
    *) echo "$BIN/$1" ;;
  esac
}

# ---------------------------------------------------------------------------------------- build

node_build() {
  local t0 kv pkg ld v
  t0=$(now_ms)
  for pkg in containerd containerd-shim-runc-v2 runc iptables conntrack; do
    command -v "$pkg" >/dev/null || [ -x "/usr/sbin/$pkg" ] ||
      die "$pkg not found: the real node needs Debian's containerd, runc, iptables and conntrack packages"
  done
  kv=$(modver "$MODS/node" k8s.io/kubernetes)
  ld=$(kube_ldflags "$MODS/node")
  for pkg in kubelet kube-proxy; do
    build_bin "$pkg" "$kv" "$MODS/node" "k8s.io/kubernetes/cmd/$pkg" "$ld"
  done
  v=$(modver "$MODS/cni" github.com/containernetworking/plugins)
  for pkg in main/bridge main/loopback ipam/host-local meta/portmap; do
    build_bin "cni-${pkg#*/}" "$v" "$MODS/cni" "github.com/containernetworking/plugins/plugins/$pkg" ""
  done
  log "build: node done in $(secs_since "$t0")s"
}

# ------------------------------------------------------------------------------------ host setup

# The first up saves the sysctls' values; the last down puts them back.
save_sysctls() {
  [ -s "$STATE/node-sysctls.saved" ] && return 0
  local s
  for s in "${NODE_SYSCTLS[@]}"; do printf '%s %s\n' "$s" "$(cat "/proc/sys/$s")"; done >"$STATE/node-sysctls.saved"
}

restore_sysctls() {
  local s v
  [ -s "$STATE/node-sysctls.saved" ] || return 0
  while read -r s v; do
    if [ -w "/proc/sys/$s" ]; then echo "$v" >"/proc/sys/$s"; fi
  done <"$STATE/node-sysctls.saved"
  rm -f "$STATE/node-sysctls.saved"
}

node_network_up() {
  save_sysctls
  echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
  echo 1 >/proc/sys/net/ipv4/ip_forward
  # A veth pair stands in for a dummy interface (this kernel has no dummy driver): its one end
  # holds the node's address, the other end is unused.
  if ! ip link show "$NODE_IF" >/dev/null 2>&1; then
    ip link add "$NODE_IF" type veth peer name "${NODE_IF}p"
  fi
  ip link set "${NODE_IF}p" up
  ip addr replace "$NODE_IP/32" dev "$NODE_IF"
  ip link set "$NODE_IF" up
  # The API server listens on every address (it must serve 127.0.0.1 and the node's address) and
  # the kubelet on the node's address: accept those ports only from the host itself and the pods.
  iptables -w -N "$NODE_GUARD" 2>/dev/null || iptables -w -F "$NODE_GUARD"
  iptables -w -A "$NODE_GUARD" -i lo -j RETURN
  iptables -w -A "$NODE_GUARD" -i "$NODE_BRIDGE" -j RETURN
  iptables -w -A "$NODE_GUARD" -p tcp -m multiport --dports "$APISERVER_PORT,$KUBELET_PORT" -j DROP
  iptables -w -A "$NODE_GUARD" -d "$NODE_IP" -j DROP
  iptables -w -C INPUT -j "$NODE_GUARD" 2>/dev/null || iptables -w -I INPUT -j "$NODE_GUARD"
}

node_dirs_and_configs() {
  mkdir -p "$NODE_DIR"/{containerd,cni/bin,cni/net.d,cni/ipam,kubelet,kubelet-pki,runc}
  local p
  for p in bridge loopback host-local portmap; do ln -sfn "$BIN/cni-$p" "$NODE_DIR/cni/bin/$p"; done
  cat >"$NODE_DIR/containerd.toml" <<EOF
# Written by scripts/cluster.sh (real node). Everything under $NODE_DIR.
version = 2
root = "$NODE_DIR/containerd/root"
state = "$NODE_DIR/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$NODE_DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Processes here lack CAP_SYS_RESOURCE: lowering oom_score_adj fails, and with containerd's
  # default every sandbox fails in runc ("can't get final child's PID from pipe: EOF").
  restrict_oom_score_adj = true
  # Pod network namespaces under our state directory, not /var/run/netns.
  netns_mounts_under_state_dir = true
  enable_unprivileged_ports = false
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc || echo /usr/sbin/runc)"
        Root = "$NODE_DIR/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$NODE_DIR/cni/bin"
    conf_dir = "$NODE_DIR/cni/net.d"
    max_conf_num = 1
EOF
  cat >"$NODE_DIR/cni/net.d/10-tcp-platform.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "tcp-platform",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$NODE_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$NODE_DIR/cni/ipam",
        "ranges": [[{"subnet": "$NODE_POD_CIDR", "gateway": "$NODE_POD_GATEWAY"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
  # No cluster DNS here: pods get an empty resolv.conf (nothing they run resolves names).
  : >"$NODE_DIR/resolv.conf"
  cat >"$NODE_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
# This machine has a hybrid cgroup hierarchy (v1 controllers, an empty unified mount): cgroupfs,
# and no refusal of cgroup v1. No swap is configured, but the check stays off.
cgroupDriver: cgroupfs
cgroupRoot: /$NODE_CGROUP
failCgroupV1: false
failSwapOn: false
podCIDR: $NODE_POD_CIDR
resolvConf: $NODE_DIR/resolv.conf
clusterDomain: cluster.local
maxPods: 110
# Images are imported, never pulled: the kubelet must not garbage-collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
serializeImagePulls: false
shutdownGracePeriod: 0s
EOF
  cat >"$NODE_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $STATE/kubeconfigs/kube-proxy}
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $NODE_POD_CIDR
detectLocalMode: ClusterCIDR
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
# NodePorts answer on 127.0.0.1 only (kube-proxy's localhost NodePorts, route_localnet), never on
# the machine's other addresses.
nodePortAddresses: [127.0.0.0/8]
iptables: {localhostNodePorts: true, masqueradeAll: false, syncPeriod: 30s, minSyncPeriod: 0s}
# Leave the host's conntrack sysctls alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

# Node identities, signed by the cluster CA: the kubelet's client (system:node:<name>) and serving
# certificates, kube-proxy's, the API server's client for kubelet calls, the policy controller's.
node_certs() {
  [ "$(cat "$PKI/node-done" 2>/dev/null)" = "$NODE_NAME $NODE_IP" ] && return 0
  (
    umask 077
    cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "extendedKeyUsage=clientAuth"
    cert kubelet-serving "/CN=$NODE_NAME" "extendedKeyUsage=serverAuth
subjectAltName=IP:$NODE_IP,DNS:$NODE_NAME"
    cert kube-proxy "/CN=system:kube-proxy" "extendedKeyUsage=clientAuth"
    cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "extendedKeyUsage=clientAuth"
  )
  echo "$NODE_NAME $NODE_IP" >"$PKI/node-done"
}

node_kubeconfigs() {
  local c
  for c in kubelet kube-proxy; do write_kubeconfig "$STATE/kubeconfigs/$c" "$c"; done
}

ctr_() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }
node_ready() {
  kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -qx True
}

node_start() {
  node_network_up
  node_certs
  node_kubeconfigs
  node_dirs_and_configs
  local c
  for c in /sys/fs/cgroup/*/; do
    if [ -e "$c/cgroup.procs" ] && [ "$c" != /sys/fs/cgroup/unified/ ]; then mkdir -p "$c$NODE_CGROUP"; fi
  done

  start containerd --config "$NODE_DIR/containerd.toml" --log-level warn
  wait_for "containerd ready" 30 containerd ctr --address "$CONTAINERD_SOCK" version
  # The sandbox image and the apps' images, built by scripts/images.sh (cached) and imported.
  TCP_PLATFORM_CONTAINERD_SOCK="$CONTAINERD_SOCK" bash "$(dirname "${BASH_SOURCE[0]}")/images.sh" import

  start kubelet --config "$NODE_DIR/kubelet.yaml" --kubeconfig "$STATE/kubeconfigs/kubelet" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
    --root-dir "$NODE_DIR/kubelet" --cert-dir "$NODE_DIR/kubelet-pki" \
    --node-labels "type=real,tcp-platform.dev/node=real" -v 1
  start kube-proxy --config "$NODE_DIR/kube-proxy.yaml" -v 2
  wait_for "node $NODE_NAME Ready" 120 kubelet node_ready
  # No NetworkPolicy enforcement: SIG Network's kube-network-policies builds, but its nftables
  # rules need the kernel's nft "queue" expression, which this kernel lacks (README).
}

# ------------------------------------------------------------------------------------- cleanup

# Pids of the processes in our cgroups (the pods' containers) and of containerd's shims for our
# socket: they outlive containerd and the kubelet.
node_pod_pids() {
  local f
  for f in /sys/fs/cgroup/*/"$NODE_CGROUP"; do
    if [ -d "$f" ]; then find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null || true; fi
  done | sort -u
}
node_shim_pids() {
  local p args=()
  for p in /proc/[0-9]*; do
    [ "$p/exe" -ef /usr/bin/containerd-shim-runc-v2 ] || continue
    mapfile -d '' args <"$p/cmdline" 2>/dev/null || continue
    if [[ "${args[*]}" == *"$CONTAINERD_SOCK"* ]]; then echo "${p#/proc/}"; fi
  done
  return 0
}

# Idempotent, and complete after a crash: each step finds what is left by name or by path.
node_cleanup() {
  local pids i m c d
  stop kube-proxy kubelet
  for ((i = 0; i < 50; i++)); do
    pids=$(node_pod_pids)
    [ -z "$pids" ] && break
    # shellcheck disable=SC2086 # pids are digits only
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  [ -z "$(node_pod_pids)" ] || log "down: processes left in /$NODE_CGROUP: $(node_pod_pids | tr '\n' ' ')"
  stop containerd
  pids=$(node_shim_pids)
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
  # Mounts under the node's directory (pod volumes, rootfs overlays, sandbox /dev/shm, netns),
  # deepest first.
  if [ -d "$NODE_DIR" ]; then
    for ((i = 0; i < 3; i++)); do
      mapfile -t m < <(awk -v d="$NODE_DIR/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r)
      [ ${#m[@]} = 0 ] && break
      for d in "${m[@]}"; do umount "$d" 2>/dev/null || umount -l "$d" 2>/dev/null || true; done
    done
  fi
  for c in /sys/fs/cgroup/*/"$NODE_CGROUP"; do
    if [ -d "$c" ]; then find "$c" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
  done
  # kube-proxy's rules (KUBE-* chains) and the portmap plugin's (CNI-HOSTPORT-*), then ours.
  if [ -x "$BIN/kube-proxy" ] && iptables -w -t nat -S 2>/dev/null | grep -q '^-N KUBE-'; then
    "$BIN/kube-proxy" --cleanup --v=0 >/dev/null 2>&1 || true
  fi
  local t chains chain rule
  for t in nat filter mangle; do
    chains=$(iptables -w -t "$t" -S 2>/dev/null | awk '/^-N (CNI-|KUBE-)/ {print $2}' || true)
    [ -n "$chains" ] || continue
    # The jumps from the built-in chains, then the chains. eval: iptables -S quotes comments.
    iptables -w -t "$t" -S 2>/dev/null | awk '/^-A [A-Z]+ .*-j (CNI-|KUBE-)/ && $2 !~ /^(CNI-|KUBE-)/' |
      sed 's/^-A/-D/' | while read -r rule; do eval "iptables -w -t $t $rule" 2>/dev/null || true; done || true
    for chain in $chains; do iptables -w -t "$t" -F "$chain" 2>/dev/null || true; done
    for chain in $chains; do iptables -w -t "$t" -X "$chain" 2>/dev/null || true; done
  done
  if iptables -w -S "$NODE_GUARD" >/dev/null 2>&1; then
    while iptables -w -D INPUT -j "$NODE_GUARD" 2>/dev/null; do :; done
    iptables -w -F "$NODE_GUARD"
    iptables -w -X "$NODE_GUARD"
  fi
  for d in "$NODE_BRIDGE" "$NODE_IF"; do
    if ip link show "$d" >/dev/null 2>&1; then ip link del "$d"; fi
  done
  restore_sysctls
  rm -rf "$NODE_DIR"
  rm -f "$STATE/kubeconfigs/kubelet" "$STATE/kubeconfigs/kube-proxy"
}
