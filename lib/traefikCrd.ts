/**
 * Typed Traefik custom resources (traefik.io/v1alpha1), so a misspelt field fails to compile
 * instead of being dropped by the API server.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

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

export interface IngressRouteTCPArgs {
    metadata: k8s.types.input.meta.v1.ObjectMeta;
    spec: pulumi.Input<IngressRouteTCPSpec>;
}

export class IngressRouteTCP extends k8s.apiextensions.CustomResource {
    constructor(name: string, args: IngressRouteTCPArgs, opts?: pulumi.CustomResourceOptions) {
        super(name, { apiVersion: "traefik.io/v1alpha1", kind: "IngressRouteTCP", ...args }, opts);
    }
}

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

export interface IngressRouteArgs {
    metadata: k8s.types.input.meta.v1.ObjectMeta;
    spec: pulumi.Input<IngressRouteSpec>;
}

/** Traefik's HTTP route: read from the stack's own namespaces, with no cluster-wide IngressClass. */
export class IngressRoute extends k8s.apiextensions.CustomResource {
    constructor(name: string, args: IngressRouteArgs, opts?: pulumi.CustomResourceOptions) {
        super(name, { apiVersion: "traefik.io/v1alpha1", kind: "IngressRoute", ...args }, opts);
    }
}
