/**
 * The shapes a stack's configuration may take (zod): types, ranges, names, what each key holds.
 * What only the whole configuration can show (clashing ports, a route to a missing entryPoint)
 * is the rules' (lib/rules), checked over the plan.
 */
import { isIP } from "net";
import * as semver from "semver";
import { z } from "zod";
import { Catalog } from "../catalog";
import { TRAEFIK_CHART_REPO } from "../constants";
import { StackIdentity } from "../ownership";
import { parseQuantity } from "../quantity";

// Kubernetes label syntax (k8s.io/apimachinery validation): optional DNS-subdomain prefix, then
// a name of at most 63 characters; values at most 63 characters, possibly empty.
export const labelName = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
export const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
// RFC 1123 host name, as Traefik's HostSNI and an Ingress host take it.
const hostName = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
// A wildcard host as Traefik's HostSNI takes it: `*.` then a host name (the `*` is one label).
const wildcardHost = new RegExp(`^\\*\\.${hostName.source.slice(1)}`);
// RFC 1123 label: a Secret name and a Kubernetes object name part.
export const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
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

/** An IP address, or a CIDR range, as Traefik's sourceRange and trustedIPs take them. */
export function isCidr(text: string): boolean {
    const [address, bits, extra] = text.split("/");
    const family = isIP(address);
    if (family === 0 || extra !== undefined) {
        return false;
    }
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

const cidr = z.string().refine(isCidr, { message: "is not an IP address or CIDR range", params: { fix: "write an address (192.0.2.10) or a range (10.0.0.0/8, 2001:db8::/32)" } });
const cidrList = z.array(cidr).min(1);

/** Seconds, as a number or a duration: "30s", "1m30s". */
const duration = z.union([
    z.number().int().min(0),
    z.string().refine((d) => /^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/.test(d), { message: "is not a duration", params: { fix: 'write seconds (30) or a duration such as "30s" or "1m30s"' } }),
]);

const entryPointSchema = z.strictObject({
    /** entryPoint name; with `port` the app declares it, without it refers to an existing one. */
    name: z.string(),
    port: port.optional(),
    exposedPort: port.optional(),
    nodePort: z.number().int().optional(),
    /** Accept PROXY protocol headers from these addresses (a load balancer in front of Traefik). */
    proxyProtocol: z.strictObject({ trustedIPs: cidrList }).optional(),
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

/** Traefik's clientAuthType values (its TLSOption CRD's enum). */
export const CLIENT_AUTH_MODES = ["NoClientCert", "RequestClientCert", "RequireAnyClientCert", "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"] as const;

/** TLS parameters Traefik applies where it terminates TLS: a TLSOption of the route. */
const tlsOptionsSchema = z.strictObject({
    minVersion: z.enum(["1.0", "1.1", "1.2", "1.3"]).optional(),
    clientAuth: z.strictObject({
        /** Secrets (tls.ca or ca.crt) holding the CAs client certificates must chain to. */
        secretNames: z.array(secretName).optional(),
        mode: z.enum(CLIENT_AUTH_MODES).default("RequireAndVerifyClientCert"),
    }).optional(),
});

const tlsSchema = z.strictObject({
    /** Traefik hands the TLS stream to the app unopened; the app's server presents `certificate`. */
    passthrough: z.boolean().optional(),
    /** Traefik terminates TLS with this Secret and talks plain TCP to the app. */
    secretName: secretName.optional(),
    certificate: certificateSchema.optional(),
    options: tlsOptionsSchema.optional(),
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
    host: z.string().refine((h) => hostName.test(h) || wildcardHost.test(h), {
        message: "is not a valid host name",
        params: { fix: "use a DNS name such as db.example.com, or one wildcard label: *.db.example.com" },
    }).optional(),
    tls: tlsSchema.optional(),
    storage: storageSchema.optional(),
    protect: z.boolean().optional(),
    /** TLS ALPN protocols the route matches (with TLS only). */
    alpn: z.array(matching(/^[\x21-\x7e]{1,255}$/, "is not an ALPN protocol id", "write the protocol id clients send, e.g. postgresql or h2")).min(1).optional(),
    /** Only these clients may connect (a MiddlewareTCP). */
    ipAllowList: cidrList.optional(),
    /** Simultaneous connections through Traefik (a MiddlewareTCP). */
    maxConnections: z.number().int().min(1).optional(),
    /** Send the client's address to the backend in a PROXY protocol header. */
    proxyProtocol: z.strictObject({ version: z.union([z.literal(1), z.literal(2)]) }).optional(),
    /** A second Deployment and Service for a new tag, taking `weight` percent of the connections. */
    canary: z.strictObject({
        newTag: matching(imageTag, "is not an image tag", "use letters, digits, '_', '.', '-' (at most 128)"),
        weight: z.number().int().min(0).max(100),
        replicas: replicas.optional(),
    }).optional(),
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
            repo: z.string().url().default(TRAEFIK_CHART_REPO),
            version: z.string().refine((v) => semver.valid(v) !== null, { message: "is not a chart version", params: { fix: "write a version such as 26.0.0" } }).optional(),
            path: z.string().min(1).optional(),
        })
        .default({ repo: TRAEFIK_CHART_REPO }),
    installer: z.enum(["chart", "release"]).default("chart"),
    /** How TCP apps are routed: IngressRouteTCPs, or a Gateway with a TCPRoute or TLSRoute per app. */
    routing: z.enum(["ingressRoute", "gateway"]).default("ingressRoute"),
    /** Default: `traefik` plus the stack's namespaceSuffix. */
    namespace: matching(dnsLabel, "is not a namespace name", "use lowercase letters, digits and '-'").optional(),
    releaseName: matching(helmReleaseName, "is not a Helm release name (a DNS-1123 label of at most 53 characters)", "use at most 53 lowercase letters, digits and '-', starting and ending with a letter or digit").default("traefik"),
    serviceType: z.enum(["NodePort", "LoadBalancer", "ClusterIP"]).default("NodePort"),
    resources: resourcesSchema.optional(),
    /** How Traefik shuts down: open connections served for graceTimeOut after SIGTERM. */
    gracePeriod: z.strictObject({
        graceTimeOut: duration,
        requestAcceptGraceTimeout: duration.optional(),
        terminationGracePeriodSeconds: z.number().int().min(1).optional(),
    }).optional(),
});

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
/** The config keys of secrets: each catalog app names the ones its container reads. */
export function secretKeysOf(catalog: Catalog): string[] {
    return [...new Set(Object.values(catalog).flatMap((a) => (a.container.secretEnv ?? []).map((s) => s.configKey)))];
}

const schemas = new WeakMap<Catalog, z.ZodObject>();

/** The stack configuration's schema for `catalog` (whose apps name the secret keys). */
export function configSchema(catalog: Catalog): z.ZodObject {
    let schema = schemas.get(catalog);
    if (!schema) {
        schema = z.strictObject({ ...baseShape, ...Object.fromEntries(secretKeysOf(catalog).map((k) => [k, z.string().optional()])) });
        schemas.set(catalog, schema);
    }
    return schema;
}

export type ResourcesConfig = z.infer<typeof resourcesSchema>;
export type AppConfig = z.infer<typeof appSchema>;
export type ImageMapping = z.infer<typeof imageMappingSchema>;
export type TlsConfig = z.infer<typeof tlsSchema>;
export type TlsOptionsConfig = z.infer<typeof tlsOptionsSchema>;
export type Duration = z.infer<typeof duration>;
export type StorageConfig = z.infer<typeof storageSchema>;
export type PeerConfig = z.infer<typeof peerSchema>;
export type ParsedConfig = z.infer<z.ZodObject<typeof baseShape>>;
/** Traefik's settings, the chart's version resolved (named, read from a local chart, or the default). */
export type TraefikConfig = ParsedConfig["traefik"] & { chart: { version: string; /** Whether `path`, when given, exists. */ pathExists?: boolean } };

/** A stack's configuration after the schema pass. Secret values are kept apart, never logged. */
export interface StackConfig extends Omit<ParsedConfig, "traefik"> {
    traefik: TraefikConfig;
    identity: StackIdentity;
    /** Config keys of secrets that are set, with their values. */
    secrets: Record<string, string>;
    /** Secret config keys set in plain text (refused by the rules). */
    plainTextSecrets: string[];
}

/** The raw configuration of one stack: this project's keys without the `tcp-platform:` prefix. */
export interface RawConfig {
    values: Record<string, unknown>;
    /** Keys whose values are stored encrypted. */
    secretKeys: Set<string>;
    /** The project and stack the configuration belongs to: the owner of what it creates. */
    identity: StackIdentity;
}
