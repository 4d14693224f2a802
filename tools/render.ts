/**
 * npm run render -- --stack <name> [--out <dir>] [--dir <project dir>]
 *
 * Evaluates the program for Pulumi.<name>.yaml without the Pulumi CLI or a cluster and writes
 * <dir>/manifests.yaml (every object the program creates itself) and <dir>/traefik-values.yaml
 * (the exact values given to the Traefik chart). Secrets appear redacted. `--dir` takes the stack
 * file and the catalog (catalog/<id>.yaml) from another directory, such as one `npm run import`
 * wrote into; the project's Pulumi.yaml still gives the defaults. With monitoring, also
 * <dir>/dashboard.json (the Grafana dashboard) and, for a Prometheus without the operator,
 * <dir>/prometheus/scrape-configs.yaml and rules.yaml (manifests.yaml shows the operator's objects:
 * offline, no cluster says which the up would create).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { loadCatalog, projectCatalog } from "../lib/config/catalogFiles";
import { rawConfigFromStackFile, stackFile } from "../lib/config/load";
import { evaluate } from "../tools/evaluate";
import { manifestsOf, renderedFiles } from "../tools/manifests";
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
    const { resources, platform } = await evaluate(rawConfigFromStackFile(file, projectDir), values.stack, [], catalog);
    const files = renderedFiles(resources, platform);
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(out, name)), { recursive: true });
        fs.writeFileSync(path.join(out, name), text);
    }
    console.log(`wrote ${manifestsOf(resources).length} objects to ${path.join(out, "manifests.yaml")} and the Traefik values to ${path.join(out, "traefik-values.yaml")}`);
    if (platform.plan.traefik.monitoring) {
        console.log(`wrote the dashboard to ${path.join(out, "dashboard.json")}, a scrape config and the alert rules to ${path.join(out, "prometheus")}/`);
    }
}

main().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `render failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
