/**
 * The real-engine part of the benchmark: `pulumi preview` and a no-op `pulumi up` on the local
 * control plane, for the dev stack and for N = 50 generated apps, each against
 * `kubectl apply --server-side --dry-run=server` of the same live objects, in the same run.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ProjectCopy } from "../tests/integration/harness";
import { appId } from "./generate";

export interface EngineResult {
    markdown: string[];
}

const runs = 3;
const quiet = { onOutput: () => undefined };

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

async function timed(run: () => Promise<unknown>): Promise<number> {
    const start = process.hrtime.bigint();
    await run();
    return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Whether the toolchain and the local control plane are there to measure with. */
function available(projectDir: string): boolean {
    try {
        execFileSync("bash", [path.join(projectDir, "scripts", "cluster.sh"), "status"], { stdio: "ignore" });
        execFileSync("bash", ["-c", `eval "$(bash ${path.join(projectDir, "scripts", "toolchain.sh")} env)" && pulumi version`], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

type KubeObject = Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } & Record<string, unknown> };

// Fields the API server owns; the rest of a live object is what a client applies.
const serverOwned = ["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"];

function applicable(object: KubeObject): KubeObject {
    const metadata = Object.fromEntries(Object.entries(object.metadata ?? {}).filter(([key]) => !serverOwned.includes(key)));
    return { ...Object.fromEntries(Object.entries(object).filter(([key]) => key !== "status")), metadata };
}

/**
 * The Kubernetes objects a stack manages, as live in the cluster, written to one YAML file. The
 * state names them; kubectl reads them (state outputs carry Pulumi's own bookkeeping fields).
 */
function liveObjects(project: ProjectCopy, resources: { type: string; outputs?: KubeObject }[], file: string): number {
    const groups = new Map<string, Set<string>>();
    for (const r of resources) {
        const out = r.outputs;
        if (!r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:helm.sh/") || !out?.kind) {
            continue;
        }
        const apiVersion = out.apiVersion ?? "v1";
        const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
        const resource = group ? `${out.kind}.${version}.${group}` : out.kind;
        const key = `${resource}|${out.metadata?.namespace ?? ""}`;
        groups.set(key, (groups.get(key) ?? new Set()).add(out.metadata?.name ?? ""));
    }
    const objects: KubeObject[] = [];
    for (const [key, names] of groups) {
        const [resource, namespace] = key.split("|");
        const list = JSON.parse(execFileSync("kubectl", ["get", resource, ...(namespace ? ["-n", namespace] : []), "-o", "json"], { encoding: "utf8", env: { ...process.env, ...project.env }, maxBuffer: 1 << 28 })) as { items: KubeObject[] };
        objects.push(...list.items.filter((o) => names.has(o.metadata?.name ?? "")).map(applicable));
    }
    fs.writeFileSync(file, objects.map((o) => YAML.stringify(o)).join("---\n"));
    return objects.length;
}

interface Row { name: string; objects: number; preview: number; noopUp: number; kubectl: number }

async function measureStack(project: ProjectCopy, name: string, stack: Stack): Promise<Row> {
    try {
        return await measureUp(project, name, stack);
    } finally {
        await stack.destroy(quiet);
    }
}

async function measureUp(project: ProjectCopy, name: string, stack: Stack): Promise<Row> {
    await stack.up(quiet);
    const file = path.join(project.dir, `${name}-objects.yaml`);
    const deployment = (await stack.exportStack()).deployment as { resources?: { type: string; outputs?: KubeObject }[] };
    const objects = liveObjects(project, deployment.resources ?? [], file);
    const preview = median(await sequence(() => timed(() => stack.preview(quiet))));
    const noopUp = median(await sequence(() => timed(async () => {
        const up = await stack.up(quiet);
        if (Object.keys(up.summary.resourceChanges ?? {}).some((k) => k !== "same")) {
            throw new Error(`${name}: the no-op up changed something: ${JSON.stringify(up.summary.resourceChanges)}`);
        }
    })));
    const kubectl = median(await sequence(() => timed(() => Promise.resolve(execFileSync("kubectl", ["apply", "--server-side", "--force-conflicts", "--dry-run=server", "--field-manager=bench", "-f", file], { env: { ...process.env, ...project.env }, stdio: ["ignore", "ignore", "pipe"] })))));
    return { name, objects, preview, noopUp, kubectl };
}

async function sequence(measure: () => Promise<number>): Promise<number[]> {
    const results: number[] = [];
    for (let i = 0; i < runs; i++) {
        results.push(await measure());
    }
    return results;
}

export async function engineBenchmarks(projectDir: string): Promise<EngineResult | undefined> {
    if (!available(projectDir)) {
        return undefined;
    }
    const project = new ProjectCopy();
    try {
        // The 50-app stack runs the generated catalog entries, registered before the program.
        fs.cpSync(path.join(projectDir, "bench"), path.join(project.dir, "bench"), { recursive: true });
        const index = path.join(project.dir, "index.ts");
        fs.writeFileSync(index, `import { registerApps } from "./bench/generate";\nregisterApps(50);\n${fs.readFileSync(index, "utf8")}`);
        const rows: Row[] = [];
        rows.push(await measureStack(project, "dev", await project.stack("bench-dev", "dev")));
        const fifty = await project.stack("bench-50", "dev", (config) => {
            config["tcp-platform:images"] = [{ name: "tcp-echo-server", newName: "iceymoss/tcp-echo", newTag: "1.0" }];
            config["tcp-platform:apps"] = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [appId(i), { entryPoint: { name: `ep${i}`, port: 10000 + i, nodePort: 30000 + i } }]));
        });
        rows.push(await measureStack(project, "50 apps", fifty));
        return {
            markdown: [
                `Each figure is the median of ${runs} runs; \`kubectl\` = \`kubectl apply --server-side --dry-run=server\` of the same live objects.`,
                "",
                "| stack | objects | pulumi preview (s) | no-op pulumi up (s) | kubectl apply dry-run (s) | preview / kubectl | no-op up / kubectl |",
                "|---|---:|---:|---:|---:|---:|---:|",
                ...rows.map((r) => `| ${r.name} | ${r.objects} | ${r.preview.toFixed(2)} | ${r.noopUp.toFixed(2)} | ${r.kubectl.toFixed(2)} | ${(r.preview / r.kubectl).toFixed(1)} | ${(r.noopUp / r.kubectl).toFixed(1)} |`),
            ],
        };
    } finally {
        project.remove();
    }
}
