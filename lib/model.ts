/**
 * What a plan *is*: the vocabulary every planner, rule, live check and component speaks (Traefik's
 * part is lib/traefikModel.ts); it imports no planner. Planning makes a `PlanDraft`, in which an
 * app may lack what the rules refuse it for (an entryPoint, so a route) and a declaration may
 * clash; `validate` returns a `PlatformPlan`, where every routed app has both and every entryPoint
 * stands: nothing downstream asserts them.
 */
import type { Catalog, ContainerSpec, TlsSpec } from "./catalog";
import type { PeerConfig, ResourcesConfig, StackConfig, TlsOptionsConfig } from "./config/schema";
import type { IngressRouteTCPSpec } from "./crds/ingressRouteTcp";
import type { IngressRouteUDPSpec } from "./crds/ingressRouteUdp";
import type { MiddlewareTCPSpec } from "./crds/middlewareTcp";
import type { ServersTransportTCPSpec } from "./crds/serversTransportTcp";
import type { TCPRouteSpec } from "./crds/tcpRoute";
import type { TLSOptionSpec } from "./crds/tlsOption";
import type { TLSRouteSpec } from "./crds/tlsRoute";
import type { StackIdentity } from "./ownership";
import type { ChartProfile } from "./traefik/profile";
import type { PlannedEntryPoint, PlannedTraefik } from "./traefikModel";
import type { AlpnProtocol, HostName, RoutePath, SniHost, SourceRange } from "./vocabulary";

/**
 * The Kubernetes names of an app's objects, derived from its catalog entry as the seed names them;
 * ipAllowList and maxConnections name MiddlewareTCPs, transport a ServersTransportTCP (PROXY
 * protocol towards the backend), tlsOptions the TLSOption of a route where Traefik terminates TLS.
 */
export interface ObjectNames {
    deployment: string;
    service: string;
    route: string;
    secret: string;
    networkPolicy: string;
    certificate: string;
    ipAllowList: string;
    maxConnections: string;
    transport: string;
    tlsOptions: string;
}

/** A stateful app's data: one PersistentVolumeClaim per replica, from the StatefulSet's template. */
export interface PlannedStorage {
    size: string;
    /** Config paths of the size and the class; the class absent: the cluster's default. */
    paths: { size: string; storageClass: string };
    storageClass?: string;
    mountPath: string;
    /** The StatefulSet's volumeClaimTemplate (and volume) name. */
    template: string;
    /** The claims the StatefulSet uses, `<template>-<statefulset>-<ordinal>`, kept at 0 replicas too. */
    claims: string[];
}

/** The certificate a passthrough app's own server presents. */
export interface PlannedServerTls {
    /** The kubernetes.io/tls Secret mounted into the pod. */
    secretName: string;
    mountPath: string;
    /** Set when the program requests the Secret from cert-manager, for the names it lists. */
    issuer?: { name: string; kind: "Issuer" | "ClusterIssuer" };
    /** The names a requested certificate is valid for: the app's SNI host. */
    dnsNames: string[];
}

export interface PlannedAppBase {
    id: string;
    namespace: string;
    names: ObjectNames;
    /** Selector labels (the catalog's, never an environment's), and the stack's labels for every object's metadata. */
    selector: Record<string, string>;
    labels: Record<string, string>;
    replicas: number;
    resources?: ResourcesConfig;
    container: ContainerSpec;
    /** The container's arguments: the catalog's, then its port, then its TLS files. */
    args: string[];
    /** Plain environment variables, the port's included when the image reads it from there. */
    env: Record<string, string>;
    /** The image after the stack's mappings. */
    image: string;
    portName: string;
    servicePort: number;
    /** What the container, its Service and NetworkPolicy carry: UDP for a UDP app. */
    protocol: "TCP" | "UDP";
    /** Secrets present in the stack that the container reads, by env var. */
    secretEnv: { env: string; configKey: string }[];
    /** Refuse deletion (stateful apps where the stack asks, or where an app entry says so). */
    protect: boolean;
    /** Clients besides Traefik allowed to reach the pods. */
    allowFrom: PeerConfig[];
    /** Stateful apps: a StatefulSet with these claims (others are Deployments); passthrough apps: their server's certificate. */
    storage?: PlannedStorage;
    serverTls?: PlannedServerTls;
    /** A second Deployment and Service for a new tag, taking part of the connections. */
    canary?: PlannedCanary;
}

/** A canary: the app again under its canary names, selector and tag, and its share of connections. */
export interface PlannedCanary {
    /** Percent of the route's connections it takes; the canary's config path. */
    weight: number;
    path: string;
    /** What its Deployment, Service and NetworkPolicy are built from. */
    app: PlannedAppBase;
}

/** A Gateway API route of gateway routing, bound to its app's listener. */
export type PlannedGatewayRoute =
    | { kind: "TCPRoute"; name: string; spec: TCPRouteSpec }
    | { kind: "TLSRoute"; name: string; spec: TLSRouteSpec };

/** A TCP app's route: Traefik's own kind (`traefik.routing: ingressRoute`), or a Gateway API route. */
export type PlannedTcpRoute = { kind: "IngressRouteTCP"; name: string; spec: IngressRouteTCPSpec } | PlannedGatewayRoute;

/** A UDP app's route: always Traefik's own kind. */
export type PlannedUdpRoute = { kind: "IngressRouteUDP"; name: string; spec: IngressRouteUDPSpec };

export type PlannedRoute = PlannedTcpRoute | PlannedUdpRoute;

/** An object the route refers to by name, in the app's namespace; `role` names its Pulumi resource. */
export type PlannedTraefikObject = { name: string; role: string } & (
    | { kind: "MiddlewareTCP"; spec: MiddlewareTCPSpec }
    | { kind: "ServersTransportTCP"; spec: ServersTransportTCPSpec }
    | { kind: "TLSOption"; spec: TLSOptionSpec }
);

/** A TCP or UDP app as planned: routed by Traefik on an entryPoint, with the Traefik objects its route uses. */
interface RoutedAppDraft<Route> extends PlannedAppBase {
    /** The entryPoint its route binds to: the one it names, else `websecure` for a TLS app; absent in a draft where none applies. */
    entryPoint?: string;
    /** Config path of the entryPoint choice, for messages. */
    entryPointPath: string;
    /** The route, as the stack's chart line takes it (absent in a draft without an entryPoint). */
    route?: Route;
    /** MiddlewareTCPs, a ServersTransportTCP and a TLSOption the route refers to. */
    traefikObjects: PlannedTraefikObject[];
}

export interface UdpAppDraft extends RoutedAppDraft<PlannedUdpRoute> {
    kind: "udp";
}

export interface TcpAppDraft extends RoutedAppDraft<PlannedTcpRoute> {
    kind: "tcp";
    /** SNI host (`*.x` for one label of any name); absent for plain TCP, which matches HostSNI(`*`). */
    host?: SniHost;
    /** ALPN protocols the route matches besides the host. */
    alpn?: AlpnProtocol[];
    tls?: TlsSpec;
    /** TLS parameters of a route where Traefik terminates TLS. */
    tlsOptions?: TlsOptionsConfig;
    /** Clients that may connect, simultaneous connections through Traefik, the PROXY protocol header sent to the backend. */
    ipAllowList?: SourceRange[];
    maxConnections?: number;
    proxyProtocol?: { version: 1 | 2 };
}

export interface PlannedHttpApp extends PlannedAppBase {
    kind: "http";
    host?: HostName;
    path: RoutePath;
}

export type AppDraft = TcpAppDraft | UdpAppDraft | PlannedHttpApp;

/** A routed app that passed the rules: it has its entryPoint, and so its route. */
type Routed<A extends RoutedAppDraft<unknown>> = A & { entryPoint: string; route: NonNullable<A["route"]> };

export type PlannedTcpApp = Routed<TcpAppDraft>;
export type PlannedUdpApp = Routed<UdpAppDraft>;
export type PlannedApp = PlannedTcpApp | PlannedUdpApp | PlannedHttpApp;

/** A declaration as the stack wrote it, and why it cannot stand: the name is Traefik's own, or an earlier app's. */
export interface EntryPointDeclaration extends PlannedEntryPoint {
    clash?: { builtin: true } | { app: string } | { pool: true };
}

/** A Kubernetes object the program creates itself, and the config key that names it. */
export interface ObjectRef {
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
    /** Config path that brings the object into being, for messages. */
    path: string;
    /** Created only with this way of scraping (the live check decides: monitoring's PodMonitor and PrometheusRule, or its scrape ConfigMap). */
    scrape?: "operator" | "plain";
}

/** What a draft and a valid plan share; `config` is what it was made from (the rules read what the stack wrote there). */
interface PlanCommon {
    config: StackConfig;
    catalog: Catalog;
    identity: StackIdentity;
    /** Labels on every object: the stack's own, and its ownership. */
    labels: Record<string, string>;
    profile: ChartProfile;
    /** Namespaces the program creates for the apps. */
    namespaces: string[];
    traefik: PlannedTraefik;
    /** Every object the program creates itself (the chart's objects aside). */
    objects: ObjectRef[];
}

/** Everything planning derived, before the rules: what they check. */
export interface PlanDraft extends PlanCommon {
    apps: AppDraft[];
    /** Every entryPoint declaration, including those that clash (the rules refuse them). */
    entryPoints: EntryPointDeclaration[];
}

/** A plan that passed every rule: what the live checks read and the components build. */
export interface PlatformPlan extends PlanCommon {
    apps: PlannedApp[];
}
