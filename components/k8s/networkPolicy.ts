/**
 * Network policies: each app namespace denies all ingress by default, and each app admits
 * traffic to its pods only from the Traefik pods, on its own port, plus the clients a stack
 * lists in `allowFrom`.
 */
import * as k8s from "@pulumi/kubernetes";
import { PlannedAppBase } from "../../lib/model";

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
        ingress: [{
            // Namespace and pod selectors in one peer: both must match.
            from: peers.map((peer) => ({
                namespaceSelector: { matchLabels: { [namespaceNameLabel]: peer.namespace } },
                ...(peer.podLabels ? { podSelector: { matchLabels: peer.podLabels } } : {}),
            })),
            ports: [{ port: app.container.port, protocol: app.protocol }],
        }],
    };
}
