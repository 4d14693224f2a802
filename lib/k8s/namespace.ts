/** The namespaces the program creates: the apps' and Traefik's, labelled the same way. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ownershipAnnotations } from "./metadata";
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
