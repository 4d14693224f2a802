/**
 * What differs between versions of the Traefik Helm chart, and the values this program gives it.
 * Pure functions: the values are tested for both chart formats without a cluster.
 */
import * as semver from "semver";
import type { PlannedTraefik } from "../plan/plan";

/** Label keys the chart's selectors use (its `traefik.labelselector` helper), in both chart lines. */
export const traefikSelectorKeys = ["app.kubernetes.io/name", "app.kubernetes.io/instance"] as const;

/** One of the chart's own entryPoints (`ports.<name>` in its values.yaml). */
export interface BuiltinEntryPoint {
    name: string;
    /** Port inside the Traefik pod. */
    port: number;
    /** Port on the Traefik Service, when the chart exposes it by default. */
    exposedPort?: number;
}

/** How a chart version spells the values this program sets. */
export interface ChartProfile {
    version: string;
    /** Chart >= 27 takes `expose: {default: true}`; before, a boolean (41.x's schema refuses it). */
    exposeAsObject: boolean;
    /** Chart >= 41 renamed `logs.access` to `accessLog`. */
    accessLogKey: "logs.access" | "accessLog";
    /** Chart >= 40 takes the Service type as `service.spec.type`; before, `service.type`. */
    serviceTypeInSpec: boolean;
    builtinEntryPoints: BuiltinEntryPoint[];
}

export function chartProfile(version: string): ChartProfile {
    const v = semver.coerce(version)?.version ?? version;
    return {
        version,
        exposeAsObject: semver.gte(v, "27.0.0"),
        accessLogKey: semver.gte(v, "41.0.0") ? "accessLog" : "logs.access",
        serviceTypeInSpec: semver.gte(v, "40.0.0"),
        builtinEntryPoints: [
            // The dashboard/API entryPoint moved from 9000 to 8080 in chart 33.
            { name: "traefik", port: semver.gte(v, "33.0.0") ? 8080 : 9000 },
            { name: "web", port: 8000, exposedPort: 80 },
            { name: "websecure", port: 8443, exposedPort: 443 },
            { name: "metrics", port: 9100 },
        ],
    };
}

/** Seconds a terminating Traefik pod keeps accepting connections (preStop), within the chart's 60 s grace. */
export const TRAEFIK_DRAIN_SECONDS = 5;

export type ServiceType = "NodePort" | "LoadBalancer" | "ClusterIP";

/** Compute resources for the Traefik pod itself. */
export interface TraefikResources {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
}

/**
 * The Helm values for Traefik. The entryPoints come only from the apps' plan: no second
 * hand-kept list, and no `--entrypoints.*` arguments (the chart derives them from `ports`).
 */
export function traefikValues(input: PlannedTraefik): Record<string, unknown> {
    const { profile } = input;
    const expose = profile.exposeAsObject ? { default: true } : true;
    const ports: Record<string, unknown> = {};
    for (const ep of input.entryPoints) {
        ports[ep.name] = {
            port: ep.port,
            expose,
            exposedPort: ep.exposedPort,
            protocol: "TCP",
            ...(ep.nodePort !== undefined && input.serviceType !== "ClusterIP" ? { nodePort: ep.nodePort } : {}),
        };
    }
    const accessLog = { enabled: true, format: "json" };
    const values: Record<string, unknown> = {
        service: {
            ...(profile.serviceTypeInSpec ? { spec: { type: input.serviceType } } : { type: input.serviceType }),
            // The platform is reached on its NodePorts; many clusters never give a load balancer an
            // address, and waiting for one would fail the update after ten minutes.
            ...(input.serviceType === "LoadBalancer" ? { annotations: { "pulumi.com/skipAwait": "true" } } : {}),
        },
        ports,
        // The dashboard stays on the unexposed `traefik` entryPoint, never on a NodePort.
        ingressRoute: { dashboard: { enabled: false } },
        // Chart 26 leaves out the seccomp profile that Pod Security "restricted" requires.
        podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
        // A Traefik pod being replaced stops accepting at SIGTERM; until kube-proxy has taken it out
        // of the Service, new connections would still reach it and be refused. It keeps accepting
        // this long first (the chart's own rollout already surges: maxUnavailable 0, maxSurge 1).
        deployment: { lifecycle: { preStop: { sleep: { seconds: TRAEFIK_DRAIN_SECONDS } } } },
        ...(profile.accessLogKey === "accessLog" ? { accessLog } : { logs: { access: accessLog } }),
        // Traefik sees only its own stack: routes, Services and Secrets of the app namespaces,
        // through Roles there instead of a ClusterRole that reads every Secret of the cluster.
        // HTTP apps are routed by IngressRoutes, so neither the Ingress provider nor a
        // cluster-wide IngressClass (which two releases on one cluster would fight over) is needed.
        rbac: { namespaced: true },
        providers: { kubernetesCRD: { namespaces: input.watchNamespaces }, kubernetesIngress: { enabled: false } },
        ingressClass: { enabled: false },
    };
    if (Object.keys(input.labels).length > 0) {
        values.commonLabels = input.labels;
    }
    if (input.resources) {
        values.resources = input.resources;
    }
    return values;
}
