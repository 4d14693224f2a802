/**
 * npm run render -- --stack <name> [--out <dir>]
 *
 * Evaluates the program for Pulumi.<name>.yaml without the Pulumi CLI or a cluster and writes
 * <dir>/manifests.yaml (every object the program creates itself) and <dir>/traefik-values.yaml
 * (the exact values given to the Traefik chart). Secrets appear redacted. With monitoring, also
 * <dir>/dashboard.json (the Grafana dashboard) and, for a Prometheus without the operator,
 * <dir>/prometheus/scrape-configs.yaml and rules.yaml (manifests.yaml shows the operator's objects:
 * offline, no cluster says which the up would create).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as YAML from "yaml";
import { rawConfigFromStackFile, stackFile } from "../lib/config/load";
import { evaluate } from "../tools/evaluate";
import { manifestsOf, traefikValuesOf } from "../tools/manifests";
import { useUnmappedStackTraces } from "../lib/stackTraces";
import { ConfigError } from "../lib/problems";
import { alertRules } from "../lib/plan/alerts";
import { grafanaDashboard } from "../lib/plan/dashboard";
import { scrapeConfig } from "../lib/plan/scrape";
import { SCRAPE_FILES } from "../components/monitoring";

async function main(): Promise<void> {
    useUnmappedStackTraces();
    const { values } = parseArgs({ options: { stack: { type: "string" }, out: { type: "string" } } });
    if (!values.stack) {
        throw new Error("usage: npm run render -- --stack <name> [--out <dir>]");
    }
    const projectDir = path.resolve(__dirname, "..");
    const file = stackFile(values.stack, projectDir);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack file ${path.relative(process.cwd(), file)}`);
    }
    // Chart paths in stack config are relative to the project, as for `pulumi up`.
    process.chdir(projectDir);
    const { resources, platform } = await evaluate(rawConfigFromStackFile(file, projectDir), values.stack);
    const out = path.resolve(values.out ?? path.join("render", values.stack));
    fs.mkdirSync(out, { recursive: true });
    const docs = manifestsOf(resources).map((m) => YAML.stringify(m, { sortMapEntries: false }));
    fs.writeFileSync(path.join(out, "manifests.yaml"), docs.join("---\n"));
    fs.writeFileSync(path.join(out, "traefik-values.yaml"), YAML.stringify(traefikValuesOf(resources)));
    console.log(`wrote ${docs.length} objects to ${path.join(out, "manifests.yaml")} and the Traefik values to ${path.join(out, "traefik-values.yaml")}`);
    const { monitoring } = platform.plan.traefik;
    if (monitoring) {
        fs.writeFileSync(path.join(out, "dashboard.json"), `${JSON.stringify(grafanaDashboard(platform.plan), null, 2)}\n`);
        const prometheus = path.join(out, "prometheus");
        fs.mkdirSync(prometheus, { recursive: true });
        fs.writeFileSync(path.join(prometheus, SCRAPE_FILES.scrapeConfigs), YAML.stringify({ scrape_configs: [scrapeConfig(monitoring)] }));
        fs.writeFileSync(path.join(prometheus, SCRAPE_FILES.rules), YAML.stringify({ groups: alertRules(platform.plan) }));
        console.log(`wrote the dashboard to ${path.join(out, "dashboard.json")}, a scrape config and the alert rules to ${prometheus}/`);
    }
}

main().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `render failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
