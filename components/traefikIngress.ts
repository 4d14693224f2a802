import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ownershipAnnotations } from "../lib/metadata";
import { PlannedTraefik } from "../lib/plan";
import { namespaceLabels, PodSecurityLevel } from "../lib/podSecurity";
import { ChartProfile, EntryPointPlan, traefikValues } from "../lib/traefikChart";

export interface TraefikIngressArgs {
    /** The planned install: chart, installer, namespace, release name, Service type, resources, watched namespaces. */
    traefik: PlannedTraefik;
    /** How the chart's version spells its values. */
    profile: ChartProfile;
    /** Extra entryPoints, derived from the apps (lib/plan.ts planEntryPoints). */
    entryPoints: EntryPointPlan[];
    /** Labels for every object: the stack's, and its ownership. */
    labels: Record<string, string>;
    /** Pod Security level enforced on the namespace. */
    podSecurity: PodSecurityLevel;
    /**
     * `own`: install the chart's CRDs labelled as this stack's, and keep them when it is destroyed;
     * `skip`: leave the CRDs that another stack (or Helm, or Argo CD) installed alone. Unset (no
     * cluster was read: render, tests): as the chart ships them.
     */
    crds?: "own" | "skip";
    /** Options of the Traefik namespace (kept on delete when it holds what the stack does not own). */
    namespaceOptions?: pulumi.CustomResourceOptions;
}

/** One row of the entryPoint table this component outputs. */
export interface EntryPointRow {
    entryPoint: string;
    port: number;
    exposedPort: number;
    nodePort?: number;
    apps: string[];
}

const crdType = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

/**
 * The chart's CRDs as this stack installs them: labelled with its ownership, and kept when the
 * stack is destroyed, because a CRD is shared by every Traefik on the cluster and deleting it
 * deletes every route of its kind. The old `traefik.containo.us` group is the exception: no route
 * of ours uses it, and moving to chart 41 (which no longer ships it) removes it.
 */
function ownCrds(labels: Record<string, string>): pulumi.ResourceTransform {
    return ({ type, props, opts }) => {
        if (type !== crdType) {
            return undefined;
        }
        const metadata = (props.metadata ?? {}) as { labels?: Record<string, string> };
        const group = (props.spec as { group?: string } | undefined)?.group;
        return {
            props: { ...props, metadata: { ...metadata, labels: { ...metadata.labels, ...labels } } },
            opts: { ...opts, retainOnDelete: group !== "traefik.containo.us" },
        };
    };
}

/** Traefik from its Helm chart, with one entryPoint/NodePort per TCP entryPoint the apps declare. */
export class TraefikIngress extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;
    /** The Helm install: a v4 Chart or a v3 Release. */
    public readonly install: k8s.helm.v4.Chart | k8s.helm.v3.Release;
    /** The entryPoint table: name, Traefik port, Service port, NodePort, apps. */
    public readonly entryPoints: pulumi.Output<EntryPointRow[]>;
    /** The exact values given to the chart. */
    public readonly values: Record<string, unknown>;

    constructor(name: string, args: TraefikIngressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tcp-platform:traefik:TraefikIngress", name, {}, opts);
        const self = { parent: this };
        const { traefik } = args;

        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name: traefik.namespace, labels: { ...args.labels, ...namespaceLabels(args.podSecurity) }, annotations: ownershipAnnotations },
        }, { ...args.namespaceOptions, ...self });
        const namespace = this.namespace.metadata.name;

        this.values = traefikValues({
            profile: args.profile,
            entryPoints: args.entryPoints,
            serviceType: traefik.serviceType,
            resources: traefik.resources,
            labels: args.labels,
            watchNamespaces: traefik.watchNamespaces,
        });
        // What both installers take; a local path needs no repository.
        const install = {
            name: traefik.releaseName,
            chart: traefik.chart.path ?? "traefik",
            version: traefik.chart.version,
            repositoryOpts: traefik.chart.path ? undefined : { repo: traefik.chart.repo },
            namespace,
            values: this.values,
            ...(args.crds === "skip" ? { skipCrds: true } : {}),
        };
        this.install = traefik.installer === "release"
            ? new k8s.helm.v3.Release(`${name}-release`, install, self)
            : new k8s.helm.v4.Chart(`${name}-chart`, install, args.crds === "own" ? { ...self, transforms: [ownCrds(args.labels)] } : self);

        this.entryPoints = pulumi.output(args.entryPoints.map((ep) => ({
            entryPoint: ep.name,
            port: ep.port,
            exposedPort: ep.exposedPort,
            ...(ep.nodePort !== undefined ? { nodePort: ep.nodePort } : {}),
            apps: ep.apps,
        })));
        this.registerOutputs({ namespace, entryPoints: this.entryPoints });
    }
}
