/**
 * npm run import -- kustomize <tree> [--env <overlay>=<stack> ...] [--serve <entryPoint>=<app> ...] [--out <dir>]
 * npm run import -- ingress-nginx <configmap.yaml ...> --services <file | cluster> [--trusted-ips <CIDR,...>] [--stack <name>] [--out <dir>]
 *
 * Writes what users run today as this project's app definitions (catalog/<id>.yaml) and stack
 * files (Pulumi.<stack>.yaml), each value commented with where it came from; renders them first
 * and refuses, writing nothing, whatever the stack would not keep (docs/operations.md, Migrating).
 */
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError } from "../lib/problems";
import { useUnmappedStackTraces } from "../lib/stackTraces";
import { importIngressNginx } from "./importIngressNginx";
import { importKustomizeTree } from "./importKustomize";
import { ImportFiles, writeImport } from "./importOutput";

const usage = [
    "usage: npm run import -- kustomize <tree> [--env <overlay>=<stack> ...] [--serve <entryPoint>=<app> ...] [--out <dir>]",
    "       npm run import -- ingress-nginx <configmap.yaml ...> --services <file | cluster> [--trusted-ips <CIDR,...>] [--stack <name>] [--out <dir>]",
].join("\n");

/** `a=b` pairs as a mapping; a malformed one is a usage error. */
function pairs(values: string[] | undefined, option: string): Record<string, string> {
    return Object.fromEntries((values ?? []).map((pair) => {
        const [from, to, extra] = pair.split("=");
        if (!from || !to || extra !== undefined) {
            throw new Error(`--${option} ${pair}: write <from>=<to>\n${usage}`);
        }
        return [from, to];
    }));
}

async function main(): Promise<void> {
    useUnmappedStackTraces();
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: {
            env: { type: "string", multiple: true }, serve: { type: "string", multiple: true }, out: { type: "string" },
            services: { type: "string" }, "trusted-ips": { type: "string" }, stack: { type: "string" },
        },
    });
    const [importer, ...sources] = positionals;
    const projectDir = path.resolve(__dirname, "..");
    const out = path.resolve(values.out ?? projectDir);
    let files: ImportFiles;
    if (importer === "kustomize" && sources.length === 1) {
        const imported = await importKustomizeTree(path.resolve(sources[0]), pairs(values.env, "env"), pairs(values.serve, "serve"), out, projectDir);
        imported.notes.forEach((note) => console.error(`note: ${note}`));
        files = imported;
    } else if (importer === "ingress-nginx" && sources.length > 0) {
        files = await importIngressNginx(sources.map((s) => path.resolve(s)), values.services, values["trusted-ips"], out, projectDir, values.stack);
    } else {
        throw new Error(usage);
    }
    writeImport(out, files);
    for (const line of files.checked) {
        console.log(`checked ${line}`);
    }
    for (const id of files.kept) {
        console.log(`kept catalog/${id}.yaml: it renders what the import read`);
    }
    const shown = path.relative(process.cwd(), out).startsWith("..") ? out : path.relative(process.cwd(), out) || ".";
    for (const file of files.files.keys()) {
        console.log(`wrote ${path.join(shown, file)}`);
    }
}

main().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `import failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
