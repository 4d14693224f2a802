# The cluster's certificates and kubeconfigs: one CA for everything, a key and certificate per
# component (and per real-node identity), and kubeconfigs with the data embedded.
# shellcheck shell=bash source-path=SCRIPTDIR
# shellcheck source=../lib/common.sh
. "$ROOT/scripts/lib/common.sh"
# shellcheck source=config.sh
. "$ROOT/scripts/cluster/config.sh"

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

# Node identities, signed by the cluster CA: the kubelet's client (system:node:<name>) and serving
# certificates, kube-proxy's, the API server's client for kubelet calls, the NetworkPolicy
# controller's (kube-router; its ClusterRole: node.sh).
node_certs() {
  [ "$(cat "$PKI/node-done" 2>/dev/null)" = "$NODE_NAME $NODE_IP kube-router" ] && return 0
  (
    umask 077
    cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "extendedKeyUsage=clientAuth"
    cert kubelet-serving "/CN=$NODE_NAME" "extendedKeyUsage=serverAuth
subjectAltName=IP:$NODE_IP,DNS:$NODE_NAME"
    cert kube-proxy "/CN=system:kube-proxy" "extendedKeyUsage=clientAuth"
    cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "extendedKeyUsage=clientAuth"
    cert kube-router "/CN=$NODE_POLICY_USER" "extendedKeyUsage=clientAuth"
  )
  echo "$NODE_NAME $NODE_IP kube-router" >"$PKI/node-done"
}

node_kubeconfigs() {
  local c
  for c in kubelet kube-proxy kube-router; do write_kubeconfig "$STATE/kubeconfigs/$c" "$c"; done
}
