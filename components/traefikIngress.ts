import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GatewaySpec } from "../lib/crds/gateway";
import { PlannedTraefik } from "../lib/traefikModel";
import { traefikValues } from "../lib/plan/chartValues";
import { EntryPointRow, entryPointRows } from "../lib/plan/portTable";
import { TypedCustomResource } from "./k8s/customResources";
import { gateway, gatewayApiCrds } from "./k8s/gatewayApi";
import { ownershipAnnotations } from "../lib/objects/metadata";
import { PodSecurityLevel } from "../lib/objects/podSecurity";
import { namespace } from "./k8s/namespace";

export interface TraefikIngressArgs {
    /**
     * The planned install: chart and its profile, installer, namespace, release name, Service type,
     * resources, the entryPoints the apps declare, labels, the namespaces it watches.
     */
    traefik: PlannedTraefik;
    /** Pod Security level enforced on the namespace. */
    podSecurity: PodSecurityLevel;
    /**
     * `own`: install the chart's CRDs labelled as this stack's, and keep them when it is destroyed;
     * `skip`: leave the CRDs that another stack (or Helm, or Argo CD) installed alone. Unset (no
     * cluster was read: render, tests): as the chart ships them.
     */
    crds?: "own" | "skip";
    /**
     * Gateway routing: `own` (or unset: render, tests) installs the Gateway API CRDs labelled as this
     * stack's; `skip` uses the ones another owner installed (the live checks found them serving what
     * Traefik reads).
     */
    gatewayCrds?: "own" | "skip";
    /** Options of the Traefik namespace (kept on delete when it holds what the stack does not own). */
    namespaceOptions?: pulumi.CustomResourceOptions;
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

/**
 * Every object of the chart carries `pulumi.com/patchForce`, as the program's own objects do: the
 * stack is the source of truth for the fields it sets, so an object adopted from Argo CD or Helm
 * (whose labels another field manager set) and a field edited by hand are taken over by
 * `pulumi up` instead of failing it with a Server-Side Apply conflict.
 */
export const forcePatch: pulumi.ResourceTransform = ({ type, props, opts }) => {
    if (!type.startsWith("kubernetes:") || type.startsWith("kubernetes:helm.sh/") || typeof props.kind !== "string") {
        return undefined;
    }
    const metadata = (props.metadata ?? {}) as { annotations?: Record<string, string> };
    return { props: { ...props, metadata: { ...metadata, annotations: { ...metadata.annotations, ...ownershipAnnotations } } }, opts };
};

/**
 * The chart's transforms. They run as engine callbacks, which the mocks of render and the unit
 * tests do not serve: registered only where the cluster was read (`crds` decided), that is on
 * every engine run; offline the chart's objects are rendered as it ships them.
 */
function chartTransforms(args: TraefikIngressArgs): pulumi.ResourceTransform[] {
    return args.crds === undefined ? [] : [forcePatch, ...(args.crds === "own" ? [ownCrds(args.traefik.labels)] : [])];
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
    /** Gateway routing: the stack's Gateway, a listener per TCP app. */
    public readonly gateway?: TypedCustomResource<GatewaySpec>;
    /** Gateway routing: the Gateway API CRDs this stack installs. */
    public readonly gatewayApiCrds: k8s.apiextensions.v1.CustomResourceDefinition[];

    constructor(name: string, args: TraefikIngressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tcp-platform:traefik:TraefikIngress", name, {}, opts);
        const self = { parent: this };
        const { traefik } = args;

        this.namespace = namespace(`${name}-namespace`, { name: traefik.namespace, labels: traefik.labels, podSecurity: args.podSecurity }, { ...args.namespaceOptions, ...self });
        const namespaceName = this.namespace.metadata.name;

        this.values = traefikValues(traefik, args.crds !== "skip");
        // The chart's GatewayClass needs its CRD before the chart is installed.
        this.gatewayApiCrds = traefik.gateway && args.gatewayCrds !== "skip" ? gatewayApiCrds(`${name}-gateway-api`, traefik.labels, self) : [];
        // What both installers take; a local path needs no repository.
        const install = {
            name: traefik.releaseName,
            chart: traefik.chart.path ?? "traefik",
            version: traefik.chart.version,
            repositoryOpts: traefik.chart.path ? undefined : { repo: traefik.chart.repo },
            namespace: namespaceName,
            values: this.values,
            // Helm installs a chart's CRDs only where they are absent and never changes existing
            // ones, so the release installer leaves them to Helm: a skipCrds that followed the live
            // decision would flip (adopted or Helm-installed CRDs are no stack's) and upgrade the
            // release on every other up.
            ...(args.crds === "skip" && traefik.installer !== "release" ? { skipCrds: true } : {}),
        };
        const afterCrds = { ...self, dependsOn: this.gatewayApiCrds };
        this.install = traefik.installer === "release"
            ? new k8s.helm.v3.Release(`${name}-release`, install, afterCrds)
            : new k8s.helm.v4.Chart(`${name}-chart`, install, { ...afterCrds, transforms: chartTransforms(args) });
        // The program's own Gateway rather than the chart's: its listeners come from the apps' plan,
        // the rules and the policy pack check it, and a chart value could not drop the chart's
        // default `web` listener (Helm merges maps). It follows the chart, which makes its class.
        if (traefik.gateway) {
            this.gateway = gateway(`${name}-gateway`, traefik.gateway, namespaceName, traefik.labels, { ...self, dependsOn: [this.install] });
        }

        this.entryPoints = pulumi.output(entryPointRows(traefik.entryPoints));
        this.registerOutputs({ namespace: namespaceName, entryPoints: this.entryPoints, ...(this.gateway ? { gateway: this.gateway.metadata.name } : {}) });
    }
}
