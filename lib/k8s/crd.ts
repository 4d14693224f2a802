/** Typed custom resources: a misspelt field fails to compile instead of being dropped by the API server. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface CustomResourceArgs<Spec> {
    metadata: k8s.types.input.meta.v1.ObjectMeta;
    spec: pulumi.Input<Spec>;
}

/** A resource class for one apiVersion and kind whose `spec` is `Spec`. */
export function customResourceClass<Spec>(apiVersion: string, kind: string) {
    return class extends k8s.apiextensions.CustomResource {
        constructor(name: string, args: CustomResourceArgs<Spec>, opts?: pulumi.CustomResourceOptions) {
            super(name, { apiVersion, kind, ...args }, opts);
        }
    };
}
