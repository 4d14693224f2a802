/**
 * The schema pass: a stack's raw configuration to a typed StackConfig, or every shape problem at
 * once. App ids are checked on the raw keys first: the schema's record drops a `__proto__` key.
 */
import { Catalog } from "../catalog";
import { DEFAULT_CHART_VERSION, PROJECT } from "../constants";
import { ConfigError } from "../problems";
import { pathExists, versionFromChartPath } from "./load";
import { configSchema, ParsedConfig, RawConfig, secretKeysOf, StackConfig } from "./schema";
import { namespaceProblems, schemaProblems, unknownAppProblems } from "./schemaProblems";

export function parseConfig(raw: RawConfig, catalog: Catalog): StackConfig {
    const input = raw.values;
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
        throw new ConfigError([{ path: `${PROJECT}:`, value: input, problem: "is not a mapping of config keys", fix: "write `config:` as a mapping of tcp-platform:<key> entries" }]);
    }
    const schema = configSchema(catalog);
    const unknownApps = [...namespaceProblems(raw.otherKeys ?? []), ...unknownAppProblems(catalog, input)];
    const parsed = schema.safeParse(input);
    if (!parsed.success || unknownApps.length > 0) {
        throw new ConfigError([...unknownApps, ...(parsed.success ? [] : schemaProblems(schema, parsed.error, input, raw.secretKeys))]);
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
    for (const key of secretKeysOf(catalog)) {
        const value = data[key];
        if (typeof value === "string" && value.length > 0) {
            secrets[key] = value;
        }
        delete data[key];
    }
    const chart = { ...data.traefik.chart, version, ...(chartPath !== undefined ? { pathExists: pathExists(chartPath) } : {}) };
    return {
        ...data,
        traefik: { ...data.traefik, chart },
        secrets,
        plainTextSecrets: Object.keys(secrets).filter((key) => !raw.secretKeys.has(key)),
        identity: raw.identity,
    };
}
