/**
 * What a plan *is*: the vocabulary every planner, rule, live check and component speaks; it
 * imports no planner. Planning makes a `PlanDraft`, in which an app may lack what the rules refuse
 * it for (an entryPoint, so a route) and a declaration may clash; `validate` returns a
 * `PlatformPlan`, where every routed app has both and every entryPoint stands: nothing asserts them.
 */
import type { Catalog, ContainerSpec, TlsSpec } from "./catalog";
import type { PeerConfig, ResourcesConfig, StackConfig, TlsOptionsConfig } from "./config/schema";
import type { GatewaySpec } from "./crds/gateway";
import type { IngressRouteTCPSpec } from "./crds/ingressRouteTcp";
import type { IngressRouteUDPSpec } from "./crds/ingressRouteUdp";
import type { MiddlewareTCPSpec } from "./crds/middlewareTcp";
import type { ServersTransportTCPSpec } from "./crds/serversTransportTcp";
import type { TCPRouteSpec } from "./crds/tcpRoute";
import type { TLSOptionSpec } from "./crds/tlsOption";
import type { TLSRouteSpec } from "./crds/tlsRoute";
import type { StackIdentity } from "./ownership";
import type { ChartProfile, ServiceType, TraefikResources } from "./traefik/profile";

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
    host?: string;
    /** ALPN protocols the route matches besides the host. */
    alpn?: string[];
    tls?: TlsSpec;
    /** TLS parameters of a route where Traefik terminates TLS. */
    tlsOptions?: TlsOptionsConfig;
    /** Clients that may connect, simultaneous connections through Traefik, the PROXY protocol header sent to the backend. */
    ipAllowList?: string[];
    maxConnections?: number;
    proxyProtocol?: { version: 1 | 2 };
}

export interface PlannedHttpApp extends PlannedAppBase {
    kind: "http";
    host?: string;
    path: string;
}

export type AppDraft = TcpAppDraft | UdpAppDraft | PlannedHttpApp;

/** A routed app that passed the rules: it has its entryPoint, and so its route. */
type Routed<A extends RoutedAppDraft<unknown>> = A & { entryPoint: string; route: NonNullable<A["route"]> };

export type PlannedTcpApp = Routed<TcpAppDraft>;
export type PlannedUdpApp = Routed<UdpAppDraft>;
export type PlannedApp = PlannedTcpApp | PlannedUdpApp | PlannedHttpApp;

/** An entryPoint an app declares for Traefik. */
export interface PlannedEntryPoint {
    name: string;
    /** Port Traefik listens on inside its pod, and its port on the Traefik Service. */
    port: number;
    exposedPort: number;
    /** Fixed NodePort, when the stack names one. */
    nodePort?: number;
    /** UDP for a UDP app's entryPoint: a TCP and a UDP entryPoint may share a number. */
    protocol: "TCP" | "UDP";
    /** Addresses (a load balancer) whose PROXY protocol headers it accepts. */
    proxyProtocol?: { trustedIPs: string[] };
    /** App ids routed through it: the declaring app first, then those that refer to its name (a pool entryPoint's claimers only). */
    apps: string[];
    /** Config path of the declaration. */
    path: string;
    /** One of the stack's spare entryPoints (`traefik.portPool`): Traefik listens on it whether an app claims it or not. */
    pool?: true;
}

/** A declaration as the stack wrote it, and why it cannot stand: the name is Traefik's own, or an earlier app's. */
export interface EntryPointDeclaration extends PlannedEntryPoint {
    clash?: { builtin: true } | { app: string } | { pool: true };
}

/** A listener of the Gateway: one per TCP app. */
export interface PlannedListener {
    /** The listener's name, the app's id: its route's parentRef names it as sectionName. */
    name: string;
    /** The port of the app's entryPoint inside the Traefik pod: Traefik binds the listener to the entryPoint on that port. */
    port: number;
    /** TCP for a plain-TCP app, TLS (passthrough) for an SNI app. */
    protocol: "TCP" | "TLS";
    /** The app's SNI host (TLS listeners only). */
    hostname?: string;
    entryPoint: string;
    /** The app whose route it admits, the namespace that route lives in, and the app's config path. */
    app: string;
    namespace: string;
    path: string;
}

export type GatewayListener = GatewaySpec["listeners"][number];

/** The stack's Gateway and the GatewayClass of its Traefik. */
export interface PlannedGateway {
    name: string;
    /** Traefik's namespace. */
    namespace: string;
    /** The chart's GatewayClass, named for this stack's Traefik: each Traefik reads only its own (by `classLabels`). */
    className: string;
    /** Labels the GatewayClass carries, and Traefik's provider selects it by. */
    classLabels: Record<string, string>;
    listeners: PlannedListener[];
}

/** How Traefik shuts down: `traefik.gracePeriod`, in seconds, and what the pod then needs. */
export interface PlannedShutdown {
    /** After SIGTERM, Traefik keeps accepting new connections this long, then serves the open ones graceTimeOut and closes them. */
    requestAcceptGraceTimeout: number;
    graceTimeOut: number;
    /** The pod's grace: the stack's, or derived from the three phases and a margin. */
    terminationGracePeriodSeconds: number;
    /** What the three phases take: the preStop drain, accepting, serving. */
    needed: number;
}

/** How many Traefik pods run, and what keeps them available. */
export interface PlannedAvailability {
    /** A fixed count; absent when an autoscaler owns it. */
    replicas?: number;
    /** A HorizontalPodAutoscaler on CPU (percent of the request). */
    autoscaling?: { min: number; max: number; cpu: number };
    /** The fewest pods the stack keeps: replicas, or autoscaling.min. */
    floor: number;
    /** The PodDisruptionBudget, when floor >= 2 (else none: one pod cannot be both drained and kept). */
    disruptionBudget?: { maxUnavailable: number } | { minAvailable: number };
    /** The chart's selector labels of Traefik's pods, which the spread constraints count. */
    podSelector: Record<string, string>;
}

/**
 * What gates a new Traefik pod's readiness: a route of the CRD provider (an IngressRoute on the
 * unexposed `traefik` entryPoint, answered by ping@internal). It answers only once that provider
 * has loaded its configuration, every TCP app's route with it (one snapshot of its caches).
 */
export interface PlannedReadiness {
    /** The IngressRoute, in Traefik's namespace. */
    routeName: string;
    path: string;
    /** The `traefik` entryPoint's port inside the pod. */
    port: number;
}

/** Traefik as this stack installs it. */
export interface PlannedTraefik {
    chart: StackConfig["traefik"]["chart"];
    installer: "chart" | "release";
    /** How it routes TCP apps: their IngressRouteTCPs, or the Gateway API (`gateway`). */
    routing: "ingressRoute" | "gateway";
    gateway?: PlannedGateway;
    /** Its namespace: `traefik.namespace`, else `traefik` plus the stack's namespaceSuffix. */
    namespace: string;
    releaseName: string;
    serviceType: ServiceType;
    resources?: TraefikResources;
    /** The only namespaces whose routes it reads (and whose Secrets it may read): the stack's apps'. */
    watchNamespaces: string[];
    /** How its chart version spells the values. */
    profile: ChartProfile;
    /** Its extra entryPoints, from the apps (those that stand). */
    entryPoints: PlannedEntryPoint[];
    /** Labels for every object of the chart: the stack's, and its ownership. */
    labels: Record<string, string>;
    /** Its shutdown, when the stack sets `traefik.gracePeriod` (else the chart's and Traefik's defaults). */
    shutdown?: PlannedShutdown;
    availability: PlannedAvailability;
    readiness: PlannedReadiness;
    /** Seconds after a pod's deletion begins that its established connections are closed: preStop, accepting, graceTimeOut. */
    closesAfterSeconds: number;
}

/** A Kubernetes object the program creates itself, and the config key that names it. */
export interface ObjectRef {
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
    /** Config path that brings the object into being, for messages. */
    path: string;
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
