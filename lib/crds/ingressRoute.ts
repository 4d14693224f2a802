/**
 * Traefik's HTTP route (traefik.io/v1alpha1), typed by hand: the kinds of TCP and UDP routing are
 * generated from the charts' CRDs (tools/crdTypes.ts).
 */
import type { CrdKind } from "./kind";

export interface ServiceRef {
    /** Kubernetes Service name in the route's namespace. */
    name: string;
    /** Service port number or name. */
    port: number | string;
}

/** One of Traefik's own services (`ping@internal`, `api@internal`). */
export interface TraefikServiceRef {
    name: `${string}@internal`;
    kind: "TraefikService";
}

export interface HttpRoute {
    /** Traefik rule: `Host(\`host\`) && PathPrefix(\`/\`)`. */
    match: string;
    kind: "Rule";
    services: (ServiceRef | TraefikServiceRef)[];
}

export interface IngressRouteSpec {
    entryPoints: string[];
    routes: HttpRoute[];
}

/** Traefik's HTTP route: read from the stack's own namespaces, with no cluster-wide IngressClass. */
export const ingressRouteKind: CrdKind<IngressRouteSpec> = { apiVersion: "traefik.io/v1alpha1", kind: "IngressRoute" };
