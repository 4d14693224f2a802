/**
 * `npm run bench -- --cluster`: the real node's figures, from the cluster tier's own run (it times
 * them while it tests; tests/cluster/realNode.test.ts), written into BENCHMARKS.md's "Real node"
 * section. Needs the real-node plane (README: On a real node).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const CLUSTER_HEADING = "## Real node";

export interface ClusterMeasures {
    devUpSeconds: number;
    devFirstEchoSeconds: number;
    entryPointUpSeconds: number;
    entryPointFirstEchoSeconds: number;
}

/** Runs the cluster tier with TCP_PLATFORM_CLUSTER_MEASURES set and returns what it measured. */
export function measureCluster(projectDir: string): ClusterMeasures {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-cluster-")), "measures.json");
    const run = spawnSync("npm", ["run", "test:cluster"], { cwd: projectDir, stdio: "inherit", env: { ...process.env, TCP_PLATFORM_CLUSTER_MEASURES: file } });
    if (run.status !== 0 || !fs.existsSync(file)) {
        throw new Error(`npm run test:cluster exited ${run.status}: no figures`);
    }
    return JSON.parse(fs.readFileSync(file, "utf8")) as ClusterMeasures;
}

export function clusterMarkdown(m: ClusterMeasures, date: string): string[] {
    const s = (x: number) => x.toFixed(1);
    return [
        CLUSTER_HEADING,
        "",
        `Measured ${date} by \`npm run bench -- --cluster\` (the timings \`npm run test:cluster\` takes while it tests), on the`,
        "local control plane with a real node (`TCP_PLATFORM_NODE=real scripts/cluster.sh up`), chart 41.3.0. One run each.",
        "",
        "| what | pulumi up returns (s) | first byte echoed through the port (s) |",
        "|---|---:|---:|",
        `| \`pulumi up\` of dev, from an empty cluster (images imported), to traffic on 127.0.0.1:30999 | ${s(m.devUpSeconds)} | ${s(m.devFirstEchoSeconds)} |`,
        `| tcp-demo's entryPoint changed (mytcp 9999/30999 → mytcp2 9998/30998): Traefik rolls, traffic on 127.0.0.1:30998 | ${s(m.entryPointUpSeconds)} | ${s(m.entryPointFirstEchoSeconds)} |`,
        "",
        "Both from the start of `pulumi up`; the first byte is a line echoed back through kube-proxy's localhost NodePort,",
        "Traefik's pod and a tcp-echo pod, polled every 250 ms while the update runs.",
        "",
    ];
}

/** The "Real node" section of an existing BENCHMARKS.md, to carry over when the rest is rewritten. */
export function existingClusterSection(markdown: string): string[] {
    const start = markdown.indexOf(`\n${CLUSTER_HEADING}\n`);
    if (start < 0) {
        return [];
    }
    const rest = markdown.slice(start + 1);
    const next = rest.indexOf("\n## ", CLUSTER_HEADING.length);
    return (next < 0 ? rest : rest.slice(0, next + 1)).split("\n");
}
