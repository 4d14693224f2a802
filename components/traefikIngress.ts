import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartProfile, EntryPointPlan, ServiceType, TraefikResources, traefikValues } from "../lib/traefikChart";
import { ownershipAnnotations } from "../lib/metadata";
import { namespaceLabels, PodSecurityLevel } from "../lib/podSecurity";

/** Where the chart comes from: a repository at a pinned version, or a local directory/archive. */
export interface ChartSource {
    /** Chart repository URL (default https://traefik.github.io/charts); ignored with `path`. */
    repo: string;
    /** Chart version; decides the values format (see lib/traefikChart.ts). */
    version: string;
    /** Local chart directory or .tgz, for offline installs. */
    path?: string;
}

export interface TraefikIngressArgs {
    chart: ChartSource;
    /** `chart` (default): helm.v4.Chart, resource-level diffs; `release`: helm.v3.Release, Helm history. */
    installer: "chart" | "release";
    /** Namespace created for Traefik (default `traefik`). */
    namespace: string;
    /** Helm release name; objects are named after it. */
    releaseName: string;
    /** Type of the Traefik Service (default NodePort). */
    serviceType: ServiceType;
    /** Extra entryPoints, derived from the apps (lib/plan.ts planEntryPoints). */
    entryPoints: EntryPointPlan[];
    /** Requests/limits of the Traefik pod. */
    resources?: TraefikResources;
    /** Labels for every object (the stack's `labels`). */
    labels: Record<string, string>;
    /** Pod Security level enforced on the namespace. */
    podSecurity: PodSecurityLevel;
}

/** One row of the entryPoint table this component outputs. */
export interface EntryPointRow {
    entryPoint: string;
    port: number;
    exposedPort: number;
    nodePort?: number;
    apps: string[];
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

        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name: args.namespace, labels: { ...args.labels, ...namespaceLabels(args.podSecurity) }, annotations: ownershipAnnotations },
        }, self);
        const namespace = this.namespace.metadata.name;

        this.values = traefikValues({
            profile: chartProfile(args.chart.version),
            entryPoints: args.entryPoints,
            serviceType: args.serviceType,
            resources: args.resources,
            labels: args.labels,
        });
        // What both installers take; a local path needs no repository.
        const install = {
            name: args.releaseName,
            chart: args.chart.path ?? "traefik",
            version: args.chart.version,
            repositoryOpts: args.chart.path ? undefined : { repo: args.chart.repo },
            namespace,
            values: this.values,
        };
        this.install = args.installer === "release"
            ? new k8s.helm.v3.Release(`${name}-release`, install, self)
            : new k8s.helm.v4.Chart(`${name}-chart`, install, self);

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
