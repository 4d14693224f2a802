/**
 * The last steps of every import, all or nothing: the files it would write are rendered first
 * (each stack under Pulumi's mocks, with the catalog as it would be) and must hold every field of
 * the objects users run and Traefik's ports as declared today; a stack file that exists already is
 * not overwritten. Only when nothing is refused are the files written.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { AppSpec, Catalog } from "../lib/catalog";
import { loadCatalog } from "../lib/config/catalogFiles";
import { parseAppDefinition } from "../lib/config/catalogSchema";
import { stackFile } from "../lib/config/load";
import type { DeclaredPort } from "../lib/import/argocd";
import { refusal } from "../lib/import/objects";
import { parityProblems } from "../lib/import/parity";
import { ImportedApp, ImportedStack } from "../lib/import/stacks";
import { yamlText } from "../lib/import/yamlText";
import { ConfigError, Problem } from "../lib/problems";
import { evaluate } from "./evaluate";
import { manifestsOf, traefikValuesOf } from "./manifests";
import { rawConfigOfText } from "./stackFile";

/** What an import wrote, or would write. */
export interface ImportFiles {
    /** File (relative to the output directory) → text. */
    files: Map<string, string>;
    /** Catalog apps the import kept as they are, because they render what users run. */
    kept: string[];
    /** What was checked, stack by stack: the objects held field for field, Traefik's ports. */
    checked: string[];
}

const refused = { subject: "the import", outcome: "nothing was written" };

/** The catalog of the output directory, if it has one. */
export function outputCatalog(out: string): Catalog {
    const dir = path.join(out, "catalog");
    return fs.existsSync(dir) ? loadCatalog(dir) : {};
}

/** Traefik's extra ports as the render plans them (its chart values' `ports`), in the form the ones declared today take. */
export function plannedPorts(rendered: Record<string, unknown>): Record<string, DeclaredPort> {
    return Object.fromEntries(Object.entries(rendered).map(([name, p]) => {
        const { port, exposedPort, protocol, nodePort, proxyProtocol } = p as DeclaredPort;
        return [name, { port, exposedPort, protocol, ...(nodePort !== undefined ? { nodePort } : {}), ...(proxyProtocol ? { proxyProtocol } : {}) }];
    }));
}

/** A value as text with its keys sorted, for comparing. */
export function canonical(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(canonical).join(",")}]`;
    }
    if (value !== null && typeof value === "object") {
        return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

function portProblems(stack: ImportedStack, rendered: Record<string, unknown>): Problem[] {
    const planned = plannedPorts(rendered);
    return canonical(planned) === canonical(stack.ports) ? [] : [
        refusal(`stack ${stack.name}`, `would give Traefik the entryPoints ${canonical(planned)}, not the ones declared today ${canonical(stack.ports)}`, "every port declared today needs an app that binds it (or --serve)"),
    ];
}

/** The files of an import, checked: throws a ConfigError naming every refusal, and writes nothing, when any. */
export async function checkedImport(apps: ImportedApp[], stacks: ImportedStack[], problems: Problem[], out: string, projectDir: string): Promise<ImportFiles> {
    const files = new Map<string, string>();
    const checked: string[] = [];
    const catalog: Record<string, AppSpec> = { ...outputCatalog(out) };
    for (const app of apps.filter((a) => !a.existing)) {
        const file = `catalog/${app.id}.yaml`;
        const text = yamlText(app.spec, app.header, app.comments);
        const reread = parseAppDefinition(file, YAML.parse(text));
        if (Array.isArray(reread)) {
            problems.push(...reread);
            continue;
        }
        files.set(file, text);
        catalog[app.id] = reread;
    }
    for (const stack of stacks) {
        const file = path.basename(stackFile(stack.name, out));
        if (fs.existsSync(path.join(out, file))) {
            problems.push(refusal(path.join(out, file), "exists already: the import writes new stack files only", `import into another directory (--out), or the environment as another stack (--env <env>=<stack>)`));
            continue;
        }
        const text = yamlText(stack.document, stack.header, stack.comments);
        files.set(file, text);
        if (problems.length > 0) {
            continue;
        }
        try {
            const { resources } = await evaluate(rawConfigOfText(text, stack.name, projectDir), stack.name, [], catalog);
            const found = [...parityProblems(stack.name, stack.expected, manifestsOf(resources)), ...portProblems(stack, (traefikValuesOf(resources).ports ?? {}) as Record<string, unknown>)];
            problems.push(...found);
            checked.push(`stack ${stack.name}: its render holds every field of ${stack.expected.length} objects users run (${found.length} differences); Traefik's entryPoints are the ones declared today (${Object.keys(stack.ports).join(", ")})`);
        } catch (err) {
            if (!(err instanceof ConfigError)) {
                throw err;
            }
            problems.push(...err.problems.map((p) => ({ ...p, path: `${file} (as the import would write it): ${p.path}` })));
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(problems, refused);
    }
    return { files, kept: apps.filter((a) => a.existing).map((a) => a.id), checked };
}

/** Writes the files: each to a temporary name first, then all renamed into place. */
export function writeImport(out: string, { files }: ImportFiles): void {
    const temporary = [...files].map(([file, text]) => {
        const target = path.join(out, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        const tmp = path.join(path.dirname(target), `.${path.basename(target)}.import`);
        fs.writeFileSync(tmp, text);
        return [tmp, target] as const;
    });
    for (const [tmp, target] of temporary) {
        fs.renameSync(tmp, target);
    }
}
