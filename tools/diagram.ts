/**
 * npm run diagram -- --stack <name> [--out <dir>]
 *
 * Draws the stack's routes as planned from Pulumi.<name>.yaml (no cluster, no CLI): every app's
 * path from clients through its NodePort, Traefik's entryPoint and its route to its Service and
 * workload (lib/plan/diagram.ts), written as <dir>/routes.dot and rendered by Graphviz's `dot`
 * (Debian's graphviz) to <dir>/routes.svg and <dir>/routes.png, and as a Mermaid flowchart in
 * <dir>/routes.mmd (the pull-request workflow's job summary). Default dir: render/<name>.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { rawConfigFromStackFile, stackFile } from "../lib/config/load";
import { routeGraph, toDot, toMermaid } from "../lib/plan/diagram";
import { ConfigError } from "../lib/problems";
import { validate } from "../lib/rules/validate";

function main(): void {
    const { values } = parseArgs({ options: { stack: { type: "string" }, out: { type: "string" } } });
    if (!values.stack) {
        throw new Error("usage: npm run diagram -- --stack <name> [--out <dir>]");
    }
    const projectDir = path.resolve(__dirname, "..");
    const file = stackFile(values.stack, projectDir);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack file ${path.relative(process.cwd(), file)}`);
    }
    const out = path.resolve(values.out ?? path.join(projectDir, "render", values.stack));
    process.chdir(projectDir);
    const graph = routeGraph(validate(rawConfigFromStackFile(file, projectDir)));
    fs.mkdirSync(out, { recursive: true });
    const dotFile = path.join(out, "routes.dot");
    fs.writeFileSync(dotFile, toDot(graph));
    fs.writeFileSync(path.join(out, "routes.mmd"), toMermaid(graph));
    for (const format of ["svg", "png"]) {
        try {
            execFileSync("dot", [`-T${format}`, ...(format === "png" ? ["-Gdpi=110"] : []), dotFile, "-o", path.join(out, `routes.${format}`)], { stdio: ["ignore", "ignore", "pipe"], timeout: 60_000 });
        } catch (err) {
            const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "Graphviz's dot is not installed (apt-get install graphviz)" : String((err as { stderr?: Buffer }).stderr ?? err);
            throw new Error(`could not render ${dotFile} as ${format}: ${reason}`);
        }
    }
    console.log(`wrote routes.dot, routes.svg, routes.png and routes.mmd (Mermaid) in ${out}`);
}

try {
    main();
} catch (err) {
    console.error(err instanceof ConfigError ? err.message : `diagram failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
}
