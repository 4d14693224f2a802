# What a usable plane serves besides its components: kwok's fake nodes, a default StorageClass,
# and cert-manager's CRDs.
# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$ROOT/scripts/lib/common.sh"
# shellcheck source=config.sh
. "$ROOT/scripts/cluster/config.sh"

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

nodes_ready() {
  local want=$1 ready
  ready=$(kc get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    grep -c '^True$' || true)
  [ "$ready" -ge "$want" ]
}

# Claims (the databases' StatefulSets) need a default StorageClass, as every cluster has one. The
# controller-manager's host-path provisioner serves it: a directory under /tmp/hostpath_pv per
# claim, deleted with the volume. For one-node test clusters only, as upstream says.
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
