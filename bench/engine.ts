/**
 * The real-engine part of the benchmark: `pulumi preview` and a no-op `pulumi up` on the local
 * control plane, for the dev stack and for N = 50 generated apps, each against
 * `kubectl apply --server-side --dry-run=server` of the same live objects, in the same run.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { portableYaml } from "../lib/portableYaml";
import { destroyAndClean, ProjectCopy, removeChartCrds } from "../tests/support/harness";
import { appId } from "./generate";

export interface EngineResult {
    markdown: string[];
}

const runs = 5;
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
    fs.writeFileSync(file, objects.map((o) => portableYaml(o)).join("---\n"));
    return objects.length;
}

interface Baseline { objects: number; kubectl: number }
interface Row extends Baseline { name: string; preview: number; noopUp: number }

/** `kubectl apply --server-side --dry-run=server` of the stack's live objects: median seconds. */
async function kubectlBaseline(project: ProjectCopy, name: string, stack: Stack): Promise<Baseline> {
    const file = path.join(project.dir, `${name.replace(/\W+/g, "-")}-objects.yaml`);
    const deployment = (await stack.exportStack()).deployment as { resources?: { type: string; outputs?: KubeObject }[] };
    const objects = liveObjects(project, deployment.resources ?? [], file);
    const kubectl = median(await sequence(() => timed(() => Promise.resolve(execFileSync("kubectl", ["apply", "--server-side", "--force-conflicts", "--dry-run=server", "--field-manager=bench", "-f", file], { env: { ...process.env, ...project.env }, stdio: ["ignore", "ignore", "pipe"] })))));
    return { objects, kubectl };
}

/** One CLI command on the stack; `--expect-no-changes` makes any change fail the benchmark. */
function pulumi(project: ProjectCopy, stack: Stack, ...args: string[]): Promise<Buffer> {
    return Promise.resolve(execFileSync("pulumi", [...args, "--stack", stack.name, "--expect-no-changes", "--non-interactive"], {
        cwd: stack.workspace.workDir,
        env: { ...process.env, ...project.env },
        stdio: ["ignore", "ignore", "pipe"],
    }));
}

/**
 * Creates the stack, measures preview and no-op up against kubectl, destroys it. `baseline` is
 * given for `installer: release`: Helm installs the same objects, but the state names only the
 * release, so the kubectl figure is the one measured on the chart installer's objects.
 */
async function measureStack(project: ProjectCopy, name: string, stack: Stack, baseline?: Baseline): Promise<Row> {
    try {
        await stack.up(quiet);
        const measured = baseline ?? await kubectlBaseline(project, name, stack);
        // The CLI itself, as users and CI run it: the Automation API adds `stack select`, and
        // `stack output` and `stack history` after an up (about 0.6 s of other commands).
        const preview = median(await sequence(() => timed(() => pulumi(project, stack, "preview"))));
        const noopUp = median(await sequence(() => timed(() => pulumi(project, stack, "up", "--yes", "--skip-preview"))));
        return { name, objects: measured.objects, kubectl: measured.kubectl, preview, noopUp };
    } finally {
        // Destroy keeps a namespace that holds databases' claims, labelled as this stack's, which
        // the next stack would refuse to take over: it goes too.
        await destroyAndClean(stack, project.env);
        // Helm keeps a release's CRDs on uninstall; the next stack's chart must own them again.
        removeChartCrds(project.env);
    }
}

async function sequence(measure: () => Promise<number>): Promise<number[]> {
    const results: number[] = [];
    for (let i = 0; i < runs; i++) {
        results.push(await measure());
    }
    return results;
}

/**
 * The fixed cost of any Pulumi TypeScript program: one Namespace, in a project of its own next to
 * the copy (same node_modules, tsconfig and environment).
 */
async function floorStack(project: ProjectCopy): Promise<Stack> {
    const dir = path.join(project.dir, "floor");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: bench-floor\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "bench-floor", main: "index.ts" }));
    fs.writeFileSync(path.join(dir, "index.ts"), 'import * as k8s from "@pulumi/kubernetes";\nnew k8s.core.v1.Namespace("floor", { metadata: { name: "bench-floor" } });\n');
    fs.copyFileSync(path.join(project.dir, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    fs.symlinkSync(path.join(project.dir, "node_modules"), path.join(dir, "node_modules"));
    return project.stackIn(dir, "bench-floor");
}

const fiftyApps = (config: Record<string, unknown>) => {
    config["tcp-platform:images"] = [{ name: "tcp-echo-server", newName: "iceymoss/tcp-echo", newTag: "1.0" }];
    config["tcp-platform:apps"] = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [appId(i), { entryPoint: { name: `ep${i}`, port: 10000 + i, nodePort: 30000 + i } }]));
};
const viaRelease = (config: Record<string, unknown>) => {
    (config["tcp-platform:traefik"] as { installer?: string }).installer = "release";
};

/** The marginal cost of one more object between two stacks. */
function perObjectMs(small: Row, large: Row, what: "noopUp" | "kubectl"): string {
    return (((large[what] - small[what]) / (large.objects - small.objects)) * 1000).toFixed(1);
}

/** A stack's ratios against kubectl's, and whether both are within `bound`. */
function goal(row: Row, bound: number): string {
    const worst = Math.max(row.preview, row.noopUp) / row.kubectl;
    return `${row.name} preview and no-op up ≤ ${bound}× kubectl: ${worst <= bound ? "met" : "not met"} (${(row.preview / row.kubectl).toFixed(1)}×, ${(row.noopUp / row.kubectl).toFixed(1)}×)`;
}

export async function engineBenchmarks(projectDir: string): Promise<EngineResult | undefined> {
    if (!available(projectDir)) {
        return undefined;
    }
    const project = new ProjectCopy();
    try {
        // The 50-app stack runs the program for a catalog with the generated apps.
        fs.cpSync(path.join(projectDir, "bench"), path.join(project.dir, "bench"), { recursive: true });
        fs.writeFileSync(path.join(project.dir, "index.ts"), 'import { benchCatalog } from "./bench/generate";\nimport { skipSourceMapsForPromiseTraces } from "./lib/stackTraces";\nimport { stackProgram } from "./platform";\n\nskipSourceMapsForPromiseTraces();\nexport = stackProgram(() => benchCatalog(50));\n');
        const rows: Row[] = [];
        rows.push(await measureStack(project, "one Namespace (floor)", await floorStack(project)));
        const dev = await measureStack(project, "dev", await project.stack("bench-dev", "dev"));
        rows.push(dev, await measureStack(project, "dev, installer: release", await project.stack("bench-dev-release", "dev", viaRelease), dev));
        const fifty = await measureStack(project, "50 apps", await project.stack("bench-50", "dev", fiftyApps));
        rows.push(fifty, await measureStack(project, "50 apps, installer: release", await project.stack("bench-50-release", "dev", (c) => { fiftyApps(c); viaRelease(c); }), fifty));
        return {
            markdown: [
                `Each figure is the median of ${runs} runs; \`kubectl\` = \`kubectl apply --server-side --dry-run=server\` of the same live objects.`,
                "Commands: `pulumi preview` and `pulumi up --yes --skip-preview` (the up that the Automation API and pulumi/actions run), each with `--expect-no-changes`.",
                "",
                "| stack | objects | pulumi preview (s) | no-op pulumi up (s) | kubectl apply dry-run (s) | preview / kubectl | no-op up / kubectl |",
                "|---|---:|---:|---:|---:|---:|---:|",
                ...rows.map((r) => `| ${r.name} | ${r.objects} | ${r.preview.toFixed(2)} | ${r.noopUp.toFixed(2)} | ${r.kubectl.toFixed(2)} | ${(r.preview / r.kubectl).toFixed(1)} | ${(r.noopUp / r.kubectl).toFixed(1)} |`),
                "",
                `Cost of one more object, from dev to 50 apps: no-op pulumi up ${perObjectMs(dev, fifty, "noopUp")} ms, kubectl ${perObjectMs(dev, fifty, "kubectl")} ms.`,
                "",
                "Goals (issue 24), with the default installer: " + [goal(dev, 2), goal(fifty, 1.2)].join("; ") + ".",
            ],
        };
    } finally {
        project.remove();
    }
}
