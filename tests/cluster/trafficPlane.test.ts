/**
 * Issue 22, Traefik as a production traffic plane, measured on the real node: two Traefik pods
 * with a disruption budget and a pool of spare entryPoints, while connections to tcp-demo are
 * held open and a bounded loop opens new ones. Adding an app onto a pool port, moving it to
 * another, removing it: no held connection closed, no new one refused, the same Traefik pods.
 * Growing the pool: the preview says Traefik restarts; no new connection refused; held ones
 * closed no earlier than the grace period. Deleting a Traefik pod, and evicting both (as
 * `kubectl drain` does): the budget refuses the second eviction until a replacement is Ready,
 * and new connections keep being accepted. One node: the spread constraints are satisfied by
 * any placement here (a node's skew against itself is 0); what they do on several nodes is
 * tested on the rendered objects (tests/unit/traefikPlane.test.ts).
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { localChartDir } from "../../tools/charts";
import { chartsDir, kubectl, kubectlJson, ProjectCopy } from "../support/harness";
import { redisCli, saw } from "./clients";
import { allPodsReady, isReady, sleep } from "./node";
import { exchangeOnce, until } from "./traffic";
import { ChangeReport, describeReport, traefikPods, underTraffic } from "./underTraffic";

const STACK = "plane";
const quiet = { onOutput: () => undefined };
/** Held connections are closed this long after their pod's shutdown begins: 5 s preStop, 0 s accepting, graceTimeOut. */
const GRACE = { graceTimeOut: 10 };
const CLOSES_AFTER = 5 + GRACE.graceTimeOut;
const POOL = { port: 20000, nodePort: 32000, size: 2 };

/** One Eviction (policy/v1) of a pod, as `kubectl drain` asks: 201, or the API server's refusal. */
function evict(env: Record<string, string>, namespace: string, pod: string): { ok: boolean; message: string } {
    const body = JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace } });
    try {
        execFileSync("kubectl", ["create", "--raw", `/api/v1/namespaces/${namespace}/pods/${pod}/eviction`, "-f", "-"], { input: body, env: { ...process.env, ...env }, encoding: "utf8", stdio: "pipe" });
        return { ok: true, message: "evicted" };
    } catch (err) {
        return { ok: false, message: ((err as { stderr?: string }).stderr ?? String(err)).trim() };
    }
}

describe("real node: Traefik as a traffic plane (2 pods, a budget, a port pool)", function () {
    this.timeout(30 * 60 * 1000);
    let project: ProjectCopy;
    let stack: Stack;
    let env: Record<string, string>;
    const reports: ChangeReport[] = [];

    const up = async () => {
        const result = await stack.up(quiet);
        assert.equal(result.summary.result, "succeeded");
    };
    /** A change of the stack file and its `pulumi up`, under traffic to tcp-demo (30999). */
    const change = (what: string, edit: (config: Record<string, any>) => void, settleSeconds = 5) =>
        underTraffic(env, "traefik", 30999, what, async () => {
            project.editStack(STACK, edit);
            await up();
        }, settleSeconds).then((r) => {
            reports.push(r);
            console.log(`      ${describeReport(r)}`);
            return r;
        });
    const assertUntouched = (r: ChangeReport) => {
        assert.ok(r.attempts >= 20, `only ${r.attempts} new connections were tried`);
        assert.deepEqual(r.refused, [], "new connections that failed");
        assert.deepEqual(r.closed, [], "held connections of tcp-demo that were closed");
        assert.deepEqual(r.podsAfter, r.podsBefore, "Traefik's pods (by name)");
        assert.deepEqual(r.deletedAt, [], "Traefik pods deleted");
    };
    const ping = async (port: number) => {
        let last = redisCli(port, ["PING"]);
        await until(60, `redis PONG through ${port}`, () => {
            last = redisCli(port, ["PING"]);
            return last.stdout.trim() === "PONG" ? true : undefined;
        }, () => saw(last));
    };

    before(async function () {
        this.timeout(15 * 60 * 1000);
        project = new ProjectCopy();
        env = project.env;
        for (const namespace of ["backend", "traefik"]) {
            assert.equal(kubectl(env, "get", "namespace", namespace, "--ignore-not-found", "-o", "name").trim(), "", `namespace ${namespace} exists: the cluster is not empty`);
        }
        stack = await project.stack(STACK, "dev", (config) => {
            const traefik = config["tcp-platform:traefik"];
            traefik.chart.path = localChartDir(chartsDir, "41.3.0");
            Object.assign(traefik, { replicas: 2, portPool: POOL, gracePeriod: { graceTimeOut: `${GRACE.graceTimeOut}s` } });
            const apps = config["tcp-platform:apps"];
            for (const app of Object.keys(apps).filter((id) => id !== "tcp-demo")) {
                delete apps[app];
            }
        });
        await up();
        await allPodsReady(env, ["backend", "traefik"], 300);
        assert.equal(traefikPods(env, "traefik").filter(isReady).length, 2, "two Ready Traefik pods");
        await until(60, "an echo through 30999", async () => ((await exchangeOnce(30999)).end === "ok" ? true : undefined));
    });

    after(async function () {
        this.timeout(10 * 60 * 1000);
        if (stack) {
            await stack.destroy(quiet).catch((err: Error) => console.log(`      destroy failed: ${err.message.split("\n")[0]}`));
        }
        try {
            kubectl(env, "delete", "namespace", "backend", "traefik", "--ignore-not-found", "--timeout=120s");
        } catch (err) {
            console.log(`      namespace cleanup failed: ${(err as Error).message.split("\n")[0]}`);
        }
        project?.remove();
        if (process.env.TCP_PLATFORM_CHANGE_REPORTS) {
            fs.writeFileSync(process.env.TCP_PLATFORM_CHANGE_REPORTS, JSON.stringify(reports, null, 1));
        }
    });

    it("renders two pods, a budget and spread as the cluster runs them", () => {
        const pdb = kubectlJson(env, "get", "poddisruptionbudgets", "-n", "traefik").items;
        assert.deepEqual(pdb.map((p: any) => [p.spec.maxUnavailable, p.status.currentHealthy, p.status.disruptionsAllowed]), [[1, 2, 1]]);
        const deployment = kubectlJson(env, "get", "deployments", "-n", "traefik").items[0];
        assert.deepEqual(deployment.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
        assert.deepEqual(deployment.spec.template.spec.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable]),
            [["kubernetes.io/hostname", "DoNotSchedule"], ["topology.kubernetes.io/zone", "ScheduleAnyway"]]);
        assert.equal(deployment.spec.template.spec.containers[0].startupProbe.httpGet.path, "/tcp-platform/ready");
    });

    it("adds redis-demo onto a pool port: only its route; tcp-demo's connections untouched", async () => {
        project.editStack(STACK, (config) => { config["tcp-platform:apps"]["redis-demo"] = { entryPoint: { name: "pool-20000" } }; });
        const preview = await stack.preview();
        assert.doesNotMatch(preview.stdout, /this change restarts Traefik/, "the preview of a claim");
        const r = await change("add an app on a pool port", () => undefined);
        assertUntouched(r);
        await ping(32000);
    });

    it("moves redis-demo to the other pool port: routes only", async () => {
        const r = await change("move an app between pool ports", (config) => { config["tcp-platform:apps"]["redis-demo"].entryPoint = { name: "pool-20001" }; });
        assertUntouched(r);
        await ping(32001);
        assert.notEqual(redisCli(32000, ["PING"]).stdout.trim(), "PONG", "32000 is free again");
    });

    it("removes redis-demo: its pool port is free again, nothing else changes", async () => {
        const r = await change("remove an app", (config) => { delete config["tcp-platform:apps"]["redis-demo"]; });
        assertUntouched(r);
    });

    it("grows the pool: the preview says Traefik restarts; it drains (no new connection refused, held ones closed after the grace period)", async () => {
        project.editStack(STACK, (config) => { config["tcp-platform:traefik"].portPool = { ...POOL, size: POOL.size + 1 }; });
        const preview = await stack.preview();
        assert.match(preview.stdout, /this change restarts Traefik \(entryPoints added: pool-20002=20002\/TCP\): established connections of 1 app \(tcp-demo\) will be closed 15 s after/, preview.stdout);
        const r = await change("grow the pool (Traefik rolls)", () => undefined, CLOSES_AFTER + 10);
        assert.deepEqual(r.refused, [], "new connections that failed");
        assert.equal(r.deletedAt.length, 2, `both old pods replaced: ${describeReport(r)}`);
        assert.equal(r.podsAfter.filter((p) => r.podsBefore.includes(p)).length, 0);
        assert.equal(r.closed.length, r.held, "every held connection closed by its replaced pod, in the end");
        for (const closed of r.closed) {
            // Closed no earlier than the first old pod's shutdown plus the grace (deletionTimestamp has whole seconds).
            assert.ok(closed.at >= r.deletedAt[0] + CLOSES_AFTER - 1.5, `a held connection closed at ${closed.at} s, before ${r.deletedAt[0]} + ${CLOSES_AFTER} s: ${describeReport(r)}`);
        }
    });

    /** Under traffic, as a change: what `act` (no `pulumi up`) does to tcp-demo's connections. */
    const disruption = (what: string, act: () => Promise<void>) => underTraffic(env, "traefik", 30999, what, act, CLOSES_AFTER + 5).then((r) => {
        reports.push(r);
        console.log(`      ${describeReport(r)}`);
        return r;
    });
    const twoReady = (gone: string[]) => until(180, "two Ready Traefik pods, the old ones gone", () => {
        const now = traefikPods(env, "traefik");
        return now.filter(isReady).length === 2 && !now.some((p) => gone.includes(p.metadata.name)) ? true : undefined;
    });
    const assertDrained = (r: ChangeReport) => {
        assert.deepEqual(r.refused, [], "new connections that failed");
        for (const closed of r.closed) {
            assert.ok(closed.at >= r.deletedAt[0] + CLOSES_AFTER - 1.5, `a held connection closed at ${closed.at} s, before its pod's grace period ended: ${describeReport(r)}`);
        }
    };

    it("loses one Traefik pod (deleted): new connections keep being accepted; its connections get the grace period", async () => {
        const [victim] = traefikPods(env, "traefik").filter(isReady).map((p) => p.metadata.name);
        const r = await disruption("delete one Traefik pod", async () => {
            kubectl(env, "delete", "pod", "-n", "traefik", victim, "--wait=false");
            await twoReady([victim]);
        });
        assertDrained(r);
        assert.equal(r.deletedAt.length, 1);
    });

    it("drains with evictions: the budget refuses the second until a replacement is Ready; new connections keep being accepted", async () => {
        const [first, second] = traefikPods(env, "traefik").filter(isReady).map((p) => p.metadata.name);
        let tries = 1;
        let waited = 0;
        const r = await disruption("drain both Traefik pods (Eviction API)", async () => {
            assert.deepEqual(evict(env, "traefik", first), { ok: true, message: "evicted" });
            const refused = evict(env, "traefik", second);
            assert.equal(refused.ok, false, "the second eviction, with one pod gone");
            assert.match(refused.message, /disruption budget/, refused.message);
            // As kubectl drain does: retry the eviction, bounded, until the budget allows it.
            const t0 = Date.now();
            await until(180, "the budget to allow the second eviction", async () => {
                await sleep(750);
                tries++;
                return evict(env, "traefik", second).ok ? true : undefined;
            });
            waited = (Date.now() - t0) / 1000;
            await twoReady([first, second]);
        });
        console.log(`      second eviction allowed after ${waited.toFixed(1)} s (${tries} tries)`);
        assertDrained(r);
        assert.equal(r.deletedAt.length, 2);
    });
});
