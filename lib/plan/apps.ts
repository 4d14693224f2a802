/**
 * Each app, planned: names, labels, replicas, resources, image, how its container is told its
 * port, its TLS server certificate, its claims, and (TCP) the entryPoint its route binds to.
 */
import { AppSpec, ContainerSpec, ObjectNames, objectNames, PortContract, TlsSpec } from "../catalog";
import { AppConfig, PeerConfig, ResourcesConfig, StackConfig, TlsConfig, TlsOptionsConfig } from "../config/schema";
import { DEFAULT_STORAGE_SIZE, PROJECT } from "../constants";
import { mapImage } from "../images";
import { ownerLabels } from "../ownership";
import { ChartProfile } from "../traefik/profile";
import { planCanary } from "./canary";
import { PlannedRoute, PlannedTraefikObject, planRoute } from "./routes";

/** A stateful app's data: one PersistentVolumeClaim per replica, from the StatefulSet's template. */
export interface PlannedStorage {
    size: string;
    /** Config paths of the size and the class, where the stack set them. */
    paths: { size: string; storageClass: string };
    /** Absent: the cluster's default StorageClass. */
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
    /** Set when the program requests the Secret from cert-manager. */
    issuer?: { name: string; kind: "Issuer" | "ClusterIssuer" };
}

export interface PlannedAppBase {
    id: string;
    namespace: string;
    names: ObjectNames;
    /** Selector labels (from the catalog; an environment never changes them). */
    selector: Record<string, string>;
    /** Labels the stack adds to every object's metadata. */
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
    /** Stateful apps: a StatefulSet with these claims; others are Deployments. */
    storage?: PlannedStorage;
    /** Passthrough apps: the certificate their own server presents. */
    serverTls?: PlannedServerTls;
    /** A second Deployment and Service for a new tag, taking part of the connections. */
    canary?: PlannedCanary;
}

/** A canary: the app again under its canary names, selector and tag, and its share of connections. */
export interface PlannedCanary {
    /** Percent of the route's connections it takes. */
    weight: number;
    /** Config path of the canary, for messages. */
    path: string;
    /** What its Deployment, Service and NetworkPolicy are built from. */
    app: PlannedAppBase;
}

/** A TCP or UDP app: routed by Traefik on an entryPoint, with the Traefik objects its route uses. */
interface PlannedRoutedApp extends PlannedAppBase {
    /**
     * The entryPoint its route binds to: the one it names, else `websecure` for a TLS app;
     * absent for a plain-TCP app that names none (refused by the rules).
     */
    entryPoint?: string;
    /** Config path of the entryPoint choice, for messages. */
    entryPointPath: string;
    /** The route, as the stack's chart line takes it (absent without an entryPoint). */
    route?: PlannedRoute;
    /** MiddlewareTCPs, a ServersTransportTCP and a TLSOption the route refers to. */
    traefikObjects: PlannedTraefikObject[];
}

export interface PlannedUdpApp extends PlannedRoutedApp {
    kind: "udp";
}

export interface PlannedTcpApp extends PlannedRoutedApp {
    kind: "tcp";
    /** SNI host (`*.x` for one label of any name); absent for plain TCP, which matches HostSNI(`*`). */
    host?: string;
    /** ALPN protocols the route matches besides the host. */
    alpn?: string[];
    tls?: TlsSpec;
    /** TLS parameters of a route where Traefik terminates TLS. */
    tlsOptions?: TlsOptionsConfig;
    /** Clients that may connect. */
    ipAllowList?: string[];
    /** Simultaneous connections through Traefik. */
    maxConnections?: number;
    /** PROXY protocol header sent to the backend. */
    proxyProtocol?: { version: 1 | 2 };
}

export interface PlannedHttpApp extends PlannedAppBase {
    kind: "http";
    host?: string;
    path: string;
}

export type PlannedApp = PlannedTcpApp | PlannedUdpApp | PlannedHttpApp;

/** Where an app's effective setting comes from: the stack's app entry, its defaults, or the catalog. */
export function resolveSetting<K extends "replicas" | "resources" | "storage">(
    id: string,
    config: Pick<StackConfig, "apps" | "defaults">,
    key: K,
): { value: AppConfig[K]; path: string } | undefined {
    const own = config.apps[id]?.[key];
    if (own !== undefined) {
        return { value: own, path: `${PROJECT}:apps.${id}.${key}` };
    }
    const fallback = config.defaults[key];
    if (fallback !== undefined) {
        return { value: fallback, path: `${PROJECT}:defaults.${key}` };
    }
    return undefined;
}

/** What tells an image its port: arguments or an environment variable. */
export function portSettings(contract: PortContract, port: number): { args: string[]; env: Record<string, string> } {
    if ("env" in contract) {
        return { args: [], env: { [contract.env]: String(port) } };
    }
    return { args: contract.joined ? [`${contract.arg}=${port}`] : [contract.arg, String(port)], env: {} };
}

function planServerTls(spec: AppSpec, tls: TlsConfig | undefined): PlannedServerTls | undefined {
    const certificate = tls && "certificate" in tls ? tls.certificate : undefined;
    const mountPath = spec.container.tlsServer?.mountPath;
    if (!certificate || !mountPath) {
        return undefined;
    }
    return certificate.issuer
        ? { secretName: objectNames(spec).certificate, mountPath, issuer: certificate.issuer }
        : { secretName: certificate.secretName!, mountPath };
}

function planStorage(id: string, spec: AppSpec, config: StackConfig, replicas: number): PlannedStorage | undefined {
    if (!spec.storage) {
        return undefined;
    }
    const storage = { ...config.defaults.storage, ...config.apps[id].storage };
    const template = "data";
    const pathOf = (key: "size" | "storageClass") =>
        `${PROJECT}:${config.apps[id].storage?.[key] === undefined && config.defaults.storage?.[key] !== undefined ? "defaults" : `apps.${id}`}.storage.${key}`;
    return {
        size: storage.size ?? DEFAULT_STORAGE_SIZE,
        paths: { size: pathOf("size"), storageClass: pathOf("storageClass") },
        storageClass: storage.storageClass,
        mountPath: spec.storage.mountPath,
        template,
        claims: Array.from({ length: Math.max(replicas, 1) }, (_, ordinal) => `${template}-${spec.deploymentName}-${ordinal}`),
    };
}

/** One app as the components build it: every derived fact about it, resolved here once. */
export function planApp(id: string, spec: AppSpec, config: StackConfig, profile: ChartProfile): PlannedApp {
    const app = config.apps[id];
    const tls = spec.kind === "tcp" ? app.tls ?? spec.tls : undefined;
    const serverTls = planServerTls(spec, tls);
    const { tlsServer } = spec.container;
    const listen = serverTls && tlsServer?.port ? tlsServer.port : spec.container.listen;
    const port = portSettings(listen, spec.container.port);
    const tlsArgs = serverTls && tlsServer ? tlsServer.args({ cert: `${serverTls.mountPath}/tls.crt`, key: `${serverTls.mountPath}/tls.key` }) : [];
    const replicas = resolveSetting(id, config, "replicas")?.value ?? spec.replicas;
    const base: PlannedAppBase = {
        id,
        namespace: spec.namespace + config.namespaceSuffix,
        names: objectNames(spec),
        selector: spec.selector,
        labels: stackLabels(config),
        replicas,
        resources: resolveSetting(id, config, "resources")?.value,
        container: spec.container,
        args: [...(spec.container.args ?? []), ...port.args, ...tlsArgs],
        env: { ...spec.container.env, ...port.env },
        image: mapImage(spec.container.image, config.images).image,
        portName: spec.portName,
        servicePort: spec.servicePort,
        protocol: spec.kind === "udp" ? "UDP" : "TCP",
        secretEnv: (spec.container.secretEnv ?? []).filter((s) => config.secrets[s.configKey] !== undefined),
        protect: app.protect ?? (spec.storage !== undefined && config.protectStateful),
        allowFrom: app.allowFrom ?? [],
        storage: planStorage(id, spec, config, replicas),
        serverTls,
    };
    const canary = app.canary && planCanary(spec, { ...base, path: `${PROJECT}:apps.${id}.canary` }, app.canary);
    const withCanary = canary ? { ...base, canary } : base;
    if (spec.kind === "http") {
        return { ...withCanary, kind: "http", host: app.host, path: spec.path };
    }
    const routed = {
        ...withCanary,
        entryPoint: app.entryPoint?.name ?? (tls ? "websecure" : undefined),
        entryPointPath: `${PROJECT}:apps.${id}.entryPoint${app.entryPoint ? ".name" : ""}`,
        traefikObjects: [],
    };
    if (spec.kind === "udp") {
        return planRoute({ ...routed, kind: "udp" }, profile);
    }
    return planRoute({
        ...routed,
        kind: "tcp",
        host: app.host,
        tls: tls && (tls.passthrough ? { passthrough: true } : { secretName: tls.secretName! }),
        ...optional({ alpn: app.alpn, ipAllowList: app.ipAllowList, maxConnections: app.maxConnections, proxyProtocol: app.proxyProtocol, tlsOptions: tls && "options" in tls ? tls.options : undefined }),
    }, profile);
}

/** The fields of `fields` that are set: a plan without a feature carries no key for it. */
function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
    return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}


/** The stack's labels and its ownership labels: what every object carries. */
export function stackLabels(config: StackConfig): Record<string, string> {
    return { ...config.labels, ...ownerLabels(config.identity) };
}
