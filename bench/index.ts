/**
 * npm run bench [-- --quick | --cluster]
 *
 * How the program's cost grows with the number of apps, side by side with what users would
 * otherwise run. Every figure is the median of several runs, each in a fresh process. --quick
 * measures the in-process render only and ends with `render500_s=<s> ratio_500_50=<T500/T50>`.
 * The full run also times `kubectl kustomize` on an equivalent tree, the unit test suite and,
 * when the toolchain and local control plane are up, the real engine; it writes BENCHMARKS.md
 * (keeping its "Real node" section). --cluster runs the cluster tier on the real node and rewrites
 * that section only.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { kustomizeTree } from "./generate";
import { CLUSTER_HEADING, clusterMarkdown, measureCluster } from "./cluster";
import { engineBenchmarks, EngineResult } from "./engine";

const projectDir = path.resolve(__dirname, "..");
const sizes = [1, 10, 50, 200, 500];
/** Written by hand from profiles (see the section): the bench keeps it as it is. */
const PROFILE_HEADING = "## Where the time goes";
const runs = 3;

interface RenderResult { n: number; seconds: number; objects: number; maxRssMiB: number }

/**
 * A section of an existing BENCHMARKS.md (its heading to the next `## `), to carry over when the
 * rest is rewritten: the "Real node" figures of `--cluster`, and the profile, which is written by hand.
 */
function existingSection(markdown: string, heading: string): string[] {
    const start = markdown.indexOf(`\n${heading}\n`);
    if (start < 0) {
        return [];
    }
    const rest = markdown.slice(start + 1);
    const next = rest.indexOf("\n## ", heading.length);
    return (next < 0 ? rest : rest.slice(0, next + 1)).split("\n");
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function renderOnce(n: number): RenderResult {
    const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "renderOnce.ts"), String(n)], { cwd: projectDir, encoding: "utf8" });
    return JSON.parse(out) as RenderResult;
}

function measureRender(n: number): RenderResult {
    const results = Array.from({ length: runs }, () => renderOnce(n));
    return { n, seconds: median(results.map((r) => r.seconds)), objects: results[0].objects, maxRssMiB: median(results.map((r) => r.maxRssMiB)) };
}

function timed(run: () => void): number {
    const start = process.hrtime.bigint();
    run();
    return Number(process.hrtime.bigint() - start) / 1e9;
}

function measureKustomize(n: number): number {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-kustomize-"));
    try {
        for (const [file, text] of Object.entries(kustomizeTree(n))) {
            fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
            fs.writeFileSync(path.join(dir, file), text);
        }
        return median(Array.from({ length: runs }, () => timed(() => execFileSync("kubectl", ["kustomize", dir], { maxBuffer: 1 << 28 }))));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function measureUnitTests(): number {
    return timed(() => {
        const run = spawnSync("npx", ["mocha"], { cwd: projectDir, encoding: "utf8" });
        if (run.status !== 0) {
            throw new Error(`unit tests failed:\n${run.stdout}\n${run.stderr}`);
        }
    });
}

function machine(): string {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load average ${os.loadavg()[0].toFixed(2)} at start`;
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);

function report(render: RenderResult[], kustomize: Map<number, number>, unitSeconds: number | undefined, engine: EngineResult | undefined, command: string): string {
    const t = (n: number) => render.find((r) => r.n === n)!.seconds;
    const lines = [
        "# Benchmarks",
        "",
        `Measured ${new Date().toISOString()} on ${machine()}.`,
        `Command: \`${command}\`. Each figure is the median of ${runs} runs, each in a fresh process.`,
        "",
        "## Program evaluation and render, by number of plain-TCP apps",
        "",
        "`render` = validate the config, plan, register every resource under Pulumi's mocks and write the",
        "manifests as YAML (what `npm run render` does, module loading excluded). `kustomize` = `kubectl kustomize`",
        "on an equivalent tree (one base + development overlay per app, as the seed does) — its binary starts",
        "in the figure.",
        "",
        "| apps | objects | render (s) | per app (ms) | peak RSS (MiB) | kubectl kustomize (s) | render / kustomize |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        ...render.map((r) => {
            const k = kustomize.get(r.n);
            return `| ${r.n} | ${r.objects} | ${fmt(r.seconds)} | ${fmt((r.seconds / r.n) * 1000, 1)} | ${fmt(r.maxRssMiB, 0)} | ${k === undefined ? "-" : fmt(k)} | ${k === undefined ? "-" : fmt(r.seconds / k, 1)} |`;
        }),
        "",
        `T(500)/T(50) = ${fmt(t(500) / t(50))} (goal ≤ 12: linear growth is 10). render(500) = ${fmt(t(500))} s (goal ≤ 5 s).`,
        ...renderGoal(t(500), kustomize.get(500), render.find((r) => r.n === 500)?.maxRssMiB),
        "",
    ];
    if (unitSeconds !== undefined) {
        lines.push("## Unit test suite", "", `\`npm test\`: ${fmt(unitSeconds, 1)} s wall time (goal < 20 s; ts-node transpile-only, type checking is \`npm run typecheck\`).`, "");
    }
    lines.push("## Real engine on the local control plane", "");
    lines.push(...(engine ? engine.markdown : ["Not measured in this run: the Pulumi toolchain or the local control plane was not available (see README, `scripts/toolchain.sh` and `scripts/cluster.sh`)."]), "");
    return lines.join("\n");
}

/** Issue 24's goal for the render: 500 apps in at most half of kubectl kustomize's time. */
function renderGoal(render500: number, kustomize500: number | undefined, rssMiB: number | undefined): string[] {
    if (kustomize500 === undefined) {
        return [];
    }
    const ratio = render500 / kustomize500;
    return [`render(500) / kustomize(500) = ${fmt(ratio)} (goal ≤ 0.5: ${ratio <= 0.5 ? "met" : "not met"}), peak RSS ${fmt(rssMiB ?? 0, 0)} MiB.`];
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { quick: { type: "boolean", default: false }, cluster: { type: "boolean", default: false } } });
    const benchmarks = path.join(projectDir, "BENCHMARKS.md");
    const previous = fs.existsSync(benchmarks) ? fs.readFileSync(benchmarks, "utf8") : "";
    if (values.cluster) {
        const section = clusterMarkdown(measureCluster(projectDir), new Date().toISOString()).join("\n");
        const old = existingSection(previous, CLUSTER_HEADING).join("\n");
        fs.writeFileSync(benchmarks, old ? previous.replace(old, section) : `${previous.trimEnd()}\n\n${section}`);
        console.log(section);
        return;
    }
    const render = sizes.map((n) => {
        const result = measureRender(n);
        console.error(`render n=${n}: ${fmt(result.seconds)} s, ${fmt(result.maxRssMiB, 0)} MiB`);
        return result;
    });
    const t = (n: number) => render.find((r) => r.n === n)!.seconds;
    if (!values.quick) {
        const kustomize = new Map(sizes.map((n) => {
            const seconds = measureKustomize(n);
            console.error(`kubectl kustomize n=${n}: ${fmt(seconds)} s`);
            return [n, seconds];
        }));
        const unitSeconds = measureUnitTests();
        console.error(`unit tests: ${fmt(unitSeconds, 1)} s`);
        const engine = await engineBenchmarks(projectDir);
        const kept = [PROFILE_HEADING, CLUSTER_HEADING].map((heading) => existingSection(previous, heading)).filter((lines) => lines.length > 0);
        const markdown = report(render, kustomize, unitSeconds, engine, "npm run bench") + kept.map((lines) => `\n${lines.join("\n")}`).join("");
        fs.writeFileSync(benchmarks, markdown);
        console.log(markdown);
    }
    console.log(`render500_s=${fmt(t(500), 3)} ratio_500_50=${fmt(t(500) / t(50), 3)}`);
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
