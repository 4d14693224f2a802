/**
 * npm run render -- --stack <name> [--out <dir>] [--dir <project dir>]
 *
 * Evaluates the program for Pulumi.<name>.yaml without the Pulumi CLI or a cluster and writes
 * <dir>/manifests.yaml (every object the program creates itself) and <dir>/traefik-values.yaml
 * (the exact values given to the Traefik chart). Secrets appear redacted. `--dir` takes the stack
 * file and the catalog (catalog/<id>.yaml) from another directory, such as one `npm run import`
 * wrote into; the project's Pulumi.yaml still gives the defaults.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as YAML from "yaml";
import { loadCatalog, projectCatalog } from "../lib/config/catalogFiles";
import { rawConfigFromStackFile, stackFile } from "../lib/config/load";
import { evaluate } from "../tools/evaluate";
import { manifestsOf, traefikValuesOf } from "../tools/manifests";
import { useUnmappedStackTraces } from "../lib/stackTraces";
import { ConfigError } from "../lib/problems";

async function main(): Promise<void> {
    useUnmappedStackTraces();
    const { values } = parseArgs({ options: { stack: { type: "string" }, out: { type: "string" }, dir: { type: "string" } } });
    if (!values.stack) {
        throw new Error("usage: npm run render -- --stack <name> [--out <dir>] [--dir <project dir>]");
    }
    const projectDir = path.resolve(__dirname, "..");
    const dir = values.dir ? path.resolve(values.dir) : projectDir;
    const file = stackFile(values.stack, dir);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack file ${path.relative(process.cwd(), file)}`);
    }
    const out = path.resolve(values.out ?? path.join(projectDir, "render", values.stack));
    // Chart paths in stack config are relative to the project, as for `pulumi up`.
    process.chdir(projectDir);
    const catalog = values.dir ? loadCatalog(path.join(dir, "catalog")) : projectCatalog();
    const { resources } = await evaluate(rawConfigFromStackFile(file, projectDir), values.stack, [], catalog);
    fs.mkdirSync(out, { recursive: true });
    const docs = manifestsOf(resources).map((m) => YAML.stringify(m, { sortMapEntries: false }));
    fs.writeFileSync(path.join(out, "manifests.yaml"), docs.join("---\n"));
    fs.writeFileSync(path.join(out, "traefik-values.yaml"), YAML.stringify(traefikValuesOf(resources)));
    console.log(`wrote ${docs.length} objects to ${path.join(out, "manifests.yaml")} and the Traefik values to ${path.join(out, "traefik-values.yaml")}`);
}

main().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `render failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
