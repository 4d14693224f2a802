/**
 * npm run ports -- --stack <name>                 the stack's port table as Markdown (no CLI, no cluster)
 * npm run ports -- --stack <name> --assign <app> [--name <entryPoint>]
 *     picks a free spare entryPoint of the stack's port pool for a plain-TCP app (else, or with
 *     --name, a free entryPoint port and NodePort of its own) and writes it into
 *     Pulumi.<name>.yaml (comments kept), after checking the whole stack as it will be.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { projectCatalog } from "../lib/config/catalogFiles";
import { parseConfig } from "../lib/config/parse";
import { rawConfigFromStackFile, stackFile } from "../lib/config/load";
import { poolTable, poolTableMarkdown, portTable, portTableMarkdown } from "../lib/plan/portTable";
import { PlatformPlan } from "../lib/model";
import { assignPorts } from "../lib/plan/portAssignment";
import { ConfigError } from "../lib/problems";
import { validate } from "../lib/rules/validate";
import { rawConfigOfText, withEntryPoint } from "./stackFile";

/** The app table, then the pool's (claimed and free spare entryPoints), when the stack has one. */
function printTables(plan: PlatformPlan): void {
    const pool = poolTableMarkdown(poolTable(plan));
    process.stdout.write(portTableMarkdown(portTable(plan)) + (pool ? `\n${pool}` : ""));
}

try {
    const { values } = parseArgs({ options: { stack: { type: "string" }, assign: { type: "string" }, name: { type: "string" } } });
    if (!values.stack || (values.name && !values.assign)) {
        throw new Error("usage: npm run ports -- --stack <name> [--assign <app> [--name <entryPoint>]]");
    }
    const projectDir = path.resolve(__dirname, "..");
    process.chdir(projectDir);
    const file = stackFile(values.stack, projectDir);
    if (values.assign) {
        // The schema only: the app may not have its ports yet, which is why it is here; an app
        // listed with nothing under it (`memcached-demo:`) counts as listed.
        const raw = rawConfigFromStackFile(file, projectDir);
        const apps = raw.values.apps as Record<string, unknown> | undefined;
        if (apps && typeof apps === "object" && apps[values.assign] === null) {
            apps[values.assign] = {};
        }
        const catalog = projectCatalog();
        const assignment = assignPorts(parseConfig(raw, catalog), catalog, values.assign, values.name);
        if ("problem" in assignment) {
            throw new ConfigError([assignment]);
        }
        const text = withEntryPoint(fs.readFileSync(file, "utf8"), assignment);
        const plan = validate(rawConfigOfText(text, values.stack, projectDir));
        fs.writeFileSync(file, text);
        process.stderr.write(assignment.pool
            ? `${path.basename(file)}: tcp-platform:apps.${assignment.app}.entryPoint = {name: ${assignment.name}} (a spare entryPoint of traefik.portPool, port ${assignment.port}${assignment.nodePort !== undefined ? `, NodePort ${assignment.nodePort}` : ""}: only a route is added, Traefik is not restarted)\n`
            : `${path.basename(file)}: tcp-platform:apps.${assignment.app}.entryPoint = {name: ${assignment.name}, port: ${assignment.port}, nodePort: ${assignment.nodePort}} (an entryPoint of its own: the up restarts Traefik${plan.config.traefik.portPool ? "; the pool has no free entryPoint: grow traefik.portPool" : ""})\n`);
        printTables(plan);
    } else {
        printTables(validate(rawConfigFromStackFile(file, projectDir)));
    }
} catch (err) {
    console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err));
    process.exit(1);
}
