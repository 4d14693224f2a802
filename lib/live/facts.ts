/**
 * What the cluster holds under the plan's names, read once before anything is registered: the
 * planned objects, every Service (NodePorts), the CRDs the plan's kinds need, what the planned
 * namespaces hold that the stack does not own, and the stack's claims.
 */
import { ClusterReader, LiveMeta, LiveRead, LiveService, objectKey } from "./cluster";
import { traefikCrdsOf } from "./crdFields";
import { liveClaims } from "./storage";
import { describeOwner, ownerLabels, ownerOf, sameOwner } from "../ownership";
import { ObjectRef, PlatformPlan } from "../model";
import { PROJECT } from "../constants";
import { chartFullname } from "../traefik/profile";

/** The CustomResourceDefinition `name`, as an object to read; `path` is the key that needs it. */
function crdRef(name: string, path = ""): ObjectRef {
    return { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name, path };
}

/** The CRD whose presence stands for all of the chart's CRDs (they are installed together). */
export const SENTINEL_CRD: ObjectRef = crdRef("ingressroutetcps.traefik.io", `${PROJECT}:traefik.chart`);

/**
 * The Gateway API CRD whose presence stands for the release the cluster has: TCPRoute, the kind
 * Traefik 3.7 reads through v1alpha2, which only the experimental channel serves.
 */
export const GATEWAY_SENTINEL_CRD: ObjectRef = crdRef("tcproutes.gateway.networking.k8s.io", `${PROJECT}:traefik.routing`);

/** The Prometheus Operator's CRDs the program's PodMonitor and PrometheusRule need (monitoring.coreos.com/v1). */
export const OPERATOR_CRDS: ObjectRef[] = ["podmonitors", "prometheusrules"].map((plural) => crdRef(`${plural}.monitoring.coreos.com`, `${PROJECT}:monitoring`));

/**
 * Kinds the plan may use whose CRDs no stack installs (another project's operator does): each
 * one's CRD, who installs it, and what the stack can write instead.
 */
export interface OperatorKind { apiVersion: string; kind: string; crd: string; installer: string; without: string }
export const OPERATOR_KINDS: readonly OperatorKind[] = [{
    apiVersion: "cert-manager.io/v1", kind: "Certificate", crd: "certificates.cert-manager.io",
    installer: "cert-manager (https://cert-manager.io/docs/installation/; its CRDs alone do for a preview)",
    without: "tls.certificate: {secretName: <a kubernetes.io/tls Secret in the app's namespace>} instead of an issuer",
}];

/** The operator kinds among the plan's objects. */
export function operatorKindsOf(plan: Pick<PlatformPlan, "objects">): OperatorKind[] {
    return OPERATOR_KINDS.filter((k) => plan.objects.some((ref) => ref.apiVersion === k.apiVersion && ref.kind === k.kind));
}

/** What the cluster holds under the plan's names. */
export interface LiveFacts {
    /** For each planned object (objectKey), what a GET found. */
    objects: Map<string, LiveRead>;
    /** Every Service of the cluster: who holds which NodePort, and where this stack's Traefik runs. */
    services: LiveService[];
    /** Traefik's CRDs, as the sentinel CRD shows them. */
    crds: LiveRead;
    /** The Gateway API CRDs, as their sentinel shows them (read in gateway routing only). */
    gatewayCrds?: LiveRead;
    /** The Prometheus Operator's CRDs (read with monitoring only). */
    operatorCrds?: LiveRead[];
    /** The CRD of each operator kind the plan uses, by CRD name. */
    operatorKindCrds: Map<string, LiveRead>;
    /** Where Traefik's CRDs exist: the CRD of each traefik.io kind the plan's objects use, by CRD name. */
    traefikKindCrds: Map<string, LiveRead>;
    /** For each planned namespace that exists, what it holds that the stack does not own (foreignContents). */
    foreign: Map<string, string[]>;
    /** The StorageClasses of existing claims the plan would grow. */
    storageClasses: Map<string, LiveRead>;
    /** The stack's claims, wherever they are. */
    ownClaims: LiveMeta[];
    /** The Deployment the chart makes for this stack's Traefik, as it runs now. */
    traefikDeployment: LiveRead;
}

/** Where the chart puts this stack's Traefik Deployment (26 and 41 alike). */
export function traefikDeploymentRef(plan: PlatformPlan): ObjectRef {
    return { apiVersion: "apps/v1", kind: "Deployment", namespace: plan.traefik.namespace, name: chartFullname(plan.traefik.releaseName), path: `${PROJECT}:traefik` };
}

export async function readLiveFacts(plan: PlatformPlan, reader: ClusterReader): Promise<LiveFacts> {
    const [reads, services, crds, ownClaims, traefikDeployment, gatewayCrds, operatorCrds, operatorKindCrds] = await Promise.all([
        Promise.all(plan.objects.map(async (ref) => [objectKey(ref), await reader.read(ref)] as const)),
        reader.services(),
        reader.read(SENTINEL_CRD),
        reader.claims(ownerLabels(plan.identity)),
        reader.read(traefikDeploymentRef(plan)),
        plan.traefik.gateway ? reader.read(GATEWAY_SENTINEL_CRD) : undefined,
        plan.traefik.monitoring ? Promise.all(OPERATOR_CRDS.map((crd) => reader.read(crd))) : undefined,
        Promise.all(operatorKindsOf(plan).map(async ({ crd }) => [crd, await reader.read(crdRef(crd))] as const)),
    ]);
    const objects = new Map(reads);
    // Their schemas matter only where the CRDs exist: a stack that installs them installs its chart's.
    const traefikKindCrds = typeof crds === "object" ? await Promise.all(traefikCrdsOf(plan).map(async (name) => [name, await reader.read(crdRef(name))] as const)) : [];
    const existingNamespaces = plan.objects.filter((ref) => ref.kind === "Namespace" && typeof objects.get(objectKey(ref)) === "object");
    const foreign = await Promise.all(existingNamespaces.map(async ({ name }) => [name, foreignContents(await reader.namespaceContents(name), plan)] as const));
    const classes = [...new Set(liveClaims(plan, objects).filter((c) => c.grows).map((c) => c.live.storageClass ?? ""))].filter((name) => name !== "");
    const storageClasses = await Promise.all(classes.map(async (name) =>
        [name, await reader.read({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", name, path: "" })] as const));
    return {
        objects, services, crds, foreign: new Map(foreign.filter(([, held]) => held.length > 0)), storageClasses: new Map(storageClasses), ownClaims, traefikDeployment,
        operatorKindCrds: new Map(operatorKindCrds), traefikKindCrds: new Map(traefikKindCrds),
        ...(gatewayCrds ? { gatewayCrds } : {}),
        ...(operatorCrds ? { operatorCrds } : {}),
    };
}

/**
 * What in a namespace the stack does not own, so that deleting the namespace would delete it:
 * another stack's or nobody's objects, and claims (kept on purpose: they hold data). Objects that
 * Kubernetes makes in every namespace, and objects owned by others through ownerReferences (pods
 * of a ReplicaSet being deleted), do not count.
 */
export function foreignContents(contents: (LiveMeta & { kind: string })[], plan: Pick<PlatformPlan, "identity">): string[] {
    const everyNamespaceHas = new Set(["ServiceAccount/default", "ConfigMap/kube-root-ca.crt"]);
    // Kept by controllers for objects being deleted (Endpoints mirror a Service), or only records.
    const mirrors = new Set(["Event", "Endpoints"]);
    return contents
        .filter((o) => !everyNamespaceHas.has(`${o.kind}/${o.name}`) && !mirrors.has(o.kind) && o.ownerReferences.length === 0)
        .filter((o) => o.kind === "PersistentVolumeClaim" || !sameOwner(ownerOf(o.labels), plan.identity))
        .map((o) => `${o.kind.toLowerCase()}/${o.name} (${o.kind === "PersistentVolumeClaim" ? "data" : describeOwner(ownerOf(o.labels))})`);
}
