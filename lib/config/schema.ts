/**
 * The shapes a stack's configuration may take (zod): types, ranges, names, what each key holds
 * (the app's in appSchema.ts, Traefik's in traefikSchema.ts, their building blocks in
 * primitives.ts). What only the whole configuration can show (clashing ports, a route to a
 * missing entryPoint) is the rules' (lib/rules), checked over the plan.
 */
import { z } from "zod";
import { Catalog } from "../catalog";
import { StackIdentity } from "../ownership";
import { appSchema, imageMappingSchema, labelsSchema, peerSchema, storageSchema, tlsOptionsSchema, tlsSchema } from "./appSchema";
import { monitoringKey, monitoringSchema } from "./monitoringSchema";
import { duration, matching, replicas, resourcesSchema } from "./primitives";
import { traefikSchema } from "./traefikSchema";

const baseShape = {
    labels: labelsSchema.default({}),
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
    /** Traefik's metrics scraped, a dashboard and alerts (monitoringSchema.ts); absent: none. */
    monitoring: monitoringKey,
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
/** An app's entry and an image mapping as a stack file holds them, before the schema made checked values of them (what the import writes). */
export type AppConfigInput = z.input<typeof appSchema>;
export type ImageMappingInput = z.input<typeof imageMappingSchema>;
export type TlsConfig = z.infer<typeof tlsSchema>;
export type TlsOptionsConfig = z.infer<typeof tlsOptionsSchema>;
export type Duration = z.infer<typeof duration>;
export type StorageConfig = z.infer<typeof storageSchema>;
export type PeerConfig = z.infer<typeof peerSchema>;
export type MonitoringConfig = z.infer<typeof monitoringSchema>;
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
    /** Config keys of other namespaces (`kubernetes:context`), where a misspelt `tcp-platform:` key would hide. */
    otherKeys?: string[];
}
