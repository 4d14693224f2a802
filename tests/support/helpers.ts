/** Shared test fixtures: stack configs read from the project's own stack files. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { Catalog } from "../../lib/catalog";
import { projectCatalog } from "../../lib/config/catalogFiles";
import { rawConfigFromStackFile, stackFile } from "../../lib/config/load";
import { RawConfig } from "../../lib/config/schema";
import { ClusterReader } from "../../lib/live/cluster";
import { checkCluster } from "../../lib/live/checks";
import { PlatformPlan } from "../../lib/model";
import { ConfigError, formatProblem } from "../../lib/problems";
import { validate } from "../../lib/rules/validate";

export const projectDir = path.resolve(__dirname, "../..");

/** A stack file's raw configuration, with secret values standing in for the encrypted ones. */
export function stackRaw(stack: "dev" | "prod"): RawConfig {
    const raw = rawConfigFromStackFile(stackFile(stack, projectDir), projectDir);
    for (const key of raw.secretKeys) {
        raw.values[key] = `${key}-test-value`;
    }
    return raw;
}

/** Deep copy of the dev config with `change` applied to its values. */
export function devWith(change: (values: Record<string, any>) => void): RawConfig {
    const raw = stackRaw("dev");
    const values = structuredClone(raw.values) as Record<string, any>;
    change(values);
    return { values, secretKeys: new Set(raw.secretKeys), identity: raw.identity };
}

/** The formatted problems validation reports for `raw` (empty when it passes). */
export function problemsOf(raw: RawConfig, catalog: Catalog = projectCatalog()): string[] {
    try {
        validate(raw, catalog);
        return [];
    } catch (err) {
        if (err instanceof ConfigError) {
            return err.problems.map(formatProblem);
        }
        throw err;
    }
}

/** The plan of the dev stack. */
export function validDev(): PlatformPlan {
    return validate(stackRaw("dev"));
}

/** `read` of one member (a file or a directory) of a chart archive in ../shared/charts (the official packages), extracted into a temporary directory. */
function fromChart<T>(version: string, member: string, read: (extracted: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-"));
    try {
        execFileSync("tar", ["-xzf", path.join(projectDir, "..", "shared", "charts", `traefik-${version}.tgz`), "-C", dir, `traefik/${member}`]);
        return read(path.join(dir, "traefik", member));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A file from a chart archive in ../shared/charts. */
export function chartFile(version: string, file: string): string {
    return fromChart(version, file, (extracted) => fs.readFileSync(extracted, "utf8"));
}

/** The names of the CRDs a chart package ships in its crds/ directory. */
export function chartCrdNames(version: string): string[] {
    return fromChart(version, "crds", (crdsDir) => fs.readdirSync(crdsDir).flatMap((file) => YAML.parseAllDocuments(fs.readFileSync(path.join(crdsDir, file), "utf8"))
        .map((doc) => (doc.toJS() as { metadata?: { name?: string } } | null)?.metadata?.name)
        .filter((name): name is string => typeof name === "string")));
}

/** The problems the live checks refuse `plan` with on the cluster `reader` serves, formatted; empty when it passes. */
export async function liveRefusal(plan: PlatformPlan, reader: ClusterReader, adopt = false): Promise<string[]> {
    try {
        await checkCluster(plan, adopt, reader);
        return [];
    } catch (err) {
        if (!(err instanceof ConfigError)) {
            throw err;
        }
        return err.problems.map(formatProblem);
    }
}
