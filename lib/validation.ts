/**
 * The one place that decides whether a stack's configuration is acceptable.
 *
 * Two passes, one error style: a schema (zod) checks shapes and types; then rules check what
 * only the whole configuration can show (ports that clash, routes to entryPoints that do not
 * exist, requests above limits...). Every problem is reported at once, each naming its config
 * path, the value and the fix, and all of it runs before any resource is registered.
 */
import { closest } from "fastest-levenshtein";
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";
import * as YAML from "yaml";
import { z } from "zod";
import { AppSpec, catalog, catalogEntry } from "./catalog";
import { parseQuantity } from "./quantity";
import { OWNER_LABEL_PREFIX, StackIdentity } from "./ownership";
import { chartProfile, traefikSelectorKeys } from "./traefikChart";

export const PROJECT = "tcp-platform";

/** The chart version the seed's Argo CD application pins; used when a stack names none. */
export const DEFAULT_CHART_VERSION = "26.0.0";

/** One thing wrong with the configuration. */
export interface Problem {
    /** Config path, e.g. `tcp-platform:apps.tcp-demo.entryPoint.nodePort`. */
    path: string;
    /** The offending value, shown in the message (never a secret's value). */
    value: unknown;
    /** What is wrong. */
    problem: string;
    /** What to do about it. */
    fix: string;
}

export function formatProblem(p: Problem): string {
    return `${p.path}: ${p.problem} (got ${showValue(p.value)}). Fix: ${p.fix}`;
}

/** Raised for a refused configuration; its message lists every problem. */
export class ConfigError extends Error {
    constructor(public readonly problems: Problem[]) {
        super(
            `the stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}; ` +
                "nothing was deployed:\n" +
                problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

function showValue(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// ---------------------------------------------------------------------------------------------
// Schema

// Kubernetes label syntax (k8s.io/apimachinery validation): optional DNS-subdomain prefix, then
// a name of at most 63 characters; values at most 63 characters, possibly empty.
const labelName = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
// RFC 1123 host name, as Traefik's HostSNI and an Ingress host take it.
const hostName = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
// RFC 1123 label: a Secret name and a Kubernetes object name part.
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// A Helm release name: an RFC 1123 label of at most 53 characters (Helm appends suffixes to it).
const helmReleaseName = /^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/;
// RFC 1123 subdomain: StorageClass and issuer names.
const dnsSubdomain = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// An image name (repository path) without tag or digest.
const imageName = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)*$/;
const imageTag = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const imageDigest = /^[a-z0-9]+([+._-][a-z0-9]+)*:[a-f0-9]{32,}$/;

/** A string matching `pattern`, with our message and fix when it does not. */
function matching(pattern: RegExp, message: string, fix: string) {
    return z.string().refine((text) => pattern.test(text), { message, params: { fix } });
}

const quantity = (kind: "cpu" | "memory" | "storage") =>
    z.string().refine((q) => parseQuantity(q) !== undefined && parseQuantity(q)! >= (kind === "storage" ? 1 : 0), {
        message: `is not a Kubernetes ${kind} quantity${kind === "storage" ? " above zero" : ""}`,
        params: {
            fix: kind === "cpu" ? 'write cores ("0.5") or millicores ("500m")' : 'write bytes with a suffix ("64Mi", "1Gi", "500M")',
        },
    });

const resourceAmounts = z.strictObject({ cpu: quantity("cpu").optional(), memory: quantity("memory").optional() });
const resourcesSchema = z.strictObject({ requests: resourceAmounts.optional(), limits: resourceAmounts.optional() });
const port = z.number().int().min(1).max(65535);
const replicas = z.number().int().min(0).max(1000);

const entryPointSchema = z.strictObject({
    /** entryPoint name; with `port` the app declares it, without it refers to an existing one. */
    name: z.string(),
    port: port.optional(),
    exposedPort: port.optional(),
    nodePort: z.number().int().optional(),
});

const secretName = matching(dnsLabel, "is not a valid Secret name", "use lowercase letters, digits and '-'");

/** Where a passthrough app's own server certificate comes from. */
const certificateSchema = z.strictObject({
    /** A `kubernetes.io/tls` Secret in the app's namespace. */
    secretName: secretName.optional(),
    /** A cert-manager issuer: the program requests a Certificate for the app's host. */
    issuer: z.strictObject({
        name: matching(dnsSubdomain, "is not an issuer name", "use the name of a cert-manager Issuer or ClusterIssuer"),
        kind: z.enum(["Issuer", "ClusterIssuer"]).default("Issuer"),
    }).optional(),
}).refine((c) => (c.secretName === undefined) !== (c.issuer === undefined), {
    message: "names no certificate source, or two",
    params: { fix: "write either {secretName: <kubernetes.io/tls Secret>} or {issuer: {name: <cert-manager issuer>, kind: Issuer|ClusterIssuer}}" },
});

const tlsSchema = z.strictObject({
    /** Traefik hands the TLS stream to the app unopened; the app's server presents `certificate`. */
    passthrough: z.boolean().optional(),
    /** Traefik terminates TLS with this Secret and talks plain TCP to the app. */
    secretName: secretName.optional(),
    certificate: certificateSchema.optional(),
}).refine((t) => (t.passthrough === true) !== (t.secretName !== undefined), {
    message: "is not a TLS setting",
    params: { fix: "write {passthrough: true, certificate: ...} to pass TLS to the backend, or {secretName: <tls secret>} to terminate it in Traefik" },
});

const storageSchema = z.strictObject({
    /** Size of each replica's claim (default 1Gi). */
    size: quantity("storage").optional(),
    /** StorageClass of the claims; the cluster's default class when absent. */
    storageClass: matching(dnsSubdomain, "is not a StorageClass name", "use the name of a StorageClass of the cluster (kubectl get storageclass)").optional(),
});

const peerSchema = z.strictObject({
    /** Namespace the clients run in. */
    namespace: matching(dnsLabel, "is not a namespace name", "use lowercase letters, digits and '-'"),
    /** Labels of the client pods; all pods of the namespace when absent. */
    podLabels: z.record(z.string(), z.string()).optional(),
});

const appSchema = z.strictObject({
    replicas: replicas.optional(),
    /** Clients besides Traefik that may reach the app's pods directly. */
    allowFrom: z.array(peerSchema).optional(),
    resources: resourcesSchema.optional(),
    entryPoint: entryPointSchema.optional(),
    host: matching(hostName, "is not a valid host name", "use a DNS name such as db.example.com").optional(),
    tls: tlsSchema.optional(),
    storage: storageSchema.optional(),
    protect: z.boolean().optional(),
});

const imageMappingSchema = z.strictObject({
    name: z.string().min(1),
    newName: matching(imageName, "is not an image name", "write registry/repository without tag, e.g. registry.example.com/team/app").optional(),
    newTag: matching(imageTag, "is not an image tag", "use letters, digits, '_', '.', '-' (at most 128)").optional(),
    digest: matching(imageDigest, "is not an image digest", "write sha256:<64 hex digits>").optional(),
});

const traefikSchema = z.strictObject({
    chart: z
        .strictObject({
            repo: z.string().url().default("https://traefik.github.io/charts"),
            version: z.string().refine((v) => semver.valid(v) !== null, { message: "is not a chart version", params: { fix: "write a version such as 26.0.0" } }).optional(),
            path: z.string().min(1).optional(),
        })
        .default({ repo: "https://traefik.github.io/charts" }),
    installer: z.enum(["chart", "release"]).default("chart"),
    /** Default: `traefik` plus the stack's namespaceSuffix. */
    namespace: matching(dnsLabel, "is not a namespace name", "use lowercase letters, digits and '-'").optional(),
    releaseName: matching(helmReleaseName, "is not a Helm release name (a DNS-1123 label of at most 53 characters)", "use at most 53 lowercase letters, digits and '-', starting and ending with a letter or digit").default("traefik"),
    serviceType: z.enum(["NodePort", "LoadBalancer", "ClusterIP"]).default("NodePort"),
    resources: resourcesSchema.optional(),
});

const secretKeys = [...new Set(Object.values(catalog).flatMap((a) => (a.container.secretEnv ?? []).map((s) => s.configKey)))];

const baseShape = {
    labels: z
        .record(
            matching(labelName, "is not a label key", "use a Kubernetes label key such as environment or example.com/team"),
            matching(labelValue, "is not a label value", "use at most 63 letters, digits, '-', '_', '.'"),
        )
        .default({}),
    images: z.array(imageMappingSchema).default([]),
    traefik: traefikSchema.default(traefikSchema.parse({})),
    defaults: z.strictObject({ replicas: replicas.optional(), resources: resourcesSchema.optional(), storage: storageSchema.optional() }).default({}),
    apps: z.record(z.string(), appSchema),
    protectStateful: z.boolean().default(false),
    podSecurity: z.enum(["privileged", "baseline", "restricted"]).default("restricted"),
    /** Appended to every namespace the stack creates, so that stacks can share a cluster. */
    namespaceSuffix: matching(/^(-[a-z0-9]+)*$/, "is not a namespace suffix", "write '-' and lowercase letters or digits, e.g. -staging").default(""),
    /** Take over objects that exist under the planned names and belong to no stack (the migration path). */
    adopt: z.boolean().default(false),
};
// Secret keys come from the catalog: each app names the config keys it reads.
const configSchema = z.strictObject({
    ...baseShape,
    ...Object.fromEntries(secretKeys.map((k) => [k, z.string().optional()])),
});

export type ResourcesConfig = z.infer<typeof resourcesSchema>;
export type AppConfig = z.infer<typeof appSchema>;
export type ImageMapping = z.infer<typeof imageMappingSchema>;
export type TlsConfig = z.infer<typeof tlsSchema>;
export type StorageConfig = z.infer<typeof storageSchema>;
export type PeerConfig = z.infer<typeof peerSchema>;
type ParsedConfig = z.infer<z.ZodObject<typeof baseShape>>;
export type TraefikConfig = ParsedConfig["traefik"] & { chart: { version: string } };

/** A stack's configuration after validation. Secret values are kept apart, never logged. */
export interface StackConfig extends Omit<ParsedConfig, "traefik"> {
    traefik: TraefikConfig;
    identity: StackIdentity;
    /** Config keys whose values are set (and secret), with their values. */
    secrets: Record<string, string>;
}

/** The raw configuration of one stack: this project's keys without the `tcp-platform:` prefix. */
export interface RawConfig {
    values: Record<string, unknown>;
    /** Keys whose values are stored encrypted. */
    secretKeys: Set<string>;
    /** The project and stack the configuration belongs to: the owner of what it creates. */
    identity: StackIdentity;
}

// ---------------------------------------------------------------------------------------------
// Schema issues in our error style

function pathText(path: readonly PropertyKey[]): string {
    return path.slice(1).reduce<string>(
        (text, key) => (typeof key === "number" ? `${text}[${key}]` : `${text}.${String(key)}`),
        `${PROJECT}:${String(path[0] ?? "")}`,
    );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let node: unknown = root;
    for (const key of path) {
        if (node === null || typeof node !== "object") {
            return undefined;
        }
        node = (node as Record<PropertyKey, unknown>)[key];
    }
    return node;
}

/** The keys a strict object at `path` accepts, for "did you mean" hints. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
    let schema: z.ZodType = configSchema;
    for (const key of path) {
        schema = unwrap(schema);
        if (schema instanceof z.ZodObject) {
            schema = schema.shape[key as string] as z.ZodType;
        } else if (schema instanceof z.ZodRecord) {
            schema = schema.valueType as z.ZodType;
        } else if (schema instanceof z.ZodArray) {
            schema = schema.element as z.ZodType;
        } else {
            return [];
        }
        if (!schema) {
            return [];
        }
    }
    schema = unwrap(schema);
    return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
    let s = schema;
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) {
        s = s.unwrap() as z.ZodType;
    }
    return s;
}

function schemaProblems(error: z.ZodError, raw: Record<string, unknown>, secret: Set<string>): Problem[] {
    const problems: Problem[] = [];
    for (const issue of error.issues) {
        const value = secret.has(String(issue.path[0])) ? "[secret]" : valueAt(raw, issue.path);
        switch (issue.code) {
            case "unrecognized_keys": {
                const known = knownKeysAt(issue.path);
                for (const key of issue.keys) {
                    const suggestion = known.length ? closest(key, known) : undefined;
                    problems.push({
                        path: pathText([...issue.path, key]),
                        value: valueAt(raw, [...issue.path, key]),
                        problem: "is not a known key",
                        fix: suggestion ? `did you mean "${suggestion}"? Known keys: ${known.join(", ")}` : "remove it",
                    });
                }
                break;
            }
            case "invalid_type": {
                const expected = typeNames[issue.expected] ?? issue.expected;
                problems.push({
                    path: pathText(issue.path),
                    value,
                    problem: value === undefined ? "is required" : `must be ${article(expected)}`,
                    fix: value === undefined ? `set it (${expected})` : `write ${article(expected)} here`,
                });
                break;
            }
            case "too_small":
            case "too_big":
                problems.push({
                    path: pathText(issue.path),
                    value,
                    problem: issue.message.replace(/^Too (small|big): expected \w+ to /, "must "),
                    fix: "bring it within that range",
                });
                break;
            case "invalid_value":
                problems.push({
                    path: pathText(issue.path),
                    value,
                    problem: "is not an accepted value",
                    fix: `use one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
                });
                break;
            case "invalid_key": {
                // A record key that fails its own check: report the key, with that check's words.
                const inner = issue.issues[0] as { message: string; params?: { fix?: string } } | undefined;
                problems.push({
                    path: pathText(issue.path),
                    value: issue.path[issue.path.length - 1],
                    problem: inner?.message ?? "is not an accepted key",
                    fix: inner?.params?.fix ?? "rename it",
                });
                break;
            }
            default: {
                const params = (issue as { params?: { fix?: string } }).params;
                problems.push({
                    path: pathText(issue.path),
                    value,
                    problem: issue.message,
                    fix: params?.fix ?? "correct the value",
                });
            }
        }
    }
    return problems;
}

// zod's type names, in the words of a YAML file.
const typeNames: Record<string, string> = { record: "mapping", object: "mapping", array: "list" };

function article(noun: string): string {
    return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

// ---------------------------------------------------------------------------------------------
// Rules that need the whole configuration

const nodePortRange = { min: 30000, max: 32767 };
// IANA_SVC_NAME: what Kubernetes accepts as a Service port name, which each entryPoint becomes.
const ianaSvcName = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

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

/** The image an app runs after the stack's `images` mappings (Kustomize `images:` semantics). */
export function mapImage(image: string, mappings: ImageMapping[]): { image: string; mapped: boolean } {
    const { name, tag, digest } = splitImage(image);
    const mapping = mappings.find((m) => m.name === name);
    if (!mapping) {
        return { image, mapped: false };
    }
    const newName = mapping.newName ?? name;
    if (mapping.digest) {
        return { image: `${newName}@${mapping.digest}`, mapped: true };
    }
    const newTag = mapping.newTag ?? tag;
    return { image: newName + (digest ? `@${digest}` : newTag ? `:${newTag}` : ""), mapped: true };
}

function splitImage(image: string): { name: string; tag?: string; digest?: string } {
    const [beforeDigest, digest] = image.split("@", 2);
    const lastSlash = beforeDigest.lastIndexOf("/");
    const colon = beforeDigest.indexOf(":", lastSlash + 1);
    return colon < 0
        ? { name: beforeDigest, digest }
        : { name: beforeDigest.slice(0, colon), tag: beforeDigest.slice(colon + 1), digest };
}

function ruleProblems(config: StackConfig, raw: RawConfig): Problem[] {
    const problems: Problem[] = [];
    const add = (path: string, value: unknown, problem: string, fix: string) => problems.push({ path, value, problem, fix });
    const profile = chartProfile(config.traefik.chart.version);
    const builtin = new Map(profile.builtinEntryPoints.map((b) => [b.name, b]));

    const appIds = Object.keys(config.apps);
    if (appIds.length === 0) {
        add(`${PROJECT}:apps`, config.apps, "lists no app", `enable at least one of: ${Object.keys(catalog).join(", ")}`);
    }

    // Which entryPoints exist: the chart's own, plus those the apps declare (name + port).
    const declared = new Map<string, { id: string; port: number }>();
    const ports = new Map<number, string>();
    const exposedPorts = new Map<number, string>([...builtin.values()].filter((b) => b.exposedPort).map((b) => [b.exposedPort!, `Traefik's own "${b.name}"`]));
    const nodePorts = new Map<number, string>();
    // Apps whose entryPoint declaration is already refused: their routes are not checked again.
    const refused = new Set<string>();
    for (const b of builtin.values()) {
        ports.set(b.port, `Traefik's own "${b.name}" entryPoint (chart ${profile.version})`);
    }

    for (const id of appIds) {
        const app = config.apps[id];
        const at = `${PROJECT}:apps.${id}`;
        // Unknown ids were refused before the schema pass.
        const spec: AppSpec | undefined = catalogEntry(catalog, id);
        if (!spec) {
            continue;
        }
        const ep = app.entryPoint;
        if (spec.kind === "http") {
            for (const key of ["entryPoint", "tls"] as const) {
                if (app[key] !== undefined) {
                    add(`${at}.${key}`, app[key], `does not apply to the HTTP app ${id}, which Traefik routes on its "web" entryPoint`, "remove it");
                }
            }
        } else if (!ep && !(app.tls ?? spec.tls)) {
            add(`${at}.entryPoint`, undefined, `is required: plain-TCP app ${id} needs an entryPoint of its own`, "add entryPoint: {name: <name>, port: <1024-65535>, nodePort: <30000-32767>}");
        }
        if (!ep || ep.port === undefined) {
            for (const key of ["exposedPort", "nodePort"] as const) {
                if (ep?.[key] !== undefined) {
                    add(`${at}.entryPoint.${key}`, ep[key], "only applies to an entryPoint this app declares", `add entryPoint.port to declare "${ep.name}", or remove ${key}`);
                }
            }
            continue;
        }
        const epAt = `${at}.entryPoint`;
        if (!ianaSvcName.test(ep.name)) {
            add(`${epAt}.name`, ep.name, "is not a valid Service port name (IANA_SVC_NAME: at most 15 characters, lowercase letters, digits and '-', at least one letter, no leading, trailing or double '-')", "choose a short lowercase name such as mytcp or redis");
        }
        if (builtin.has(ep.name) || declared.has(ep.name)) {
            refused.add(id);
        }
        if (builtin.has(ep.name)) {
            add(`${epAt}.name`, ep.name, `is one of Traefik's own entryPoints (${[...builtin.keys()].join(", ")})`, `choose another name, or remove entryPoint.port to route on the existing "${ep.name}"`);
        } else if (declared.has(ep.name)) {
            add(`${epAt}.name`, ep.name, `is already declared by app ${declared.get(ep.name)!.id}`, "choose another name; to share it, give only its name (no port) on the second app, which then needs TLS and a host");
        } else {
            declared.set(ep.name, { id, port: ep.port });
        }
        if (ep.port < 1024) {
            add(`${epAt}.port`, ep.port, "is a privileged port, and Traefik runs unprivileged inside its pod", `use a port of 1024 or above here and set entryPoint.exposedPort: ${ep.port} to keep it on the Service`);
        }
        const portOwner = ports.get(ep.port);
        if (portOwner) {
            add(`${epAt}.port`, ep.port, `is already used by ${portOwner}`, "choose a free port");
        } else {
            ports.set(ep.port, `app ${id}'s entryPoint "${ep.name}"`);
        }
        const exposed = ep.exposedPort ?? ep.port;
        const exposedOwner = exposedPorts.get(exposed);
        // Without exposedPort, a clash of the Service port is the clash already reported for port.
        if (exposedOwner) {
            if (ep.exposedPort !== undefined || !portOwner) {
                add(ep.exposedPort !== undefined ? `${epAt}.exposedPort` : `${epAt}.port`, exposed, `is already a port of the Traefik Service, used by ${exposedOwner}`, "choose a free port (set entryPoint.exposedPort to change only the Service port)");
            }
        } else {
            exposedPorts.set(exposed, `app ${id}`);
        }
        if (config.traefik.serviceType !== "ClusterIP") {
            if (ep.nodePort === undefined) {
                add(`${epAt}.nodePort`, undefined, `is required: clients reach ${id} on a fixed NodePort`, `set a free port in ${nodePortRange.min}-${nodePortRange.max} and record it in the port table`);
            } else if (ep.nodePort < nodePortRange.min || ep.nodePort > nodePortRange.max) {
                add(`${epAt}.nodePort`, ep.nodePort, `is outside the NodePort range ${nodePortRange.min}-${nodePortRange.max}`, `choose a free port in ${nodePortRange.min}-${nodePortRange.max}`);
            } else if (nodePorts.has(ep.nodePort)) {
                add(`${epAt}.nodePort`, ep.nodePort, `is already the NodePort of app ${nodePorts.get(ep.nodePort)}`, "choose a free NodePort");
            } else {
                nodePorts.set(ep.nodePort, id);
            }
        } else if (ep.nodePort !== undefined) {
            add(`${epAt}.nodePort`, ep.nodePort, "has no effect with traefik.serviceType ClusterIP", "remove it, or set traefik.serviceType to NodePort");
        }
    }

    // Routes: each TCP app's entryPoint must exist; catch-alls and hosts must not collide.
    const catchAll = new Map<string, string>();
    const hosts = new Map<string, string>();
    for (const id of appIds) {
        const spec = catalogEntry(catalog, id);
        if (!spec || spec.kind !== "tcp" || refused.has(id)) {
            continue;
        }
        const app = config.apps[id];
        const at = `${PROJECT}:apps.${id}`;
        const tls = app.tls ?? spec.tls;
        const entryPoint = app.entryPoint?.name ?? (tls ? "websecure" : undefined);
        if (!entryPoint) {
            continue;
        }
        const epPath = app.entryPoint ? `${at}.entryPoint.name` : `${at}.entryPoint`;
        if (!builtin.has(entryPoint) && !declared.has(entryPoint)) {
            const known = [...builtin.keys(), ...declared.keys()];
            add(epPath, entryPoint, "is not an entryPoint of Traefik, which would silently ignore the route", `use one of ${known.join(", ")} (did you mean "${closest(entryPoint, known)}"?), or declare it with entryPoint.port`);
            continue;
        }
        if (app.host && !tls) {
            const ownEntryPoint = declared.get(entryPoint)?.id === id;
            add(`${at}.host`, app.host, ownEntryPoint
                ? "is a host name on a plain-TCP route: without TLS there is no SNI, and Traefik refuses it (\"HostSNI matcher, but no TLS on router\")"
                : `names an SNI route on "${entryPoint}" without TLS`, "add tls: {passthrough: true} (or {secretName: ...}), or remove host to match HostSNI(`*`)");
        }
        if (tls && !app.host && declared.get(entryPoint)?.id !== id) {
            add(`${at}.host`, undefined, `is required: app ${id} shares entryPoint "${entryPoint}" by SNI`, "set host to the name its TLS clients send, e.g. db.example.com");
        }
        if (!app.host) {
            if (entryPoint === "web") {
                add(epPath, entryPoint, "would put a plain-TCP catch-all (HostSNI(`*`)) on web and capture all HTTP traffic", "give the app an entryPoint of its own");
            } else if (catchAll.has(entryPoint)) {
                add(epPath, entryPoint, `already carries the catch-all route of app ${catchAll.get(entryPoint)}; plain TCP has no host name, so one entryPoint serves one app`, "give this app an entryPoint of its own");
            } else if (builtin.has(entryPoint) && !tls) {
                add(epPath, entryPoint, `is Traefik's own entryPoint; a plain-TCP catch-all there would take all its traffic`, "give the app an entryPoint of its own");
            } else {
                catchAll.set(entryPoint, id);
            }
        } else {
            const key = `${entryPoint}/${app.host}`;
            if (hosts.has(key)) {
                add(`${at}.host`, app.host, `is already routed on "${entryPoint}" by app ${hosts.get(key)}`, "use a different host name");
            } else {
                hosts.set(key, id);
            }
        }
    }

    // Workloads: images, replicas, resources, secrets.
    const placeholdersMapped = new Set(config.images.map((m) => m.name));
    config.images.forEach((m, i) => {
        if (!m.newName && !m.newTag && !m.digest) {
            add(`${PROJECT}:images[${i}]`, m, "changes nothing", "set newName, newTag or digest");
        }
    });
    for (const id of appIds) {
        const spec = catalogEntry(catalog, id);
        if (!spec) {
            continue;
        }
        const image = spec.container.image;
        if (spec.container.placeholder && !placeholdersMapped.has(image)) {
            add(`${PROJECT}:images`, config.images.map((m) => m.name), `has no mapping for "${image}", the image placeholder of app ${id}`, `add {name: ${image}, newName: <registry/repository>, newTag: <tag>}`);
        }
        const resources = resolveSetting(id, config, "resources");
        if (resources?.value) {
            for (const kind of ["cpu", "memory"] as const) {
                const request = resources.value.requests?.[kind];
                const limit = resources.value.limits?.[kind];
                if (request && limit && parseQuantity(request)! > parseQuantity(limit)!) {
                    add(`${resources.path}.requests.${kind}`, request, `is above the limit ${limit}${resources.path.includes(":defaults") ? ` (applies to app ${id})` : ""}`, `lower the request to at most ${limit}, or raise limits.${kind}`);
                }
            }
        }
        problems.push(...storageProblems(id, spec, config), ...serverTlsProblems(id, spec, config));
        for (const s of spec.container.secretEnv ?? []) {
            const value = raw.values[s.configKey];
            const present = typeof value === "string" && value.length > 0;
            if (s.required && !present) {
                add(`${PROJECT}:${s.configKey}`, undefined, `is required: app ${id} reads ${s.env} from it`, `run: pulumi config set --secret ${s.configKey} <value>`);
            } else if (present && !raw.secretKeys.has(s.configKey)) {
                add(`${PROJECT}:${s.configKey}`, "[not shown]", "is stored in plain text", `run: pulumi config set --secret ${s.configKey} <value>`);
            }
        }
    }

    problems.push(...labelProblems(config), ...namingProblems(config));
    const { chart } = config.traefik;
    if (chart.path !== undefined && !fs.existsSync(chart.path)) {
        add(`${PROJECT}:traefik.chart.path`, chart.path, "does not exist", "point it at a chart directory or .tgz archive (paths are relative to the project directory)");
    }
    return problems;
}

function unknownApp(id: string): Problem {
    const ids = Object.keys(catalog);
    return {
        path: `${PROJECT}:apps.${id}`,
        value: id,
        problem: "is not an app in the catalog",
        fix: `did you mean "${closest(id, ids)}"? Catalog apps (lib/catalog.ts): ${ids.join(", ")}`,
    };
}

/**
 * App ids as the stack file wrote them. The schema's record drops a `__proto__` key (JavaScript
 * would take it as the object's prototype), so ids are checked here, on the raw keys, first.
 */
function unknownAppProblems(raw: Record<string, unknown>): Problem[] {
    const apps = raw.apps;
    if (apps === null || typeof apps !== "object" || Array.isArray(apps)) {
        return [];
    }
    return Object.keys(apps).filter((id) => !catalogEntry(catalog, id)).map(unknownApp);
}

/**
 * A common label lands on pod templates; one whose key a selector uses would give the pods a
 * value the selector does not match (the API server refuses the Deployment, the Service selects
 * nothing). Traefik's chart selects its pods by the same kind of keys.
 */
function labelProblems(config: StackConfig): Problem[] {
    const users = new Map<string, string[]>();
    const use = (key: string, who: string) => users.set(key, [...(users.get(key) ?? []), who]);
    for (const id of Object.keys(config.apps)) {
        for (const key of Object.keys(catalogEntry(catalog, id)?.selector ?? {})) {
            use(key, `app ${id}`);
        }
    }
    for (const key of traefikSelectorKeys) {
        use(key, "Traefik");
    }
    const keys = Object.keys(config.labels);
    return [
        ...keys.filter((key) => users.has(key)).map((key) => ({
            path: `${PROJECT}:labels.${key}`,
            value: config.labels[key],
            problem: `is a label key that selectors use (${users.get(key)!.join(", ")}): on the pod templates it would break those selectors`,
            fix: `rename the label (e.g. team, or example.com/${key.replace(/^.*\//, "")})`,
        })),
        ...keys.filter((key) => key.startsWith(OWNER_LABEL_PREFIX)).map((key) => ({
            path: `${PROJECT}:labels.${key}`,
            value: config.labels[key],
            problem: `is a label key the program keeps for ownership (${OWNER_LABEL_PREFIX}project, ${OWNER_LABEL_PREFIX}stack: which stack owns an object)`,
            fix: `rename the label; the program sets ${OWNER_LABEL_PREFIX}stack to the stack's name itself`,
        })),
    ];
}

/** Names that end up in Kubernetes: the stack's own (an ownership label value) and its namespaces. */
function namingProblems(config: StackConfig): Problem[] {
    const problems: Problem[] = [];
    for (const [key, value] of Object.entries(config.identity) as [keyof StackIdentity, string][]) {
        if (!labelValue.test(value) || value === "") {
            problems.push({
                path: `the ${key} name`, value,
                problem: `is not a Kubernetes label value, and every object carries it in ${OWNER_LABEL_PREFIX}${key}`,
                fix: `rename the ${key} to at most 63 letters, digits, '-', '_' or '.'`,
            });
        }
    }
    const suffix = config.namespaceSuffix;
    const namespaces = new Set(Object.keys(config.apps).flatMap((id) => catalogEntry(catalog, id)?.namespace ?? []).map((n) => n + suffix));
    if (config.traefik.namespace === undefined) {
        namespaces.add(`traefik${suffix}`);
    }
    for (const namespace of namespaces) {
        if (!dnsLabel.test(namespace)) {
            problems.push({
                path: `${PROJECT}:namespaceSuffix`, value: suffix,
                problem: `makes the namespace "${namespace}", longer than the 63 characters Kubernetes allows`,
                fix: "shorten the suffix",
            });
        }
    }
    return problems;
}

function storageProblems(id: string, spec: AppSpec, config: StackConfig): Problem[] {
    const problems: Problem[] = [];
    const at = `${PROJECT}:apps.${id}`;
    const own = config.apps[id].storage;
    if (!spec.storage) {
        if (own !== undefined) {
            problems.push({ path: `${at}.storage`, value: own, problem: `does not apply: app ${id} keeps no data on disk`, fix: "remove it" });
        }
        return problems;
    }
    const replicas = resolveSetting(id, config, "replicas");
    const count = replicas?.value ?? spec.replicas;
    if (spec.storage.singlePrimary && count > 1) {
        problems.push({
            path: replicas?.path ?? at,
            value: count,
            problem: `${replicas?.path.includes(":defaults") ? `applies to app ${id}, which` : `app ${id}`} is a single-primary database without replication: each replica would be a separate database with its own data behind one Service`,
            fix: `set apps.${id}.replicas to 1 (or 0 to stop it; its claim is kept)`,
        });
    }
    return problems;
}

/** A passthrough app's server must present a certificate of its own. */
function serverTlsProblems(id: string, spec: AppSpec, config: StackConfig): Problem[] {
    if (spec.kind !== "tcp") {
        return [];
    }
    const app = config.apps[id];
    const tls = app.tls ?? spec.tls;
    const at = `${PROJECT}:apps.${id}.tls`;
    if (!tls) {
        return [];
    }
    if (!("passthrough" in tls) || tls.passthrough !== true) {
        const certificate = (tls as { certificate?: unknown }).certificate;
        return certificate === undefined ? [] : [{
            path: `${at}.certificate`, value: certificate,
            problem: "only applies with passthrough: Traefik terminates TLS with secretName and talks plain TCP to the app",
            fix: "remove certificate, or replace secretName with passthrough: true",
        }];
    }
    if (!spec.container.tlsServer) {
        return [{
            path: `${at}.passthrough`, value: true,
            problem: `hands the client's TLS stream to ${id}, whose image does not serve TLS`,
            fix: "terminate TLS in Traefik instead: tls: {secretName: <kubernetes.io/tls Secret>}",
        }];
    }
    const certificate = "certificate" in tls ? tls.certificate : undefined;
    if (!certificate) {
        return [{
            path: `${at}.certificate`, value: undefined,
            problem: `is required with passthrough: Traefik hands the TLS stream to ${id} unopened, so ${id}'s server presents the certificate`,
            fix: `name a kubernetes.io/tls Secret in namespace ${spec.namespace} (certificate: {secretName: ${spec.stem}-tls}) or a cert-manager issuer (certificate: {issuer: {name: <issuer>, kind: ClusterIssuer}})`,
        }];
    }
    // Without an entryPoint of its own the app shares one by SNI, and the route rules ask for a host.
    if (certificate.issuer && !app.host && app.entryPoint?.port !== undefined) {
        return [{
            path: `${PROJECT}:apps.${id}.host`, value: undefined,
            problem: "is required with a certificate issuer: the Certificate is issued for the app's host name",
            fix: "set host to the name its TLS clients send, e.g. db.example.com",
        }];
    }
    return [];
}

/**
 * Validates a stack's raw configuration and returns it typed. Throws one ConfigError listing
 * every problem; nothing about the platform may be registered before this returns.
 */
export function validateConfig(raw: RawConfig): StackConfig {
    const input = raw.values;
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
        throw new ConfigError([{ path: `${PROJECT}:`, value: input, problem: "is not a mapping of config keys", fix: "write `config:` as a mapping of tcp-platform:<key> entries" }]);
    }
    const unknownApps = unknownAppProblems(input);
    const parsed = configSchema.safeParse(input);
    if (!parsed.success || unknownApps.length > 0) {
        throw new ConfigError([...unknownApps, ...(parsed.success ? [] : schemaProblems(parsed.error, input, raw.secretKeys))]);
    }
    const data = parsed.data as ParsedConfig & Record<string, unknown>;
    const { path: chartPath } = data.traefik.chart;
    const version = data.traefik.chart.version ?? (chartPath ? versionFromChartPath(chartPath) : DEFAULT_CHART_VERSION);
    if (version === undefined) {
        throw new ConfigError([{
            path: `${PROJECT}:traefik.chart.version`,
            value: undefined,
            problem: "is required: the chart's values format depends on its version",
            fix: "set the chart's version: it could not be read from the path (a chart directory's Chart.yaml, or an archive named like traefik-26.0.0.tgz)",
        }]);
    }
    const secrets: Record<string, string> = {};
    for (const key of secretKeys) {
        const value = data[key];
        if (typeof value === "string" && value.length > 0) {
            secrets[key] = value;
        }
        delete data[key];
    }
    const config: StackConfig = { ...data, traefik: { ...data.traefik, chart: { ...data.traefik.chart, version } }, secrets, identity: raw.identity };
    const problems = ruleProblems(config, raw);
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return config;
}

/** A local chart's version: from Chart.yaml in a chart directory, or from an archive's file name. */
function versionFromChartPath(chartPath: string): string | undefined {
    const chartYaml = path.join(chartPath, "Chart.yaml");
    if (fs.existsSync(chartYaml)) {
        const version = (YAML.parse(fs.readFileSync(chartYaml, "utf8")) as { version?: unknown } | null)?.version;
        return typeof version === "string" && semver.valid(version) ? version : undefined;
    }
    const match = /-(\d+\.\d+\.\d+[^/]*?)(\.tgz|\.tar\.gz)?\/?$/.exec(chartPath);
    return match && semver.valid(match[1]) ? match[1] : undefined;
}
