/**
 * Each app, planned: names, labels, replicas, resources, image, how its container is told its
 * port, its TLS server certificate, its claims, and (TCP) the entryPoint its route binds to.
 */
import { AppSpec, PortContract, TlsSpec } from "../catalog";
import { AppConfig, StackConfig, TlsConfig } from "../config/schema";
import { DEFAULT_STORAGE_SIZE, PROJECT } from "../constants";
import { mapImage } from "../images";
import { AppDraft, PlannedAppBase, PlannedServerTls, PlannedStorage } from "../model";
import { ownerLabels } from "../ownership";
import { ChartProfile } from "../traefik/profile";
import { planCanary } from "./canary";
import { objectNames, withAffix } from "./names";
import { planRoute } from "./routes";
import { isWildcard } from "./matchers";

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

/** What tells an image its port: arguments or an environment variable; nothing when it listens there by itself. */
export function portSettings(contract: PortContract | undefined, port: number): { args: string[]; env: Record<string, string> } {
    if (contract === undefined) {
        return { args: [], env: {} };
    }
    if ("env" in contract) {
        return { args: [], env: { [contract.env]: String(port) } };
    }
    return { args: contract.joined ? [`${contract.arg}=${port}`] : [contract.arg, String(port)], env: {} };
}

function planServerTls(spec: AppSpec, certificateName: string, tls: TlsConfig | undefined, host: string | undefined): PlannedServerTls | undefined {
    const certificate = tls && "certificate" in tls ? tls.certificate : undefined;
    const mountPath = spec.container.tlsServer?.mountPath;
    if (!certificate || !mountPath) {
        return undefined;
    }
    const dnsNames = host ? [host] : [];
    if (certificate.issuer) {
        return { secretName: certificateName, mountPath, issuer: certificate.issuer, dnsNames };
    }
    return certificate.secretName === undefined ? undefined : { secretName: certificate.secretName, mountPath, dnsNames };
}

/** A TLS server's arguments with `{cert}` and `{key}` replaced by the mounted files (the catalog allows no other placeholder). */
export function tlsServerArgs(args: string[], files: { cert: string; key: string }): string[] {
    return args.map((arg) => arg.replace(/\{(cert|key)\}/g, (_, name: "cert" | "key") => files[name]));
}

/** The TLS a route carries: passed through, or terminated with the stack's Secret. */
function routeTls(tls: TlsConfig | TlsSpec | undefined): TlsSpec | undefined {
    if (tls && "passthrough" in tls && tls.passthrough) {
        return { passthrough: true };
    }
    return tls && "secretName" in tls && tls.secretName !== undefined ? { secretName: tls.secretName } : undefined;
}

function planStorage(id: string, spec: AppSpec, config: StackConfig, replicas: number, statefulSet: string): PlannedStorage | undefined {
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
        claims: Array.from({ length: Math.max(replicas, 1) }, (_, ordinal) => `${template}-${statefulSet}-${ordinal}`),
    };
}

/** One app as the components build it: every derived fact about it, resolved here once. */
export function planApp(id: string, spec: AppSpec, config: StackConfig, profile: ChartProfile): AppDraft {
    const app = config.apps[id];
    const affix = { prefix: app.namePrefix ?? "", suffix: app.nameSuffix ?? "" };
    const names = withAffix(objectNames(spec), affix);
    const tls = spec.kind === "tcp" ? app.tls ?? spec.tls : undefined;
    const serverTls = planServerTls(spec, names.certificate, tls, app.host);
    const { tlsServer } = spec.container;
    const listen = serverTls && tlsServer?.port ? tlsServer.port : spec.container.listen;
    const port = portSettings(listen, spec.container.port);
    const tlsArgs = serverTls && tlsServer ? tlsServerArgs(tlsServer.args, { cert: `${serverTls.mountPath}/tls.crt`, key: `${serverTls.mountPath}/tls.key` }) : [];
    const replicas = resolveSetting(id, config, "replicas")?.value ?? spec.replicas;
    const base: PlannedAppBase = {
        id,
        namespace: spec.namespace + config.namespaceSuffix,
        names,
        selector: { ...spec.selector, ...app.selectorLabels },
        labels: stackLabels(config, app.labels),
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
        storage: planStorage(id, spec, config, replicas, names.deployment),
        serverTls,
    };
    const canary = app.canary && planCanary(spec, affix, { ...base, path: `${PROJECT}:apps.${id}.canary` }, app.canary);
    const withCanary = canary ? { ...base, canary } : base;
    if (spec.kind === "http") {
        // A wildcard is refused for an HTTP app by the rules (lib/rules/traffic.ts), which read the config.
        return { ...withCanary, kind: "http", host: app.host && !isWildcard(app.host) ? app.host : undefined, path: spec.path };
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
        tls: routeTls(tls),
        ...optional({ alpn: app.alpn, ipAllowList: app.ipAllowList, maxConnections: app.maxConnections, proxyProtocol: app.proxyProtocol, tlsOptions: tls && "options" in tls ? tls.options : undefined }),
    }, profile);
}

/** The fields of `fields` that are set: a plan without a feature carries no key for it. */
function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
    return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}


/** The stack's labels (and an app's own) and its ownership labels: what every object carries. */
export function stackLabels(config: StackConfig, appLabels: Record<string, string> = {}): Record<string, string> {
    return { ...config.labels, ...appLabels, ...ownerLabels(config.identity) };
}
