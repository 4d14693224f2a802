/**
 * Typed custom resources: an object of a kind the program creates (lib/crds: generated from the
 * charts' and Gateway API's CRDs, or typed by hand), whose spec must be of that kind's type, so a
 * misspelt field fails to compile instead of being dropped by the API server.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CrdKind } from "../../lib/crds/kind";

export interface CustomResourceArgs<Spec> {
    metadata: k8s.types.input.meta.v1.ObjectMeta;
    spec: pulumi.Input<Spec>;
}

/** An object of `kind`; its Pulumi type is `kubernetes:<apiVersion>:<kind>`, as for any custom resource. */
export class TypedCustomResource<Spec> extends k8s.apiextensions.CustomResource {
    constructor(kind: CrdKind<Spec>, name: string, args: CustomResourceArgs<Spec>, opts?: pulumi.CustomResourceOptions) {
        super(name, { apiVersion: kind.apiVersion, kind: kind.kind, ...args }, opts);
    }
}
