/**
 * The Gateway API objects of gateway routing: the CRDs, as the release Traefik is built against
 * ships them (generated verbatim from the Go module into crds/gatewayApiCrds.yaml), and the
 * stack's Gateway.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PlannedGateway, gatewayListeners } from "../plan/plan";
import { Gateway } from "./crds/gateway";
import { ownershipAnnotations } from "./metadata";

/** A CRD of the bundle, as far as the program reads it. */
export interface CrdObject {
    kind: string;
    metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: unknown;
}

/** The CRD bundle, parsed: one object per CRD. */
export function gatewayApiCrdObjects(): CrdObject[] {
    const text = fs.readFileSync(path.join(__dirname, "crds", "gatewayApiCrds.yaml"), "utf8");
    return YAML.parseAllDocuments(text).map((doc) => doc.toJS() as CrdObject | null).filter((o): o is CrdObject => o?.kind === "CustomResourceDefinition");
}

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
export function gateway(name: string, planned: PlannedGateway, namespace: pulumi.Input<string>, labels: Record<string, string>, opts: pulumi.CustomResourceOptions): Gateway {
    return new Gateway(name, {
        metadata: { name: planned.name, namespace, labels, annotations: ownershipAnnotations },
        spec: { gatewayClassName: planned.className, listeners: gatewayListeners(planned.listeners) },
    }, opts);
}
