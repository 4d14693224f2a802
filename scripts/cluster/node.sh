# The real node of scripts/cluster.sh (TCP_PLATFORM_NODE=real): Debian's containerd and runc, and
# kubelet, kube-proxy, the CNI plugins and kube-router's NetworkPolicy controller built from Go
# modules (build.sh), running the pods the program deploys from images built locally
# (scripts/images.sh). Its files: node-config.sh.
#
# What the node adds to the host, all of it removed by node_cleanup (cluster.sh down), also after
# a crash: an interface with the node's address, the pods' bridge and their veths, the pods'
# network namespaces (mounted under $NODE_DIR), iptables rules (kube-proxy's KUBE-* chains,
# kube-router's KUBE-ROUTER-*, KUBE-POD-FW-* and KUBE-NWPLCY-* chains, the portmap plugin's CNI-*
# chains, our guard chain), kube-router's ipsets (KUBE-SRC-*, KUBE-DST-*), cgroups under
# /$NODE_CGROUP, mounts under $NODE_DIR, three sysctls (restored to the values they had), and
# containerd's state in $NODE_DIR.
# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$ROOT/scripts/lib/common.sh"
# shellcheck source=config.sh
. "$ROOT/scripts/cluster/config.sh"
# shellcheck source=processes.sh
. "$ROOT/scripts/cluster/processes.sh"
# shellcheck source=pki.sh
. "$ROOT/scripts/cluster/pki.sh"
# shellcheck source=node-config.sh
. "$ROOT/scripts/cluster/node-config.sh"

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
  TCP_PLATFORM_CONTAINERD_SOCK="$CONTAINERD_SOCK" bash "$ROOT/scripts/images.sh" import

  start kubelet --config "$NODE_DIR/kubelet.yaml" --kubeconfig "$STATE/kubeconfigs/kubelet" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
    --root-dir "$NODE_DIR/kubelet" --cert-dir "$NODE_DIR/kubelet-pki" \
    --node-labels "type=real,tcp-platform.dev/node=real" -v 1
  start kube-proxy --config "$NODE_DIR/kube-proxy.yaml" -v 2
  wait_for "node $NODE_NAME Ready" 120 kubelet node_ready
  # It finds its node by name, so after the kubelet registered it; `up` returns once it enforces.
  node_policy_start
}

# ------------------------------------------------------------------ NetworkPolicy enforcement

# kube-router's NetworkPolicy controller enforces the policies the program renders: per-pod
# iptables chains (KUBE-ROUTER-*, KUBE-POD-FW-*, KUBE-NWPLCY-*) matching ipsets of pod addresses
# (KUBE-SRC-*, KUBE-DST-*). Only its firewall runs: no BGP routing, no IPVS service proxy
# (kube-proxy serves the Services). TEST TIER ONLY: kube-router v2.1.0 has reported security
# flaws, and nothing the project ships runs it (docs/local-cluster.md). SIG Network's
# kube-network-policies cannot be used here: its rules need nftables' `queue` expression, which
# this kernel lacks.
#
# Its identity may read what the controller watches, and nothing else (upstream's ClusterRole
# without the router's and load balancer's writes).
node_policy_rbac() {
  kc apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: $NODE_POLICY_USER}
rules:
- apiGroups: [""]
  resources: [namespaces, pods, services, nodes, endpoints]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: $NODE_POLICY_USER}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: $NODE_POLICY_USER}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: $NODE_POLICY_USER}
EOF
}

# The controller has made its top-level chains and the jump to them from FORWARD: its first sync.
node_policy_synced() {
  local rules
  rules=$(iptables -w -S FORWARD 2>/dev/null) && grep -q -- '-j KUBE-ROUTER-FORWARD' <<<"$rules"
}

node_policy_start() {
  node_policy_rbac
  # No health or metrics port: they would listen on every address.
  start kube-router --kubeconfig "$STATE/kubeconfigs/kube-router" --hostname-override "$NODE_NAME" \
    --run-firewall=true --run-router=false --run-service-proxy=false --run-loadbalancer=false \
    --service-cluster-ip-range "$SERVICE_CIDR" --service-node-port-range 30000-32767 \
    --enable-ipv4=true --enable-ipv6=false --health-port 0 --metrics-port 0 -v 1
  wait_for "kube-router's NetworkPolicy chains" 60 kube-router node_policy_synced
}

# kube-router's ipsets (its own name shapes, IPv6 ones prefixed inet6:), destroyed once no rule
# refers to them: after its chains are gone.
node_policy_ipsets() {
  command -v ipset >/dev/null || return 0
  ipset list -n 2>/dev/null | grep -E '^(inet6:)?(KUBE-(SRC|DST)-|TMP-)[A-Z2-7]{16}$' || true
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
  stop kube-router kube-proxy kubelet
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
  # kube-proxy's rules (KUBE-* chains), kube-router's (KUBE-ROUTER-*, KUBE-POD-FW-*,
  # KUBE-NWPLCY-*: KUBE-* too) and the portmap plugin's (CNI-HOSTPORT-*), then ours.
  if [ -x "$BIN/kube-proxy" ] && grep -q '^-N KUBE-' <<<"$(iptables -w -t nat -S 2>/dev/null)"; then
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
  local set
  for set in $(node_policy_ipsets); do ipset destroy "$set" 2>/dev/null || true; done
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
  rm -f "$STATE/kubeconfigs/kubelet" "$STATE/kubeconfigs/kube-proxy" "$STATE/kubeconfigs/kube-router"
}
