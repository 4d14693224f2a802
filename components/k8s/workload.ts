/**
 * Every use of @pulumi/kubernetesx lives here, so the library (archived upstream) can be
 * replaced in one place: kx registers the Deployment and the Secret. The pod spec, the workload's
 * metadata, selector and template labels are lib/objects/workload.ts's plain data, the objects
 * validation checked; kx passes a pod spec written as lists through unchanged.
 * `PodBuilder.asDeploymentSpec` would force `app: <container name>` (the seed needs
 * `app: tcp-echo` on container `proxy`), and kx's StatefulSet is a component that names the
 * governing Service after the Pulumi resource, so stateful apps are a plain StatefulSet.
 */
import * as k8s from "@pulumi/kubernetes";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import { Manifest } from "../../lib/objects/appObjects";

/** An app's credentials Secret, filled from Pulumi config secrets. */
export function credentialsSecret(name: string, secret: Manifest<{ type: string; stringData: Record<string, pulumi.Input<string>> }>, opts: pulumi.CustomResourceOptions): kx.Secret {
    return new kx.Secret(name, { metadata: secret.metadata, type: secret.type, stringData: secret.stringData }, opts);
}

/** The app's Deployment. */
export function appDeployment(name: string, deployment: Manifest<{ spec: k8s.types.input.apps.v1.DeploymentSpec }>, opts: pulumi.CustomResourceOptions): kx.Deployment {
    return new kx.Deployment(name, { metadata: deployment.metadata, spec: deployment.spec }, opts);
}

/** A stateful app's StatefulSet. */
export function appStatefulSet(name: string, statefulSet: Manifest<{ spec: k8s.types.input.apps.v1.StatefulSetSpec }>, opts: pulumi.CustomResourceOptions): k8s.apps.v1.StatefulSet {
    return new k8s.apps.v1.StatefulSet(name, { metadata: statefulSet.metadata, spec: statefulSet.spec }, opts);
}
