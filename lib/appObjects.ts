/** Object metadata and secret wiring that the app components share. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlannedApp } from "./plan";

/** Metadata for an app's object: its fixed name, the selector labels and the stack's labels. */
export function objectMetadata(app: PlannedApp, name: string, namespace: pulumi.Input<string>): k8s.types.input.meta.v1.ObjectMeta {
    return { name, namespace, labels: { ...app.selector, ...app.labels } };
}

/** The secret values an app reads, keyed by env var; undefined when it reads none. */
export function secretValuesFor(app: PlannedApp, secrets: Record<string, pulumi.Output<string>>): Record<string, pulumi.Output<string>> | undefined {
    if (app.secretEnv.length === 0) {
        return undefined;
    }
    return Object.fromEntries(app.secretEnv.map((s) => [s.env, secrets[s.configKey]]));
}
