/** The schema of one app's entry in a stack (`tcp-platform:apps.<id>`), and of the stack's image mappings. */
import { z } from "zod";
import { alpnProtocol, imageDigest, sniHost } from "../vocabulary";
import { labelsSchema } from "./kubernetesNames";
import { cidrList, dnsLabel, dnsSubdomain, imageName, imageTag, matching, port, quantity, replicas, resourcesSchema, secretName, term } from "./primitives";

const entryPointSchema = z.strictObject({
    /** entryPoint name; with `port` the app declares it, without it refers to an existing one. */
    name: z.string(),
    port: port.optional(),
    exposedPort: port.optional(),
    nodePort: z.number().int().optional(),
    /** Accept PROXY protocol headers from these addresses (a load balancer in front of Traefik). */
    proxyProtocol: z.strictObject({ trustedIPs: cidrList }).optional(),
});

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

const TLS_VERSIONS = ["1.0", "1.1", "1.2", "1.3"] as const;
type TlsVersion = (typeof TLS_VERSIONS)[number];
const traefikSpelling = (v: TlsVersion) => `VersionTLS1${v.slice(2)}`;

/** A TLS version as the project writes it ("1.3", or unquoted 1.3) or as Traefik does (VersionTLS13): one value. */
const tlsVersion = z.custom<string | number>(() => true).transform((value: unknown, ctx): TlsVersion => {
    const text = typeof value === "number" ? value.toFixed(1) : value;
    const version = TLS_VERSIONS.find((v) => v === text || traefikSpelling(v) === text);
    if (version === undefined) {
        ctx.addIssue({ code: "custom", message: "is not a TLS version", params: { fix: `use one of ${TLS_VERSIONS.map((v) => `"${v}"`).join(", ")} (or Traefik's ${TLS_VERSIONS.map(traefikSpelling).join(", ")})` }, input: value });
        return z.NEVER;
    }
    return version;
});

/** TLS parameters Traefik applies where it terminates TLS: a TLSOption of the route. */
export const tlsOptionsSchema = z.strictObject({
    minVersion: tlsVersion.optional(),
    clientAuth: z.strictObject({
        /** Secrets (tls.ca or ca.crt) holding the CAs client certificates must chain to. */
        secretNames: z.array(secretName).optional(),
        mode: z.enum(CLIENT_AUTH_MODES).default("RequireAndVerifyClientCert"),
    }).optional(),
});

export const tlsSchema = z.strictObject({
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

export const storageSchema = z.strictObject({
    /** Size of each replica's claim (default 1Gi). */
    size: quantity("storage").optional(),
    /** StorageClass of the claims; the cluster's default class when absent. */
    storageClass: matching(dnsSubdomain, "is not a StorageClass name", "use the name of a StorageClass of the cluster (kubectl get storageclass)").optional(),
});

export const peerSchema = z.strictObject({
    /** Namespace the clients run in. */
    namespace: matching(dnsLabel, "is not a namespace name", "use lowercase letters, digits and '-'"),
    /** Labels of the client pods; all pods of the namespace when absent. */
    podLabels: labelsSchema.optional(),
});


/** What Kustomize's namePrefix / nameSuffix add to a name: lowercase letters, digits, '-' and '.'. */
const nameAffix = matching(/^[a-z0-9.-]{1,40}$/, "is not a name prefix or suffix", "use at most 40 lowercase letters, digits, '-' and '.'");

export { labelsSchema };

export const appSchema = z.strictObject({
    replicas: replicas.optional(),
    /** Labels on this app's objects only, besides the stack's `labels` (Kustomize `labels:` in one app's overlay). */
    labels: labelsSchema.optional(),
    /**
     * Labels added to the app's selector, and so to its pods (Kustomize `commonLabels`). A live
     * Deployment's selector cannot change: fixed for the app's life in a stack.
     */
    selectorLabels: labelsSchema.optional(),
    /** Put before and after the name of every object of the app (Kustomize `namePrefix` / `nameSuffix`). */
    namePrefix: nameAffix.optional(),
    nameSuffix: nameAffix.optional(),
    /** Clients besides Traefik that may reach the app's pods directly. */
    allowFrom: z.array(peerSchema).optional(),
    resources: resourcesSchema.optional(),
    entryPoint: entryPointSchema.optional(),
    /** SNI host (TCP: a name or `*.` and a name), or the HTTP app's host. */
    host: term(sniHost).optional(),
    tls: tlsSchema.optional(),
    storage: storageSchema.optional(),
    protect: z.boolean().optional(),
    /** TLS ALPN protocols the route matches (with TLS only). */
    alpn: z.array(term(alpnProtocol)).min(1).optional(),
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

export const imageMappingSchema = z.strictObject({
    name: z.string().min(1),
    newName: matching(imageName, "is not an image name", "write registry/repository without tag, e.g. registry.example.com/team/app").optional(),
    newTag: matching(imageTag, "is not an image tag", "use letters, digits, '_', '.', '-' (at most 128)").optional(),
    digest: term(imageDigest).optional(),
});
