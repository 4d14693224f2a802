/**
 * Network policies: each app namespace denies all ingress by default, and each app admits
 * traffic to its pods only from the Traefik pods, on its own port, plus the clients a stack
 * lists in `allowFrom`. With monitoring, Traefik's pods admit anyone on the entryPoints of their
 * Service and only the scraper on the metrics port.
 */
import type * as k8s from "@pulumi/kubernetes";
import { PeerConfig } from "../config/schema";
import { PlannedAppBase } from "../model";
import { PlannedMonitoring, PlannedTraefik } from "../traefikModel";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

/** Every pod of the Traefik chart carries this label, whatever the release name. */
export const traefikPodLabels = { "app.kubernetes.io/name": "traefik" };

// Kubernetes sets this label on every namespace (1.21+), so a namespace is selectable by name.
const namespaceNameLabel = "kubernetes.io/metadata.name";

export function defaultDenyIngressSpec(): NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Ingress"] };
}

export function appIngressSpec(app: PlannedAppBase, traefikNamespace: string): NetworkPolicySpec {
    const peers = [
        { namespace: traefikNamespace, podLabels: traefikPodLabels as Record<string, string> | undefined },
        ...app.allowFrom,
    ];
    return {
        podSelector: { matchLabels: app.selector },
        policyTypes: ["Ingress"],
        ingress: [{ from: peers.map(peerSelector), ports: [{ port: app.container.port, protocol: app.protocol }] }],
    };
}

/** A peer of a policy: namespace and pod selectors in one peer, so both must match. */
function peerSelector(peer: PeerConfig): k8s.types.input.networking.v1.NetworkPolicyPeer {
    return {
        namespaceSelector: { matchLabels: { [namespaceNameLabel]: peer.namespace } },
        ...(peer.podLabels ? { podSelector: { matchLabels: peer.podLabels } } : {}),
    };
}

/**
 * Traefik's pods: every port its Service exposes (the chart's web and websecure, the apps'
 * entryPoints) from anywhere, as before the policy; the metrics port from the scraper's pods only;
 * nothing else (the kubelet's probes come from the node, which policies do not restrict).
 */
export function traefikIngressSpec(traefik: PlannedTraefik, monitoring: PlannedMonitoring): NetworkPolicySpec {
    const exposed = [
        ...traefik.profile.builtinEntryPoints.filter((b) => b.exposedPort !== undefined).map((b) => ({ port: b.port, protocol: "TCP" })),
        ...traefik.entryPoints.map((ep) => ({ port: ep.port, protocol: ep.protocol })),
    ];
    return {
        podSelector: { matchLabels: monitoring.podSelector },
        policyTypes: ["Ingress"],
        ingress: [
            { ports: exposed },
            { from: [peerSelector(monitoring.scraper)], ports: [{ port: monitoring.port, protocol: "TCP" }] },
        ],
    };
}
