/** What differs between versions of the Traefik Helm chart, as far as this program's values go. */
import * as semver from "semver";

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

export type ServiceType = "NodePort" | "LoadBalancer" | "ClusterIP";

/** Compute resources for the Traefik pod itself. */
export interface TraefikResources {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
}
