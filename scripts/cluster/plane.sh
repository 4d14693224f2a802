# The plane's life: up (build, certificates, start and wait for every component), down, status,
# env. Up and down hold the state directory's lock: one at a time per plane.
# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$ROOT/scripts/lib/common.sh"
# shellcheck source=config.sh
. "$ROOT/scripts/cluster/config.sh"
# shellcheck source=processes.sh
. "$ROOT/scripts/cluster/processes.sh"
# shellcheck source=pki.sh
. "$ROOT/scripts/cluster/pki.sh"
# shellcheck source=build.sh
. "$ROOT/scripts/cluster/build.sh"
# shellcheck source=addons.sh
. "$ROOT/scripts/cluster/addons.sh"
# shellcheck source=node.sh
. "$ROOT/scripts/cluster/node.sh"

apiserver_ready() {
  curl -fsS --max-time 2 --cacert "$PKI/ca.crt" "https://127.0.0.1:$APISERVER_PORT/readyz"
}
# kcm and scheduler serve /healthz without auth on a self-signed cert of their own.
healthz() { curl -fsSk --max-time 2 "https://127.0.0.1:$1/healthz"; }

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

stop_all() {
  # The node first (it needs the API server to stop its pods cleanly), then the etcd clients: an
  # apiserver that loses etcd while shutting down only slows down.
  [ ! -d "$NODE_DIR" ] || node_cleanup
  stop kwok kube-scheduler kube-controller-manager kube-apiserver
  stop etcd
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
