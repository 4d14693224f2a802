/**
 * Each app, planned: names, labels, replicas, resources, image, how its container is told its
 * port, its TLS server certificate, its claims, and (TCP) the entryPoint its route binds to.
 */
import { AppSpec, ContainerSpec, objectNames, PortContract, TlsSpec } from "../catalog";
import { AppConfig, PeerConfig, ResourcesConfig, StackConfig, TlsConfig } from "../config/schema";
import { DEFAULT_STORAGE_SIZE, PROJECT } from "../constants";
import { mapImage } from "../images";
import { ownerLabels } from "../ownership";

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

interface PlannedAppBase {
    id: string;
    namespace: string;
    names: ReturnType<typeof objectNames>;
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
}

export interface PlannedTcpApp extends PlannedAppBase {
    kind: "tcp";
    /**
     * The entryPoint its route binds to: the one it names, else `websecure` for a TLS app;
     * absent for a plain-TCP app that names none (refused by the rules).
     */
    entryPoint?: string;
    /** Config path of the entryPoint choice, for messages. */
    entryPointPath: string;
    /** SNI host; absent for plain TCP, which matches HostSNI(`*`). */
    host?: string;
    tls?: TlsSpec;
}

export interface PlannedHttpApp extends PlannedAppBase {
    kind: "http";
    host?: string;
    path: string;
}

export type PlannedApp = PlannedTcpApp | PlannedHttpApp;

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
export function planApp(id: string, spec: AppSpec, config: StackConfig): PlannedApp {
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
        secretEnv: (spec.container.secretEnv ?? []).filter((s) => config.secrets[s.configKey] !== undefined),
        protect: app.protect ?? (spec.storage !== undefined && config.protectStateful),
        allowFrom: app.allowFrom ?? [],
        storage: planStorage(id, spec, config, replicas),
        serverTls,
    };
    if (spec.kind === "http") {
        return { ...base, kind: "http", host: app.host, path: spec.path };
    }
    return {
        ...base,
        kind: "tcp",
        entryPoint: app.entryPoint?.name ?? (tls ? "websecure" : undefined),
        entryPointPath: `${PROJECT}:apps.${id}.entryPoint${app.entryPoint ? ".name" : ""}`,
        host: app.host,
        tls: tls && (tls.passthrough ? { passthrough: true } : { secretName: tls.secretName! }),
    };
}


/** The stack's labels and its ownership labels: what every object carries. */
export function stackLabels(config: StackConfig): Record<string, string> {
    return { ...config.labels, ...ownerLabels(config.identity) };
}
