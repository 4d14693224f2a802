/**
 * Reads the cluster the Kubernetes provider deploys to, before anything changes: what already
 * exists under the planned names, and who owns it. Plain GETs through the kubeconfig the provider
 * uses (`kubernetes:kubeconfig` / `kubernetes:context`, else KUBECONFIG, else ~/.kube/config);
 * @kubernetes/client-node loads it and applies its credentials (certificates, tokens, exec plugins).
 */
import * as https from "https";
import { ObjectRef } from "../model";

/** The part of a CRD version's OpenAPI v3 schema that says which fields exist (lib/live/crdFields.ts reads it). */
export interface SchemaNode {
    properties?: Record<string, SchemaNode>;
    items?: SchemaNode;
    additionalProperties?: boolean | SchemaNode;
    "x-kubernetes-preserve-unknown-fields"?: boolean;
}

/** Metadata of a live object, as far as ownership needs it. */
export interface LiveMeta {
    name: string;
    namespace?: string;
    labels: Record<string, string>;
    ownerReferences: { kind: string; name: string }[];
    /** A claim's requested size and class. */
    claim?: { size?: string; storageClass?: string };
    /** A StorageClass: whether its claims may grow. */
    allowVolumeExpansion?: boolean;
    /** A CustomResourceDefinition: the versions it serves, its annotations (a release's bundle version and channel), and each version's schema. */
    crd?: { served: string[]; annotations: Record<string, string>; schemas?: Record<string, SchemaNode> };
    /** A Deployment: its pod template's annotations. */
    podAnnotations?: Record<string, string>;
}

/** What a GET found: the object, nothing, or that this identity may not look. */
export type LiveRead = LiveMeta | "absent" | "forbidden";

/** A Service of the cluster, as far as NodePorts and Traefik's installs need it. */
export interface LiveService {
    namespace: string;
    name: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    nodePorts: number[];
}

/** The reads the program makes; an in-memory one stands in under mocks. */
export interface ClusterReader {
    /** Where the reader reads from, for messages. */
    readonly describe: string;
    read(ref: ObjectRef): Promise<LiveRead>;
    /** Every Service of the cluster. */
    services(): Promise<LiveService[]>;
    /** The claims in any namespace that carry these labels. */
    claims(labels: Record<string, string>): Promise<LiveMeta[]>;
    /** Every object in a namespace, of every listable kind (for the namespace guard). */
    namespaceContents(namespace: string): Promise<(LiveMeta & { kind: string })[]>;
}

/** Raised when the cluster cannot be read at all. */
export class ClusterUnreadable extends Error {}

// The few fields of API responses that are read here.
interface ApiResource { name: string; kind: string; namespaced: boolean; verbs: string[] }
interface ApiObject {
    kind?: string;
    metadata: {
        name: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        ownerReferences?: { kind: string; name: string }[];
    };
    spec?: {
        resources?: { requests?: { storage?: string } }; storageClassName?: string; ports?: { nodePort?: number }[];
        versions?: { name: string; served: boolean; schema?: { openAPIV3Schema?: SchemaNode } }[];
        template?: { metadata?: { annotations?: Record<string, string> } };
    };
    allowVolumeExpansion?: boolean;
}
interface ApiBody {
    message?: string;
    items?: ApiObject[];
    resources?: ApiResource[];
    groups?: { preferredVersion: { groupVersion: string } }[];
}

/** The reader for the provider's cluster. */
export async function providerClusterReader(kubeconfig: string | undefined, context: string | undefined): Promise<ClusterReader> {
    // Loaded on demand: render and the unit tests never need it, and it is a large package.
    const { KubeConfig } = await import("@kubernetes/client-node");
    const config = new KubeConfig();
    try {
        if (kubeconfig && /^\s*(apiVersion|kind|clusters|\{)/m.test(kubeconfig)) {
            config.loadFromString(kubeconfig);
        } else if (kubeconfig) {
            config.loadFromFile(kubeconfig);
        } else {
            config.loadFromDefault();
        }
        if (context) {
            config.setCurrentContext(context);
        }
    } catch (err) {
        throw new ClusterUnreadable(`the kubeconfig could not be loaded: ${(err as Error).message}`);
    }
    const cluster = config.getCurrentCluster();
    if (!cluster) {
        throw new ClusterUnreadable("the kubeconfig names no current cluster");
    }
    const server = new URL(cluster.server);
    const serverText = cluster.server;

    async function get(path: string): Promise<{ status: number; body: ApiBody }> {
        const options: https.RequestOptions = {
            protocol: server.protocol, hostname: server.hostname, port: server.port, path: `${server.pathname.replace(/\/$/, "")}${path}`,
            method: "GET", headers: { Accept: "application/json" }, timeout: 30_000,
        };
        await config.applyToHTTPSOptions(options);
        return new Promise((resolve, reject) => {
            const request = https.request(options, (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    try {
                        resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) as ApiBody : {} });
                    } catch {
                        resolve({ status: response.statusCode ?? 0, body: {} });
                    }
                });
            });
            request.on("timeout", () => request.destroy(new Error(`no answer from ${serverText} in 30 s`)));
            request.on("error", (err) => reject(new ClusterUnreadable(`${serverText}: ${err.message}`)));
            request.end();
        });
    }

    const discovery = new Map<string, Promise<ApiResource[]>>();
    const resourcesOf = (groupVersion: string) => {
        if (!discovery.has(groupVersion)) {
            discovery.set(groupVersion, get(groupVersion === "v1" ? "/api/v1" : `/apis/${groupVersion}`)
                .then(({ status, body }) => (status === 200 ? (body.resources ?? []).filter((r) => !r.name.includes("/")) : [])));
        }
        return discovery.get(groupVersion)!;
    };
    const base = (groupVersion: string) => (groupVersion === "v1" ? "/api/v1" : `/apis/${groupVersion}`);
    const meta = ({ kind, metadata, spec, allowVolumeExpansion }: ApiObject): LiveMeta => ({
        name: metadata.name,
        namespace: metadata.namespace,
        labels: metadata.labels ?? {},
        ownerReferences: (metadata.ownerReferences ?? []).map((o) => ({ kind: o.kind, name: o.name })),
        ...(kind === "PersistentVolumeClaim" ? { claim: { size: spec?.resources?.requests?.storage, storageClass: spec?.storageClassName } } : {}),
        ...(kind === "StorageClass" ? { allowVolumeExpansion: allowVolumeExpansion ?? false } : {}),
        ...(kind === "Deployment" ? { podAnnotations: spec?.template?.metadata?.annotations ?? {} } : {}),
        ...(kind === "CustomResourceDefinition" ? {
            crd: {
                served: (spec?.versions ?? []).filter((v) => v.served).map((v) => v.name), annotations: metadata.annotations ?? {},
                schemas: Object.fromEntries((spec?.versions ?? []).filter((v) => v.served && v.schema?.openAPIV3Schema).map((v) => [v.name, v.schema!.openAPIV3Schema!])),
            },
        } : {}),
    });

    return {
        describe: cluster.server,
        async read(ref) {
            const resource = (await resourcesOf(ref.apiVersion)).find((r) => r.kind === ref.kind);
            if (!resource) {
                // The kind is not served (a CRD not installed yet): nothing of it can exist.
                return "absent";
            }
            const scope = resource.namespaced ? `/namespaces/${ref.namespace}` : "";
            const { status, body } = await get(`${base(ref.apiVersion)}${scope}/${resource.name}/${ref.name}`);
            if (status === 404) {
                return "absent";
            }
            if (status === 403) {
                return "forbidden";
            }
            if (status !== 200) {
                throw new ClusterUnreadable(`GET ${ref.kind} ${ref.name}: HTTP ${status} ${body.message ?? ""}`);
            }
            return meta(body as ApiObject);
        },
        async claims(labels) {
            const selector = encodeURIComponent(Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(","));
            const { status, body } = await get(`/api/v1/persistentvolumeclaims?labelSelector=${selector}`);
            if (status === 403) {
                return [];
            }
            if (status !== 200) {
                throw new ClusterUnreadable(`listing claims: HTTP ${status} ${body.message ?? ""}`);
            }
            return (body.items ?? []).map(meta);
        },
        async services() {
            const { status, body } = await get("/api/v1/services");
            if (status !== 200) {
                throw new ClusterUnreadable(`listing Services: HTTP ${status} ${body.message ?? ""}`);
            }
            return (body.items ?? []).map(({ metadata, spec }) => ({
                namespace: metadata.namespace ?? "",
                name: metadata.name,
                labels: metadata.labels ?? {},
                annotations: metadata.annotations ?? {},
                nodePorts: (spec?.ports ?? []).flatMap((p) => (p.nodePort === undefined ? [] : [p.nodePort])),
            }));
        },
        async namespaceContents(namespace) {
            const groups = await get("/apis");
            const versions = ["v1", ...(groups.body.groups ?? []).map((g) => g.preferredVersion.groupVersion)];
            const lists = await Promise.all(versions.map(async (groupVersion) => {
                const listable = (await resourcesOf(groupVersion)).filter((r) => r.namespaced && r.verbs.includes("list"));
                return Promise.all(listable.map(async (r) => {
                    const { status, body } = await get(`${base(groupVersion)}/namespaces/${namespace}/${r.name}`);
                    return status === 200 ? (body.items ?? []).map((item) => ({ ...meta(item), kind: r.kind })) : [];
                }));
            }));
            // A kind served in two groups (events, in core and events.k8s.io) lists the same objects twice.
            const seen = new Set<string>();
            return lists.flat(2).filter((o) => {
                const key = `${o.kind}/${o.name}`;
                return seen.has(key) ? false : (seen.add(key), true);
            });
        },
    };
}

/** The key of an object in the maps of what was read. */
export function objectKey(ref: Pick<ObjectRef, "kind" | "namespace" | "name">): string {
    return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}
