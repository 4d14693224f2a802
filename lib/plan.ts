/**
 * Planning: from the catalog and a validated stack configuration to exactly what each
 * component creates. Pure functions, tested without Pulumi.
 */
import { AppSpec, catalog, ContainerSpec, objectNames, PortContract, TlsSpec } from "./catalog";
import { ownerLabels, StackIdentity } from "./ownership";
import { chartProfile, ChartProfile, EntryPointPlan, ServiceType, TraefikResources } from "./traefikChart";
import { mapImage, PeerConfig, PROJECT, ResourcesConfig, resolveSetting, StackConfig, TlsConfig } from "./validation";

/** Size of each claim of a stateful app when the stack names none. */
export const DEFAULT_STORAGE_SIZE = "1Gi";

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
    entryPoint: string;
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

export interface PortTableRow {
    app: string;
    entryPoint: string;
    /** Port inside the Traefik pod. */
    traefikPort: number;
    /** Port on the Traefik Service. */
    exposedPort: number;
    nodePort?: number;
    /** `service:port` the route sends traffic to. */
    backend: string;
    /** The route's rule: HostSNI for TCP, Host for HTTP. */
    match: string;
}

/** Traefik as this stack installs it. */
export interface PlannedTraefik {
    chart: StackConfig["traefik"]["chart"];
    installer: "chart" | "release";
    /** Its namespace: `traefik.namespace`, else `traefik` plus the stack's namespaceSuffix. */
    namespace: string;
    releaseName: string;
    serviceType: ServiceType;
    resources?: TraefikResources;
    /** The only namespaces whose routes it reads (and whose Secrets it may read): the stack's apps'. */
    watchNamespaces: string[];
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

export interface PlatformPlan {
    identity: StackIdentity;
    /** Labels on every object: the stack's own, and its ownership. */
    labels: Record<string, string>;
    apps: PlannedApp[];
    entryPoints: EntryPointPlan[];
    profile: ChartProfile;
    portTable: PortTableRow[];
    /** Namespaces the program creates for the apps. */
    namespaces: string[];
    traefik: PlannedTraefik;
    /** Every object the program creates itself (the chart's objects aside). */
    objects: ObjectRef[];
}

/** The stack's labels and its ownership labels: what every object carries. */
function stackLabels(config: StackConfig): Record<string, string> {
    return { ...config.labels, ...ownerLabels(config.identity) };
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

function planApp(id: string, spec: AppSpec, config: StackConfig): PlannedApp {
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
        // Validation guarantees a TCP app without an entryPoint has TLS and shares websecure.
        entryPoint: app.entryPoint?.name ?? "websecure",
        host: app.host,
        tls: tls && (tls.passthrough ? { passthrough: true } : { secretName: tls.secretName! }),
    };
}

/** The entryPoints the apps declare, in app order: the only source of Traefik's extra ports. */
export function planEntryPoints(config: Pick<StackConfig, "apps">): EntryPointPlan[] {
    const plans: EntryPointPlan[] = [];
    for (const [id, app] of Object.entries(config.apps)) {
        const ep = app.entryPoint;
        if (ep?.port !== undefined) {
            plans.push({ name: ep.name, port: ep.port, exposedPort: ep.exposedPort ?? ep.port, nodePort: ep.nodePort, apps: [id] });
        }
    }
    for (const [id, app] of Object.entries(config.apps)) {
        const ep = app.entryPoint;
        const shared = ep && ep.port === undefined ? plans.find((p) => p.name === ep.name) : undefined;
        shared?.apps.push(id);
    }
    return plans;
}

/** Everything the program will create, from a validated configuration. */
export function planPlatform(config: StackConfig): PlatformPlan {
    const apps = Object.keys(config.apps).map((id) => planApp(id, catalog[id], config));
    const entryPoints = planEntryPoints(config);
    const profile = chartProfile(config.traefik.chart.version);
    const namespaces = [...new Set(apps.map((a) => a.namespace))].sort();
    const { traefik } = config;
    const plannedTraefik: PlannedTraefik = {
        chart: traefik.chart,
        installer: traefik.installer,
        namespace: traefik.namespace ?? `traefik${config.namespaceSuffix}`,
        releaseName: traefik.releaseName,
        serviceType: traefik.serviceType,
        resources: traefik.resources,
        watchNamespaces: namespaces,
    };
    return {
        identity: config.identity,
        labels: stackLabels(config),
        apps,
        entryPoints,
        profile,
        portTable: portTable(apps, entryPoints, profile),
        namespaces,
        traefik: plannedTraefik,
        objects: plannedObjects(apps, namespaces, plannedTraefik.namespace),
    };
}

/** The objects of `apps`, their namespaces and Traefik's, named as the components name them. */
function plannedObjects(apps: PlannedApp[], namespaces: string[], traefikNamespace: string): ObjectRef[] {
    const objects: ObjectRef[] = [{ apiVersion: "v1", kind: "Namespace", name: traefikNamespace, path: `${PROJECT}:traefik.namespace` }];
    for (const namespace of namespaces) {
        const path = `${PROJECT}:namespaceSuffix`;
        objects.push({ apiVersion: "v1", kind: "Namespace", name: namespace, path }, { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespace, name: "default-deny-ingress", path });
    }
    for (const app of apps) {
        const { namespace, names } = app;
        const path = `${PROJECT}:apps.${app.id}`;
        const of = (apiVersion: string, kind: string, name: string) => objects.push({ apiVersion, kind, namespace, name, path });
        if (app.secretEnv.length > 0) {
            of("v1", "Secret", names.secret);
        }
        if (app.serverTls?.issuer) {
            of("cert-manager.io/v1", "Certificate", names.certificate);
        }
        app.storage?.claims.forEach((claim) => of("v1", "PersistentVolumeClaim", claim));
        of("apps/v1", app.storage ? "StatefulSet" : "Deployment", names.deployment);
        of("v1", "Service", names.service);
        of("networking.k8s.io/v1", "NetworkPolicy", names.networkPolicy);
        of("traefik.io/v1alpha1", app.kind === "tcp" ? "IngressRouteTCP" : "IngressRoute", names.route);
    }
    return objects;
}

function portTable(apps: PlannedApp[], entryPoints: EntryPointPlan[], profile: ChartProfile): PortTableRow[] {
    return apps.map((app) => {
        const name = app.kind === "tcp" ? app.entryPoint : "web";
        const own = entryPoints.find((ep) => ep.name === name);
        const builtin = profile.builtinEntryPoints.find((b) => b.name === name);
        return {
            app: app.id,
            entryPoint: name,
            traefikPort: own?.port ?? builtin?.port ?? 0,
            exposedPort: own?.exposedPort ?? builtin?.exposedPort ?? 0,
            nodePort: own?.nodePort,
            backend: `${app.names.service}:${app.servicePort}`,
            match: app.kind === "tcp" ? `HostSNI(\`${app.host ?? "*"}\`)` : app.host ? `Host(\`${app.host}\`)` : "any host",
        };
    });
}

/** The port table as Markdown, like the seed's appendix A. */
export function portTableMarkdown(rows: PortTableRow[]): string {
    const header = ["app", "entryPoint", "Traefik port", "Service port", "NodePort", "match", "backend service:port"];
    const lines = rows.map((r) => [r.app, r.entryPoint, String(r.traefikPort), String(r.exposedPort), r.nodePort === undefined ? "(assigned by Kubernetes)" : String(r.nodePort), r.match, r.backend]);
    const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
    return [row(header), row(header.map(() => "---")), ...lines.map(row)].join("\n") + "\n";
}
