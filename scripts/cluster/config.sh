# The local cluster's knobs and names, shared by every piece of scripts/cluster/ (sourced after a
# script's opening): where its state lives, its ports, which kind of node, and the real node's
# addresses. Every TCP_PLATFORM_* variable the cluster reads is read here.
# shellcheck shell=bash disable=SC2034 # read by the pieces that source this file

STATE="${TCP_PLATFORM_CLUSTER_STATE:-$TCP_PLATFORM_CACHE/cluster}"
MODS="$ROOT/scripts/go"
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

# The real node (TCP_PLATFORM_NODE=real; node.sh).
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

# The NetworkPolicy controller: kube-router, its firewall only (test tier only: node.sh). Its
# identity's user name, bound to a ClusterRole of the same name.
NODE_POLICY_USER=system:tcp-platform:kube-router

NODE_COMPONENTS=(containerd kubelet kube-proxy kube-router)

# What `up` starts and `status` reports.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
if [ "$NODE_MODE" = real ]; then
  COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler "${NODE_COMPONENTS[@]}")
fi

# kubectl against this plane, as its admin.
kc() { kubectl --kubeconfig "$KUBECONFIG_OUT" "$@"; }
