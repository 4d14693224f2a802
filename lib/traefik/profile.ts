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
    /** The Traefik major version the chart ships: chart >= 28 ships v3. */
    traefikMajor: 2 | 3;
    /** The TCP middleware that admits clients by address: ipWhiteList on v2, ipAllowList on v3. */
    ipAllowListKey: "ipWhiteList" | "ipAllowList";
    /** v3 sends the PROXY protocol from a ServersTransportTCP; v2 from the route's service. */
    proxyProtocolInTransport: boolean;
    /**
     * How a wildcard host is written: HostSNI(`*.x`) from Traefik v3.7 (chart 41), v3's plain
     * regexp before, v2's {name:pattern} template on v2.
     */
    sniWildcard: "HostSNI" | "HostSNIRegexp-v3" | "HostSNIRegexp-v2";
    /**
     * Chart 41 takes an entryPoint's `transport.lifeCycle` in `ports`; chart 26's ports have no
     * such key, so there the program passes the flags in `additionalArguments` (every chart takes
     * those; charts between are not assumed to take the key).
     */
    lifeCycleInPorts: boolean;
    /**
     * Why the chart line's Traefik cannot route TCP apps through the Gateway API the program
     * installs (v1.6.1); absent where it can (chart 41: Traefik v3.7).
     */
    noGatewayRouting?: string;
    /**
     * The chart's CRDs of the kinds Traefik's CRD provider watches: it waits for all of them to
     * be served before it loads any route, and backs off (up to 30 s) while one is not yet.
     */
    providerCrds: string[];
}

/** The plurals of the kinds Traefik's CRD provider watches (traefik.io; v2 also the old group, less ServersTransportTCP). */
const PROVIDER_KINDS = ["ingressroutes", "ingressroutetcps", "ingressrouteudps", "middlewares", "middlewaretcps", "serverstransports", "serverstransporttcps", "tlsoptions", "tlsstores", "traefikservices"];

export function chartProfile(version: string): ChartProfile {
    const v = semver.coerce(version)?.version ?? version;
    const v3 = semver.gte(v, "28.0.0");
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
        traefikMajor: v3 ? 3 : 2,
        ipAllowListKey: v3 ? "ipAllowList" : "ipWhiteList",
        proxyProtocolInTransport: v3,
        sniWildcard: semver.gte(v, "41.0.0") ? "HostSNI" : v3 ? "HostSNIRegexp-v3" : "HostSNIRegexp-v2",
        lifeCycleInPorts: semver.gte(v, "41.0.0"),
        providerCrds: [
            ...PROVIDER_KINDS.map((plural) => `${plural}.traefik.io`),
            ...(v3 ? [] : PROVIDER_KINDS.filter((plural) => plural !== "serverstransporttcps").map((plural) => `${plural}.traefik.containo.us`)),
        ],
        ...(semver.gte(v, "41.0.0") ? {} : { noGatewayRouting: v3
            ? `chart ${version} ships a Traefik v3 older than v3.7, built against an older Gateway API than the v1.6.1 CRDs the program installs (TLSRoute v1 is read from v3.7 on); gateway routing is built and tested on chart 41 (Traefik v3.7)`
            : `chart ${version} ships Traefik v2, whose Gateway provider is experimental and implements Gateway API v0.4 (v1alpha2 Gateways and GatewayClasses), which the v1.6.1 CRDs no longer serve: it cannot read this program's Gateway, TCPRoutes or TLSRoutes` }),
    };
}

/** The name the Traefik chart (26 and 41 alike, `traefik.fullname`) gives its Deployment and Service for a release. */
export function chartFullname(releaseName: string): string {
    return (releaseName.includes("traefik") ? releaseName : `${releaseName}-traefik`).slice(0, 63).replace(/-+$/, "");
}

/** The chart's `app.kubernetes.io/instance` of a release (`traefik.instance-name`): `<release>-<namespace>`, at most 63 characters. */
export function chartInstance(releaseName: string, namespace: string): string {
    return `${releaseName}-${namespace}`.slice(0, 63).replace(/-+$/, "");
}

/** Seconds a terminating Traefik pod keeps accepting connections (preStop), within the chart's 60 s grace. */
export const TRAEFIK_DRAIN_SECONDS = 5;

export type ServiceType = "NodePort" | "LoadBalancer" | "ClusterIP";

/** Compute resources for the Traefik pod itself. */
export interface TraefikResources {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
}
