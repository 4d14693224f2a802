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

const routeTypes = new Set(["kubernetes:traefik.io/v1alpha1:IngressRouteTCP", "kubernetes:traefik.io/v1alpha1:IngressRoute", "kubernetes:networking.k8s.io/v1:Ingress"]);

export const seedNaming: Rule = {
    name: "routes-and-services-named-as-the-seed",
    description: "Routes are named <name>-route and send traffic to <name>-service (tcp-echo-route -> tcp-echo-service).",
    check: (r) => {
        if (!routeTypes.has(r.type)) {
            return [];
        }
        const name = String(r.props.metadata?.name ?? "");
        if (!name.endsWith("-route")) {
            return [`route ${name} is not named <name>-route`];
        }
        const expected = `${name.slice(0, -"-route".length)}-service`;
        return routeBackends(r).filter((s) => s !== expected).map((s) => `route ${name} sends traffic to ${s}, not ${expected}`);
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

export const rules: Rule[] = [requestsAndLimits, guaranteedInProduction, pinnedImages, seedNaming, tcpRouteMatches, nodePortsInRange];
