/** The namespaces the program creates: the apps' and Traefik's, labelled the same way. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ownershipAnnotations } from "./metadata";
import { defaultDenyIngressSpec } from "./networkPolicy";
import { namespaceLabels, PodSecurityLevel } from "./podSecurity";

export interface NamespaceArgs {
    name: string;
    /** The stack's labels and its ownership. */
    labels: Record<string, string>;
    /** Pod Security level enforced on it. */
    podSecurity: PodSecurityLevel;
}

export function namespace(resourceName: string, args: NamespaceArgs, opts?: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(resourceName, {
        metadata: { name: args.name, labels: { ...args.labels, ...namespaceLabels(args.podSecurity) }, annotations: ownershipAnnotations },
    }, opts);
}

/**
 * An app namespace, with the NetworkPolicy that denies all ingress to its pods unless an app's own
 * policy admits it. `retainOnDelete` where a destroy must keep it (it holds data, or objects of others).
 */
export function appNamespace(args: NamespaceArgs & { retainOnDelete: boolean }): k8s.core.v1.Namespace {
    const ns = namespace(`${args.name}-namespace`, args, { retainOnDelete: args.retainOnDelete });
    new k8s.networking.v1.NetworkPolicy(`${args.name}-default-deny-ingress`, {
        metadata: { name: "default-deny-ingress", namespace: ns.metadata.name, labels: args.labels, annotations: ownershipAnnotations },
        spec: defaultDenyIngressSpec(),
    }, { parent: ns });
    return ns;
}
