/**
 * The Gateway API objects of gateway routing: the CRDs, as the release Traefik is built against
 * ships them (generated verbatim from the Go module into lib/crds/gatewayApiCrds.yaml), and the
 * stack's Gateway.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { gatewayApiCrdObjects } from "../../lib/crds/gatewayApiBundle";
import { PlannedGateway } from "../../lib/traefikModel";
import { GatewaySpec, gatewayKind } from "../../lib/crds/gateway";
import { ownershipAnnotations } from "../../lib/objects/metadata";
import { gatewayManifest } from "../../lib/objects/platformObjects";
import { TypedCustomResource } from "./customResources";

/**
 * The Gateway API CRDs, labelled as this stack's and kept when it is destroyed: every Gateway
 * controller of the cluster uses them, and deleting one deletes every object of its kind.
 */
export function gatewayApiCrds(name: string, labels: Record<string, string>, opts: pulumi.CustomResourceOptions): k8s.apiextensions.v1.CustomResourceDefinition[] {
    return gatewayApiCrdObjects().map((crd) => new k8s.apiextensions.v1.CustomResourceDefinition(`${name}-${crd.metadata.name}`, {
        metadata: { ...crd.metadata, labels: { ...crd.metadata.labels, ...labels }, annotations: { ...crd.metadata.annotations, ...ownershipAnnotations } },
        spec: crd.spec as k8s.types.input.apiextensions.v1.CustomResourceDefinitionSpec,
    }, { ...opts, retainOnDelete: true }));
}

/** The stack's Gateway: of its Traefik's GatewayClass, a listener per TCP app. */
export function gateway(name: string, planned: PlannedGateway, namespace: pulumi.Input<string>, labels: Record<string, string>, opts: pulumi.CustomResourceOptions): TypedCustomResource<GatewaySpec> {
    const { metadata, spec } = gatewayManifest(planned, namespace, labels);
    return new TypedCustomResource(gatewayKind, name, { metadata, spec }, opts);
}
