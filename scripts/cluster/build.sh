# The cluster's binaries, each through go_build from its wrapper module in scripts/go/ (the
# version there decides; a changed go.mod/go.sum or Go version rebuilds): etcd, the Kubernetes
# control plane, kwok and its stages, and the real node's kubelet, kube-proxy, CNI plugins
# and NetworkPolicy controller (kube-router).
# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$ROOT/scripts/lib/common.sh"
# shellcheck source=config.sh
. "$ROOT/scripts/cluster/config.sh"

# kube_build DIR COMMAND...: k8s.io/kubernetes/cmd/COMMAND at the version the wrapper module in
# DIR pins, with the version variables upstream's release build stamps (hack/lib/version.sh);
# without them the binaries report v0.0.0-master, which confuses version-checking clients.
kube_build() {
  local dir=$1 kv minor date pkg ld=""
  shift
  kv=$(modver "$dir" k8s.io/kubernetes)
  minor=$(echo "$kv" | cut -d. -f2)
  date=$(modver "$dir" k8s.io/kubernetes '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}')
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=$kv -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ld="$ld -X $pkg.gitTreeState=clean -X $pkg.gitCommit= -X $pkg.buildDate=$date"
  done
  for pkg in "$@"; do
    go_build "$pkg" "$dir" "k8s.io/kubernetes/cmd/$pkg" --version "$kv" --ldflags "$ld"
  done
}

cmd_build() {
  command -v go >/dev/null || die "go not found (needs Go >= 1.26)"
  lock "$STATE/.lock"
  local t0 v
  t0=$(now_ms)

  v=$(modver "$MODS/etcd" go.etcd.io/etcd/server/v3)
  go_build etcd "$MODS/etcd" go.etcd.io/etcd/server/v3 --version "$v" \
    --ldflags "-X go.etcd.io/etcd/api/v3/version.GitSHA=module-$v"
  kube_build "$MODS/kube" kube-apiserver kube-controller-manager kube-scheduler

  if [ "$NODE_MODE" = real ]; then
    node_build
    log "build: done in $(secs_since "$t0")s"
    return 0
  fi
  v=$(modver "$MODS/kwok" sigs.k8s.io/kwok)
  go_build kwok "$MODS/kwok" sigs.k8s.io/kwok/cmd/kwok --version "$v"
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

# The real node's: Debian's containerd, runc, iptables, conntrack and ipset must be there; kubelet
# and kube-proxy are built from scripts/go/node, the CNI plugins from scripts/go/cni, the
# NetworkPolicy controller (kube-router, test tier only) from scripts/go/kube-router.
node_build() {
  local t0 pkg v
  t0=$(now_ms)
  for pkg in containerd containerd-shim-runc-v2 runc iptables conntrack ipset; do
    command -v "$pkg" >/dev/null || [ -x "/usr/sbin/$pkg" ] ||
      die "$pkg not found: the real node needs Debian's containerd, runc, iptables, conntrack and ipset packages"
  done
  kube_build "$MODS/node" kubelet kube-proxy
  v=$(modver "$MODS/cni" github.com/containernetworking/plugins)
  for pkg in main/bridge main/loopback ipam/host-local meta/portmap; do
    go_build "cni-${pkg#*/}" "$MODS/cni" "github.com/containernetworking/plugins/plugins/$pkg" --version "$v"
  done
  # Stamped as upstream's release build does (its Makefile's -X flags): it logs its version.
  v=$(modver "$MODS/kube-router" github.com/cloudnativelabs/kube-router/v2)
  go_build kube-router "$MODS/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router --version "$v" \
    --ldflags "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$v -X github.com/cloudnativelabs/kube-router/v2/pkg/version.BuildDate=$(modver "$MODS/kube-router" github.com/cloudnativelabs/kube-router/v2 '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}')"
  log "build: node done in $(secs_since "$t0")s"
}
