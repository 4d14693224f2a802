/**
 * The platform's policies as pure functions of a resource's type and properties, so each one
 * is unit-tested with passing and failing resources; policy/index.ts wires them into a
 * CrossGuard policy pack for `pulumi preview --policy-pack policy`.
 */
import { NODE_PORT_RANGE } from "../lib/constants";
import { splitImage } from "../lib/images";
import { parseQuantity } from "../lib/quantity";

/** A resource as the policy engine shows it. */
export interface ResourceView {
    type: string;
    props: Record<string, any>;
}

export interface Rule {
    name: string;
    description: string;
    /** Violation messages; empty when the resource complies. */
    check: (resource: ResourceView) => string[];
}

const workloadTypes = new Set(["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet"]);

function containersOf(resource: ResourceView): { name: string; image?: string; resources?: any }[] {
    if (!workloadTypes.has(resource.type)) {
        return [];
    }
    const spec = resource.props.spec?.template?.spec ?? {};
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

const kinds = ["cpu", "memory"] as const;

export const requestsAndLimits: Rule = {
    name: "containers-have-requests-and-limits",
    description: "Every container sets cpu and memory requests and limits.",
    check: (r) => containersOf(r).flatMap((c) => kinds.flatMap((kind) =>
        (["requests", "limits"] as const)
            .filter((part) => !c.resources?.[part]?.[kind])
            .map((part) => `container "${c.name}" of ${r.props.metadata?.name} has no ${part}.${kind}`))),
};

export const guaranteedInProduction: Rule = {
    name: "production-workloads-are-guaranteed",
    description: "Workloads labelled environment=production have requests equal to limits (QoS Guaranteed).",
    check: (r) => {
        if (r.props.metadata?.labels?.environment !== "production") {
            return [];
        }
        return containersOf(r).flatMap((c) => kinds
            .filter((kind) => {
                const request = c.resources?.requests?.[kind];
                const limit = c.resources?.limits?.[kind];
                return !request || !limit || parseQuantity(String(request)) !== parseQuantity(String(limit));
            })
            .map((kind) => `container "${c.name}" of ${r.props.metadata?.name} is not QoS Guaranteed: ${kind} request ${c.resources?.requests?.[kind] ?? "unset"} != limit ${c.resources?.limits?.[kind] ?? "unset"}`));
    },
};

export const pinnedImages: Rule = {
    name: "images-are-pinned",
    description: "No image is left as a placeholder (no tag) or tagged latest.",
    check: (r) => containersOf(r).flatMap((c) => {
        const image = c.image ?? "";
        const { tag, digest } = splitImage(image);
        if (digest) {
            return [];
        }
        if (!tag) {
            return [`container "${c.name}" of ${r.props.metadata?.name} runs "${image}", which has no tag: an unmapped placeholder? Map it in the stack's images`];
        }
        return tag === "latest" ? [`container "${c.name}" of ${r.props.metadata?.name} runs "${image}": pin a version instead of latest`] : [];
    }),
};

/** Service names a route sends traffic to. */
function routeBackends(r: ResourceView): string[] {
    if (r.type === "kubernetes:traefik.io/v1alpha1:IngressRouteUDP") {
        return (r.props.spec?.routes ?? []).flatMap((route: any) => (route.services ?? []).map((s: any) => String(s.name)));
    }
    if (r.type === "kubernetes:traefik.io/v1alpha1:IngressRouteTCP") {
        return (r.props.spec?.routes ?? []).flatMap((route: any) => (route.services ?? []).map((s: any) => String(s.name)));
    }
    if (r.type === "kubernetes:traefik.io/v1alpha1:IngressRoute") {
        return (r.props.spec?.routes ?? []).flatMap((route: any) => (route.services ?? []).map((s: any) => String(s.name)));
    }
    if (r.type === "kubernetes:networking.k8s.io/v1:Ingress") {
        return (r.props.spec?.rules ?? []).flatMap((rule: any) => (rule.http?.paths ?? []).map((p: any) => String(p.backend?.service?.name)));
    }
    return [];
}

const routeTypes = new Set(["kubernetes:traefik.io/v1alpha1:IngressRouteTCP", "kubernetes:traefik.io/v1alpha1:IngressRouteUDP", "kubernetes:traefik.io/v1alpha1:IngressRoute", "kubernetes:networking.k8s.io/v1:Ingress"]);

/**
 * A route whose every backend is one of Traefik's internal services (the readiness route to
 * ping@internal the chart's values carry) is Traefik's own, not an app's: the seed's naming is for apps.
 */
function isTraefiksOwnRoute(r: ResourceView): boolean {
    const services: any[] = (r.props.spec?.routes ?? []).flatMap((route: any) => route.services ?? []);
    return services.length > 0 && services.every((s) => s.kind === "TraefikService" && String(s.name).endsWith("@internal"));
}

export const seedNaming: Rule = {
    name: "routes-and-services-named-as-the-seed",
    description: "Routes are named <name>-route and send traffic to <name>-service (tcp-echo-route -> tcp-echo-service), or to a canary's <name>-canary-service.",
    check: (r) => {
        if (!routeTypes.has(r.type)) {
            return [];
        }
        const name = String(r.props.metadata?.name ?? "");
        if (isTraefiksOwnRoute(r)) {
            return [];
        }
        if (!name.endsWith("-route")) {
            return [`route ${name} is not named <name>-route`];
        }
        const stem = name.slice(0, -"-route".length);
        const expected = `${stem}-service`;
        return routeBackends(r).filter((s) => s !== expected && s !== `${stem}-canary-service`).map((s) => `route ${name} sends traffic to ${s}, not ${expected}`);
    },
};

export const tcpRouteMatches: Rule = {
    name: "tcp-routes-match-as-their-tls-allows",
    description: "A plain-TCP route matches only HostSNI(`*`); a route that matches a host name has TLS.",
    check: (r) => {
        if (r.type !== "kubernetes:traefik.io/v1alpha1:IngressRouteTCP") {
            return [];
        }
        const name = r.props.metadata?.name;
        const tls = r.props.spec?.tls;
        const hasTls = Boolean(tls && (tls.passthrough || tls.secretName || tls.certResolver || tls.options));
        return (r.props.spec?.routes ?? []).flatMap((route: any) => {
            const match = String(route.match ?? "");
            if (hasTls) {
                return [];
            }
            return match === "HostSNI(`*`)" ? [] : [`route ${name} has no TLS, so it can only match HostSNI(\`*\`), not ${match}`];
        });
    },
};

export const tlsOptionsWhereTerminated: Rule = {
    name: "tls-options-only-where-traefik-terminates",
    description: "A TCP route names TLS options only where Traefik terminates TLS: with passthrough it never negotiates, and the options would not apply.",
    check: (r) => {
        const tls = r.type === "kubernetes:traefik.io/v1alpha1:IngressRouteTCP" ? r.props.spec?.tls : undefined;
        return tls?.passthrough && tls.options ? [`route ${r.props.metadata?.name} names TLS options ${tls.options.name} with passthrough, where Traefik never negotiates TLS`] : [];
    },
};

function nodePortsOf(r: ResourceView): number[] {
    if (r.type === "kubernetes:core/v1:Service") {
        return (r.props.spec?.ports ?? []).map((p: any) => p.nodePort).filter((n: unknown): n is number => typeof n === "number");
    }
    if (r.type === "kubernetes:helm.sh/v4:Chart" || r.type === "kubernetes:helm.sh/v3:Release") {
        return Object.values(r.props.values?.ports ?? {}).map((p: any) => p?.nodePort).filter((n: unknown): n is number => typeof n === "number");
    }
    return [];
}

export const nodePortsInRange: Rule = {
    name: "node-ports-in-range",
    description: `NodePorts are inside ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}.`,
    check: (r) => nodePortsOf(r)
        .filter((port) => port < NODE_PORT_RANGE.min || port > NODE_PORT_RANGE.max)
        .map((port) => `${r.props.metadata?.name ?? r.type} uses NodePort ${port}, outside ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`),
};

/** Every TCP app crosses Traefik: in production it is never one pod (a drain, an eviction or a crash would stop every app). */
export const productionTraefikRedundant: Rule = {
    name: "production-traefik-runs-two-pods",
    description: "Traefik installed by a stack labelled environment=production keeps at least 2 pods (traefik.replicas or traefik.autoscaling.min), with a PodDisruptionBudget.",
    check: (r) => {
        const values = r.props.values;
        if (!["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"].includes(r.type) || values?.commonLabels?.environment !== "production") {
            return [];
        }
        const floor = values.autoscaling?.enabled ? values.autoscaling.minReplicas ?? 1 : values.deployment?.replicas ?? 1;
        return floor >= 2 && values.podDisruptionBudget?.enabled ? [] : [`production Traefik keeps ${floor} pod${floor === 1 ? "" : "s"}${values.podDisruptionBudget?.enabled ? "" : " and no PodDisruptionBudget"}: set tcp-platform:traefik.replicas to 2 or more`];
    },
};

export const rules: Rule[] = [requestsAndLimits, guaranteedInProduction, pinnedImages, seedNaming, tcpRouteMatches, tlsOptionsWhereTerminated, nodePortsInRange, productionTraefikRedundant];

/** A policy over every resource of the stack at once, for what one resource cannot show. */
export interface StackRule {
    name: string;
    description: string;
    /** Reported, or refusing the update. */
    enforcementLevel: "advisory" | "mandatory";
    check: (resources: ResourceView[]) => string[];
}

const INSTALL_TYPES = new Set(["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"]);
const ALLOW_LIST_KEYS = ["ipAllowList", "ipWhiteList"];

/**
 * Traefik's entryPoints that clients reach on a NodePort: with a NodePort or LoadBalancer Service,
 * every exposed port (the chart's own web and websecure are exposed unless the values say not).
 */
function nodePortEntryPoints(install: ResourceView | undefined): Set<string> {
    const values = install?.props.values ?? {};
    const type = values.service?.spec?.type ?? values.service?.type ?? "LoadBalancer";
    if (type !== "NodePort" && type !== "LoadBalancer") {
        return new Set();
    }
    const exposed = (expose: unknown, byDefault: boolean) => (expose === undefined ? byDefault : expose === true || (typeof expose === "object" && (expose as { default?: boolean })?.default === true));
    const ports: Record<string, { expose?: unknown }> = { web: {}, websecure: {}, ...values.ports };
    return new Set(Object.entries(ports).filter(([name, p]) => exposed(p?.expose, name === "web" || name === "websecure")).map(([name]) => name));
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
    return Boolean(selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v));
}

export const productionDatabasesAllowListed: StackRule = {
    name: "production-databases-on-node-ports-have-allow-lists",
    description: "In a stack labelled environment=production, a route that brings a NodePort's clients to a database (a StatefulSet behind its Service) names an IP allow-list middleware.",
    enforcementLevel: "advisory",
    check: (resources) => {
        const ofType = (type: string) => resources.filter((r) => r.type === type);
        const entryPoints = nodePortEntryPoints(resources.find((r) => INSTALL_TYPES.has(r.type)));
        const statefulSets = ofType("kubernetes:apps/v1:StatefulSet");
        const services = new Map(ofType("kubernetes:core/v1:Service").map((s) => [String(s.props.metadata?.name), s.props.spec?.selector as Record<string, string> | undefined]));
        const allowLists = new Set(ofType("kubernetes:traefik.io/v1alpha1:MiddlewareTCP")
            .filter((m) => ALLOW_LIST_KEYS.some((key) => (m.props.spec?.[key]?.sourceRange ?? []).length > 0))
            .map((m) => String(m.props.metadata?.name)));
        return ofType("kubernetes:traefik.io/v1alpha1:IngressRouteTCP")
            .filter((route) => route.props.metadata?.labels?.environment === "production")
            .flatMap((route) => {
                const name = route.props.metadata?.name;
                const via = ((route.props.spec?.entryPoints ?? []) as string[]).filter((ep) => entryPoints.has(ep));
                return (route.props.spec?.routes ?? []).flatMap((r: any) => {
                    const databases = (r.services ?? []).flatMap((s: any) => statefulSets
                        .filter((set) => matches(services.get(String(s.name)), set.props.spec?.template?.metadata?.labels))
                        .map((set) => String(set.props.metadata?.name)));
                    const allowListed = (r.middlewares ?? []).some((m: any) => allowLists.has(String(m.name)));
                    return via.length > 0 && databases.length > 0 && !allowListed
                        ? [`route ${name} brings clients of NodePort entryPoint ${via.join(", ")} to database ${databases.join(", ")} with no IP allow-list: set apps.<id>.ipAllowList to the clients' ranges`]
                        : [];
                });
            });
    },
};

/** The chart's own entryPoints' ports inside the pod (web, websecure), which the values need not list. */
const CHART_ENTRYPOINT_PORTS = [8000, 8443];

export const gatewayListenersBound: StackRule = {
    name: "gateway-listeners-on-entrypoints-and-routes-on-listeners",
    description: "Gateway routing: every listener of a Gateway is on the port of one of Traefik's entryPoints, a TCP listener has no host name, and every TCPRoute and TLSRoute names a listener of its Gateway.",
    enforcementLevel: "mandatory",
    check: (resources) => {
        const values = resources.find((r) => INSTALL_TYPES.has(r.type))?.props.values ?? {};
        const ports = new Set([...CHART_ENTRYPOINT_PORTS, ...Object.values<any>(values.ports ?? {}).filter((p) => p?.port !== undefined && (p.protocol ?? "TCP") === "TCP").map((p) => Number(p.port))]);
        const gateways = resources.filter((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway");
        const listenersOf = new Map(gateways.map((g) => [`${g.props.metadata?.namespace}/${g.props.metadata?.name}`, new Set<string>((g.props.spec?.listeners ?? []).map((l: any) => String(l.name)))]));
        const listenerProblems = gateways.flatMap((g) => (g.props.spec?.listeners ?? []).flatMap((l: any) => [
            ...(ports.has(Number(l.port)) ? [] : [`Gateway ${g.props.metadata?.name}: listener ${l.name} is on port ${l.port}, which is none of Traefik's TCP entryPoints: Traefik would not program it`]),
            ...(l.protocol === "TCP" && l.hostname ? [`Gateway ${g.props.metadata?.name}: TCP listener ${l.name} has host name ${l.hostname}, which a TCP listener cannot match (no SNI)`] : []),
        ]));
        const routeProblems = resources
            .filter((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:TCPRoute" || r.type === "kubernetes:gateway.networking.k8s.io/v1:TLSRoute")
            .flatMap((route) => (route.props.spec?.parentRefs ?? [{}]).flatMap((ref: any) => {
                const listeners = listenersOf.get(`${ref.namespace ?? route.props.metadata?.namespace}/${ref.name}`);
                return listeners && ref.sectionName && listeners.has(String(ref.sectionName))
                    ? []
                    : [`${String(route.type).split(":").pop()} ${route.props.metadata?.name} names no listener of a Gateway of the stack (${ref.name ?? "no Gateway"}, sectionName ${ref.sectionName ?? "unset"}): no traffic would reach it`];
            }));
        return [...listenerProblems, ...routeProblems];
    },
};

export const stackRules: StackRule[] = [productionDatabasesAllowListed, gatewayListenersBound];
