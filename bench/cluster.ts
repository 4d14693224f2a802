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

/** What one change did to another app's traffic (tests/cluster/underTraffic.ts writes it). */
export interface ChangeFigures {
    what: string;
    held: number;
    closed: { at: number }[];
    attempts: number;
    refused: unknown[];
    podsBefore: string[];
    podsAfter: string[];
    deletedAt: number[];
}

/**
 * The same changes on main before #22 (10ad2b0: one Traefik pod, every app change an entryPoint
 * of its own), measured once with the same harness; kept as the record to compare with.
 */
export const BEFORE_POOL: ChangeFigures[] = [
    { what: "add an app (its own entryPoint)", held: 3, closed: [{ at: 25.7 }, { at: 25.7 }, { at: 25.7 }], attempts: 200, refused: [], podsBefore: ["a"], podsAfter: ["b"], deletedAt: [10.2] },
    { what: "move an app to another port", held: 3, closed: [{ at: 26.0 }, { at: 26.0 }, { at: 26.0 }], attempts: 188, refused: [], podsBefore: ["a"], podsAfter: ["b"], deletedAt: [10.3] },
    { what: "remove an app", held: 3, closed: [{ at: 26.0 }, { at: 26.0 }, { at: 26.0 }], attempts: 213, refused: [], podsBefore: ["a"], podsAfter: ["b"], deletedAt: [10.2] },
];

/** Runs the cluster tier with TCP_PLATFORM_CLUSTER_MEASURES (and the traffic plane's reports) set and returns what it measured. */
export function measureCluster(projectDir: string): ClusterMeasures & { changes?: ChangeFigures[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cluster-"));
    const file = path.join(dir, "measures.json");
    const changes = path.join(dir, "changes.json");
    const run = spawnSync("npm", ["run", "test:cluster"], { cwd: projectDir, stdio: "inherit", env: { ...process.env, TCP_PLATFORM_CLUSTER_MEASURES: file, TCP_PLATFORM_CHANGE_REPORTS: changes } });
    if (run.status !== 0 || !fs.existsSync(file)) {
        throw new Error(`npm run test:cluster exited ${run.status}: no figures`);
    }
    return { ...(JSON.parse(fs.readFileSync(file, "utf8")) as ClusterMeasures), ...(fs.existsSync(changes) ? { changes: JSON.parse(fs.readFileSync(changes, "utf8")) as ChangeFigures[] } : {}) };
}

/** The traffic plane's table: per kind of change, what it did to tcp-demo's held and new connections, before #22 and now. */
export function changesMarkdown(now: ChangeFigures[]): string[] {
    const row = (when: string, c: ChangeFigures) => {
        const closedAt = c.closed.length ? ` (${c.closed.map((x) => x.at.toFixed(1)).join(", ")} s)` : "";
        const pods = c.podsBefore.join() === c.podsAfter.join() ? "same pods" : `replaced${c.deletedAt.length ? ` (shutdown began ${c.deletedAt.map((d) => d.toFixed(1)).join(", ")} s)` : ""}`;
        return `| ${when} | ${c.what} | ${c.closed.length} of ${c.held}${closedAt} | ${c.refused.length} of ${c.attempts} | ${pods} |`;
    };
    return [
        "### Traffic plane: what a change does to other apps' connections",
        "",
        "Three connections to tcp-demo (127.0.0.1:30999) held open, and a loop opening a new one every 200 ms, while each change's `pulumi up` runs",
        "(`tests/cluster/trafficPlane.test.ts`; times from the start of the up). Before: `main` at 10ad2b0, one Traefik pod, every app on an",
        "entryPoint of its own. Now: 2 Traefik pods, a PodDisruptionBudget, a port pool of spare entryPoints, `graceTimeOut: 10s` (closes 15 s after a pod's shutdown begins).",
        "",
        "| | change | held connections closed | new connections failed | Traefik's pods |",
        "|---|---|---:|---:|---|",
        ...BEFORE_POOL.map((c) => row("before", c)),
        ...now.map((c) => row("now", c)),
        "",
        "A chart 26 → 41 upgrade is not among them: the real node runs only images built here, and Traefik v2 (chart 26) cannot be built",
        "(the Go proxy refuses github.com/traefik/traefik/v2). To Traefik's pods an upgrade is one more rollout of its Deployment with a new",
        "pod template, which is what growing the pool measures; the upgrade's objects (2 replicas, budget, spread, startup gate on both chart",
        "lines) are checked on the simulated plane (`tests/integration/transitions.test.ts`). One node: both pods run on it (the spread allows it).",
        "",
    ];
}

/** Dev's first echoed byte from an empty cluster when issue 24 was filed (its CI run on a fresh machine). */
export const FIRST_BYTE_WHEN_FILED_SECONDS = 35;

/** Issue 24's goal for the real node: dev's first byte in half the time it took when the issue was filed. */
export function firstByteGoal(seconds: number): string {
    const goal = FIRST_BYTE_WHEN_FILED_SECONDS / 2;
    return `Goal (issue 24): dev's first byte from an empty cluster in at most half of the ${FIRST_BYTE_WHEN_FILED_SECONDS} s measured when it was filed (${goal.toFixed(1)} s): ${seconds <= goal ? "met" : "not met"} (${seconds.toFixed(1)} s).`;
}

export function clusterMarkdown(m: ClusterMeasures & { changes?: ChangeFigures[] }, date: string): string[] {
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
        "Traefik's pod and a tcp-echo pod, polled every 250 ms while the update runs. A first install's path (\"dev's first byte\" above):",
        "the chart's CRDs, Traefik's pods once the CRDs they watch are established, their startup gate's IngressRoute, then the apps'",
        "routes, which wait for Traefik's rollout (docs/traffic-plane.md); later rollouts find the CRDs and the gate in place.",
        "",
        firstByteGoal(m.devFirstEchoSeconds),
        "",
        ...(m.changes ? changesMarkdown(m.changes) : []),
    ];
}
