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
# runc, kubelet, kube-proxy, CNI plugins; scripts/cluster/node.sh), whose pods run the images
# scripts/images.sh builds; the API server then also serves on the node's address, for the pods.
# Versions live in scripts/go/{etcd,kube,kwok,node,cni}/go.mod. Binaries go to
# $TCP_PLATFORM_CACHE/bin, runtime state (certs, etcd data, logs, pids, kubeconfigs, the node's
# containerd and kubelet directories) to $TCP_PLATFORM_CLUSTER_STATE ($TCP_PLATFORM_CACHE/cluster).
# Knobs: TCP_PLATFORM_APISERVER_PORT (16443), TCP_PLATFORM_ETCD_PORT (12379; peer port is +1),
# TCP_PLATFORM_CLUSTER_NODES (2 fake nodes), TCP_PLATFORM_CLUSTER_STATE, TCP_PLATFORM_NODE.
# Two planes run side by side with different state directories and ports; one real node at a time.
#
# The pieces, in scripts/cluster/: config.sh (every knob and name), build.sh, pki.sh (certificates
# and kubeconfigs), processes.sh (start, stop, wait), plane.sh (up, down, status, env), addons.sh
# (fake nodes, StorageClass, cert-manager CRDs), node.sh and node-config.sh (the real node).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/common.sh"
# shellcheck source=cluster/plane.sh source-path=SCRIPTDIR
. "$ROOT/scripts/cluster/plane.sh"

case "${1:-}" in
  build) cmd_build ;;
  up) cmd_up ;;
  down) cmd_down ;;
  env) cmd_env ;;
  status) cmd_status ;;
  cert-manager-crds) cmd_cert_manager_crds ;;
  *) usage 6,13 ;;
esac
