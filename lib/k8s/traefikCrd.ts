/**
 * Typed Traefik custom resources (traefik.io/v1alpha1), so a misspelt field fails to compile
 * instead of being dropped by the API server.
 */
import { customResourceClass } from "./crd";

export interface TcpServiceRef {
    /** Kubernetes Service name in the route's namespace. */
    name: string;
    /** Service port number or name. */
    port: number | string;
}

export interface TcpRoute {
    /** `HostSNI(\`*\`)` for plain TCP; `HostSNI(\`host\`)` for SNI routes. */
    match: string;
    services: TcpServiceRef[];
}

export interface TcpRouteTls {
    /** Hand the TLS stream to the backend unopened. */
    passthrough?: boolean;
    /** Terminate TLS in Traefik with this Secret. */
    secretName?: string;
}

export interface IngressRouteTCPSpec {
    entryPoints: string[];
    routes: TcpRoute[];
    tls?: TcpRouteTls;
}

export const IngressRouteTCP = customResourceClass<IngressRouteTCPSpec>("traefik.io/v1alpha1", "IngressRouteTCP");
export type IngressRouteTCP = InstanceType<typeof IngressRouteTCP>;

export interface HttpRoute {
    /** Traefik rule: `Host(\`host\`) && PathPrefix(\`/\`)`. */
    match: string;
    kind: "Rule";
    services: TcpServiceRef[];
}

export interface IngressRouteSpec {
    entryPoints: string[];
    routes: HttpRoute[];
}

/** Traefik's HTTP route: read from the stack's own namespaces, with no cluster-wide IngressClass. */
export const IngressRoute = customResourceClass<IngressRouteSpec>("traefik.io/v1alpha1", "IngressRoute");
export type IngressRoute = InstanceType<typeof IngressRoute>;
