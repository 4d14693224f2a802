/** Metadata shared by every object the program creates itself. */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { PlannedAppBase } from "../model";

/**
 * The stack is the source of truth for the fields it sets: when someone edits them by hand
 * (`kubectl patch`, `kubectl edit`), Server-Side Apply reports a conflict with that field
 * manager, and `pulumi up` must take the fields back instead of failing. The same holds for
 * objects adopted from the Kustomize/Argo CD setup.
 */
export const ownershipAnnotations = { "pulumi.com/patchForce": "true" };

/** Metadata for an app's object: its fixed name, the selector labels and the stack's labels. */
export function objectMetadata(app: PlannedAppBase, name: string, namespace: pulumi.Input<string>): k8s.types.input.meta.v1.ObjectMeta & { name: string } {
    return { name, namespace, labels: { ...app.selector, ...app.labels }, annotations: ownershipAnnotations };
}
