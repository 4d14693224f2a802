/**
 * Where a stack's configuration comes from: the Pulumi engine (`pulumi up/preview`), or a
 * `Pulumi.<stack>.yaml` file read directly (render and port table, no CLI needed). Both feed
 * the same validation. All the file reading of validation is here, local charts' included.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import * as semver from "semver";
import { HIDDEN_SECRET, PROJECT } from "../constants";
import { ConfigError } from "../problems";
import { RawConfig } from "./schema";
import { readYamlText } from "./yamlInput";

// The engine hands every value to the program as text: objects as JSON, booleans as
// "true"/"false". Secrets stay text whatever they look like.
function decode(text: string, secret: boolean): unknown {
    if (secret) {
        return text;
    }
    if (text === "true" || text === "false") {
        return text === "true";
    }
    const trimmed = text.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return text;
        }
    }
    return text;
}

// The SDK knows which keys were stored encrypted but keeps the check internal.
const runtime = pulumi.runtime as typeof pulumi.runtime & { isConfigSecret?: (key: string) => boolean };

/** This project's configuration as the running Pulumi program sees it. */
export function rawConfigFromPulumi(): RawConfig {
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const otherKeys: string[] = [];
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        const [namespace, key] = splitKey(fullKey);
        if (namespace !== PROJECT) {
            otherKeys.push(fullKey);
            continue;
        }
        const secret = runtime.isConfigSecret?.(fullKey) ?? false;
        values[key] = decode(text, secret);
        if (secret) {
            secretKeys.add(key);
        }
    }
    return { values, secretKeys, identity: { project: pulumi.getProject(), stack: pulumi.getStack() }, otherKeys };
}

function splitKey(fullKey: string): [string, string] {
    const colon = fullKey.indexOf(":");
    return colon < 0 ? [PROJECT, fullKey] : [fullKey.slice(0, colon), fullKey.slice(colon + 1)];
}

/** Where a stack's settings file lives. */
export function stackFile(stack: string, projectDir: string): string {
    return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/**
 * This project's configuration read from a stack file, with project-level defaults from
 * Pulumi.yaml applied as the engine would. Encrypted values become a redacted placeholder.
 */
export function rawConfigFromStackFile(file: string, projectDir = path.dirname(file)): RawConfig {
    const values: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const project = readYaml(path.join(projectDir, "Pulumi.yaml")) as { name?: string; config?: Record<string, { default?: unknown }> } | undefined;
    const identity = { project: project?.name ?? PROJECT, stack: path.basename(file).replace(/^Pulumi\.(.*)\.yaml$/, "$1") };
    for (const [key, declaration] of Object.entries(project?.config ?? {})) {
        if (declaration && typeof declaration === "object" && "default" in declaration) {
            values[splitKey(key)[1]] = declaration.default;
        }
    }
    const stack = readYaml(file);
    if (stack !== undefined && stack !== null && (typeof stack !== "object" || Array.isArray(stack))) {
        throw new ConfigError([{ path: path.basename(file), value: stack, problem: "is not a mapping", fix: "write a mapping with a `config:` key, as `pulumi config set` does" }]);
    }
    const config = stack ? (stack as { config?: unknown }).config : undefined;
    if (config === undefined || config === null) {
        return { values, secretKeys, identity };
    }
    if (typeof config !== "object" || Array.isArray(config)) {
        throw new ConfigError([{ path: `${path.basename(file)}: config`, value: config, problem: "is not a mapping of config keys", fix: "write `config:` as a mapping of tcp-platform:<key> entries" }]);
    }
    const otherKeys: string[] = [];
    for (const [fullKey, value] of Object.entries(config)) {
        const [namespace, key] = splitKey(fullKey);
        if (namespace !== PROJECT) {
            otherKeys.push(fullKey);
            continue;
        }
        if (value && typeof value === "object" && "secure" in value) {
            // Only the engine can decrypt them.
            values[key] = HIDDEN_SECRET;
            secretKeys.add(key);
        } else {
            values[key] = value;
        }
    }
    return { values, secretKeys, identity, otherKeys };
}

function readYaml(file: string): unknown {
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const read = readYamlText(fs.readFileSync(file, "utf8"), path.basename(file));
    if (!read.ok) {
        throw new ConfigError([read.problem]);
    }
    return read.value;
}

/** A local chart's version: from Chart.yaml in a chart directory, or from an archive's file name. */
export function versionFromChartPath(chartPath: string): string | undefined {
    const chartYaml = path.join(chartPath, "Chart.yaml");
    if (fs.existsSync(chartYaml)) {
        const version = (YAML.parse(fs.readFileSync(chartYaml, "utf8")) as { version?: unknown } | null)?.version;
        return typeof version === "string" && semver.valid(version) ? version : undefined;
    }
    const match = /-(\d+\.\d+\.\d+[^/]*?)(\.tgz|\.tar\.gz)?\/?$/.exec(chartPath);
    return match && semver.valid(match[1]) ? match[1] : undefined;
}

export function pathExists(file: string): boolean {
    return fs.existsSync(file);
}
