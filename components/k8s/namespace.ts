/** The namespaces the program creates: the apps' and Traefik's, labelled the same way. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaultDenyManifest, namespaceManifest } from "../../lib/objects/platformObjects";
import { PodSecurityLevel } from "../../lib/objects/podSecurity";

export interface NamespaceArgs {
    name: string;
    /** The stack's labels and its ownership. */
    labels: Record<string, string>;
    /** Pod Security level enforced on it. */
    podSecurity: PodSecurityLevel;
}

export function namespace(resourceName: string, args: NamespaceArgs, opts?: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(resourceName, { metadata: namespaceManifest(args.name, args.labels, args.podSecurity).metadata }, opts);
}

/**
 * An app namespace, with the NetworkPolicy that denies all ingress to its pods unless an app's own
 * policy admits it. `retainOnDelete` where a destroy must keep it (it holds data, or objects of others).
 */
export function appNamespace(args: NamespaceArgs & { retainOnDelete: boolean }): k8s.core.v1.Namespace {
    const ns = namespace(`${args.name}-namespace`, args, { retainOnDelete: args.retainOnDelete });
    const { metadata, spec } = defaultDenyManifest(ns.metadata.name, args.labels);
    new k8s.networking.v1.NetworkPolicy(`${args.name}-default-deny-ingress`, { metadata, spec }, { parent: ns });
    return ns;
}
