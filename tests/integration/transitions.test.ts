/**
 * Day 2: every change a stack allows is either one `pulumi up` that keeps Traefik's NodePorts
 * (each checked after it, with the Service's endpoints and a second up that changes nothing), or
 * refused at preview with nothing changed and the procedure that works.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { localChartDir } from "../../tools/charts";
import { chartsDir, destroyAndClean, exists, kubectl, kubectlJson, ProjectCopy, removeChartCrds } from "../support/harness";

const quiet = { onOutput: () => undefined };
const STACK = "it-day2";
const DEV_NODE_PORTS = { mytcp: 30999, redis: 30379, mysql: 30306 };

interface TraefikService { uid: string; clusterIP: string; type: string; nodePorts: Record<string, number> }

function traefikService(env: Record<string, string>, namespace = "traefik"): TraefikService {
    const service = kubectlJson(env, "get", "service", "traefik", "-n", namespace);
    return {
        uid: service.metadata.uid,
        clusterIP: service.spec.clusterIP,
        type: service.spec.type,
        // The apps' entryPoints (web and websecure get whatever NodePort Kubernetes assigns).
        nodePorts: Object.fromEntries((service.spec.ports as { name: string; nodePort?: number }[])
            .filter((p) => p.nodePort !== undefined && p.name !== "web" && p.name !== "websecure").map((p) => [p.name, p.nodePort!])),
    };
}

/** Ready endpoints behind the Traefik Service: the simulated nodes run its pods. */
function traefikEndpoints(env: Record<string, string>, namespace = "traefik"): number {
    const slices = kubectlJson<{ items: { endpoints?: { conditions?: { ready?: boolean } }[] }[] }>(env, "get", "endpointslices", "-n", namespace, "-l", "kubernetes.io/service-name=traefik");
    return slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length;
}

describe("day-2 changes: one safe up, or refused at preview", function () {
    this.timeout(40 * 60 * 1000);
    let project: ProjectCopy;
    let stack: Stack;

    /** One up, its plan printed (what was updated, replaced, created, deleted), which must succeed. */
    async function upAndReport(what: string): Promise<Record<string, number>> {
        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded", what);
        const changes = { ...up.summary.resourceChanges } as Record<string, number>;
        delete changes.same;
        console.log(`      ${what}: ${JSON.stringify(changes)}`);
        return changes;
    }

    /** Traefik answers on every expected NodePort, with endpoints, and a second up changes nothing. */
    async function assertSettled(nodePorts: Record<string, number> = DEV_NODE_PORTS, namespace = "traefik"): Promise<TraefikService> {
        const service = traefikService(project.env, namespace);
        assert.deepEqual(service.nodePorts, nodePorts, "the Traefik Service's NodePorts");
        assert.ok(traefikEndpoints(project.env, namespace) > 0, "the Traefik Service has ready endpoints");
        const again = await stack.preview({ ...quiet, expectNoChanges: true });
        assert.deepEqual(Object.keys(again.changeSummary), ["same"]);
        return service;
    }

    before(async () => {
        project = new ProjectCopy();
        // This stack installs the CRDs itself, so that moving chart lines shows what it does to them.
        removeChartCrds(project.env);
        // Under the chart's default release name, which this test's checks name (the committed
        // stacks carry the seed's, traefik-ingress).
        stack = await project.stack(STACK, "dev", (config) => { config["tcp-platform:traefik"].releaseName = "traefik"; });
        await stack.setConfig("tcp-platform:redisPassword", { value: "first-password", secret: true });
        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
    });

    after(async () => {
        await destroyAndClean(stack, project.env);
        project.remove();
    });

    it("rotates a secret in place and rolls the pods that read it, nothing replaced", async () => {
        const before = await assertSettled();
        const secret = kubectlJson(project.env, "get", "secret", "redis-credentials", "-n", "backend");
        const deployment = kubectlJson(project.env, "get", "deployment", "redis-demo", "-n", "backend");
        await stack.setConfig("tcp-platform:redisPassword", { value: "second-password", secret: true });
        // redis-demo and cache both read redisPassword: each one's Secret and Deployment.
        assert.deepEqual(await upAndReport("secret rotated"), { update: 4 }, "the Secrets and the Deployments, updated in place");
        const rotated = kubectlJson(project.env, "get", "secret", "redis-credentials", "-n", "backend");
        const rolled = kubectlJson(project.env, "get", "deployment", "redis-demo", "-n", "backend");
        assert.equal(rotated.metadata.uid, secret.metadata.uid);
        assert.equal(Buffer.from(rotated.data.REDIS_PASSWORD, "base64").toString(), "second-password");
        assert.equal(rolled.metadata.uid, deployment.metadata.uid);
        assert.equal(rolled.metadata.generation, deployment.metadata.generation + 1, "a new pod template: the pods roll");
        assert.notEqual(rolled.spec.template.metadata.annotations["tcp-platform/secret-version"], deployment.spec.template.metadata.annotations["tcp-platform/secret-version"]);
        assert.equal((await assertSettled()).uid, before.uid);
    });

    it("moves chart 26 to 41 and back in place: NodePorts and ClusterIP kept, the old CRD group removed", async () => {
        const before = await assertSettled();
        assert.ok(exists(project.env, "crd", "ingressroutetcps.traefik.containo.us"), "chart 26 installs the old group too");
        project.editStack(STACK, (config) => { config["tcp-platform:traefik"].chart = { path: localChartDir(chartsDir, "41.3.0") }; });
        await upAndReport("chart 26 -> 41");
        const on41 = await assertSettled();
        assert.deepEqual([on41.uid, on41.clusterIP], [before.uid, before.clusterIP]);
        assert.match(kubectlJson(project.env, "get", "deployment", "traefik", "-n", "traefik").spec.template.spec.containers[0].image, /:v3\.7\./);
        assert.ok(!exists(project.env, "crd", "ingressroutetcps.traefik.containo.us"), "chart 41 no longer ships it");
        project.editStack(STACK, (config) => { config["tcp-platform:traefik"].chart = { path: localChartDir(chartsDir, "26.0.0") }; });
        await upAndReport("chart 41 -> 26");
        const back = await assertSettled();
        assert.deepEqual([back.uid, back.clusterIP], [before.uid, before.clusterIP]);
    });

    it("upgrades chart 26 to 41 with 2 Traefik pods: never fewer than 2 available, the budget and spread on both lines", async () => {
        const plane = () => {
            const deployment = kubectlJson(project.env, "get", "deployment", "traefik", "-n", "traefik");
            const [pdb] = kubectlJson(project.env, "get", "poddisruptionbudgets", "-n", "traefik").items;
            return { pdb: pdb?.spec.maxUnavailable, spread: deployment.spec.template.spec.topologySpreadConstraints?.map((c: any) => c.topologyKey), gate: deployment.spec.template.spec.containers[0].startupProbe?.httpGet.path };
        };
        const expected = { pdb: 1, spread: ["kubernetes.io/hostname", "topology.kubernetes.io/zone"], gate: "/tcp-platform/ready" };
        project.editStack(STACK, (config) => { config["tcp-platform:traefik"].replicas = 2; });
        await upAndReport("Traefik replicas 1 -> 2 (chart 26)");
        assert.deepEqual(plane(), expected, "chart 26");
        await assertSettled();
        // Watch the Deployment while the upgrade runs: its available pods, every 500 ms (bounded by the up).
        const available: number[] = [];
        let watching = true;
        const watch = (async () => {
            while (watching && available.length < 2000) {
                available.push(kubectlJson(project.env, "get", "deployment", "traefik", "-n", "traefik").status.availableReplicas ?? 0);
                await new Promise((resolve) => setTimeout(resolve, 500));
            }
        })();
        project.editStack(STACK, (config) => { config["tcp-platform:traefik"].chart = { path: localChartDir(chartsDir, "41.3.0") }; });
        await upAndReport("chart 26 -> 41 with 2 Traefik pods");
        watching = false;
        await watch;
        assert.ok(available.length > 2 && Math.min(...available) >= 2, `available Traefik pods during the upgrade: ${available.join(" ")}`);
        assert.deepEqual(plane(), expected, "chart 41");
        await assertSettled();
        project.editStack(STACK, (config) => { config["tcp-platform:traefik"].chart = { path: localChartDir(chartsDir, "26.0.0") }; delete config["tcp-platform:traefik"].replicas; });
        await upAndReport("back to chart 26, one pod");
        assert.equal(kubectlJson(project.env, "get", "poddisruptionbudgets", "-n", "traefik").items.length, 0, "no budget for one pod");
    });

    it("changes the Service type in place, NodePorts kept", async () => {
        const before = await assertSettled();
        project.editStack(STACK, (config) => { config["tcp-platform:traefik"].serviceType = "LoadBalancer"; });
        await upAndReport("serviceType NodePort -> LoadBalancer");
        const balanced = await assertSettled();
        assert.deepEqual([balanced.type, balanced.uid, balanced.clusterIP], ["LoadBalancer", before.uid, before.clusterIP]);
        project.editStack(STACK, (config) => { delete config["tcp-platform:traefik"].serviceType; });
        await upAndReport("serviceType LoadBalancer -> NodePort");
        assert.equal((await assertSettled()).type, "NodePort");
    });

    // The release name's refusal is the same live check, refused by the unit tier (ownership.test.ts).
    it("refuses to move Traefik to another namespace at preview and at up, nothing changed; the revert changes nothing", async () => {
        const before = await assertSettled();
        project.editStack(STACK, (config) => { config["tcp-platform:traefik"].namespace = "ingress"; });
        const refused = /tcp-platform:traefik\.namespace: would move the running Traefik \(namespace traefik\).*Fix: keep namespace traefik; or move with an announced outage/;
        await assert.rejects(stack.preview(quiet), refused);
        await assert.rejects(stack.up(quiet), refused);
        assert.ok(!exists(project.env, "namespace", "ingress"), "nothing was created");
        project.editStack(STACK, (config) => { delete config["tcp-platform:traefik"].namespace; });
        assert.equal((await assertSettled()).uid, before.uid, "Traefik still runs, untouched");
    });

    it("refuses to switch the installer at preview; the procedure it names moves it", async () => {
        project.editStack(STACK, (config) => { config["tcp-platform:traefik"].installer = "release"; });
        await assert.rejects(stack.preview(quiet), /tcp-platform:traefik\.installer: would move the running Traefik \(installer chart\) to another installer/);
        // The procedure: an announced outage of the NodePorts, Traefik (and the routes that wait for it) removed, then up.
        const urn = `urn:pulumi:${STACK}::tcp-platform::tcp-platform:traefik:TraefikIngress::traefik`;
        await stack.destroy({ ...quiet, target: [urn], targetDependents: true });
        assert.ok(!exists(project.env, "service", "traefik", "-n", "traefik"));
        assert.ok(exists(project.env, "crd", "ingressroutetcps.traefik.io"), "the CRDs stay: routes of every stack are of their kinds");
        await upAndReport("installer chart -> release, after the procedure's targeted destroy");
        await assertSettled();
        assert.match(kubectl(project.env, "get", "secret", "-n", "traefik", "-l", "owner=helm", "-o", "name"), /sh\.helm\.release\.v1\.traefik\.v1/);
        // And back: refused the same way.
        project.editStack(STACK, (config) => { delete config["tcp-platform:traefik"].installer; });
        await assert.rejects(stack.preview(quiet), /tcp-platform:traefik\.installer: would move the running Traefik \(installer release\)/);
        project.editStack(STACK, (config) => { config["tcp-platform:traefik"].installer = "release"; });
    });

    it("renames an entryPoint, removes an app and adds it back, each in one up", async () => {
        project.editStack(STACK, (config) => { config["tcp-platform:apps"]["tcp-demo"].entryPoint.name = "echotcp"; });
        await upAndReport("entryPoint mytcp renamed echotcp");
        const { mytcp, ...others } = DEV_NODE_PORTS;
        await assertSettled({ ...others, echotcp: mytcp });
        assert.deepEqual(kubectlJson(project.env, "get", "ingressroutetcps.traefik.io", "tcp-echo-route", "-n", "backend").spec.entryPoints, ["echotcp"]);

        let redis: unknown;
        project.editStack(STACK, (config) => { redis = config["tcp-platform:apps"]["redis-demo"]; delete config["tcp-platform:apps"]["redis-demo"]; });
        await upAndReport("app redis-demo removed");
        await assertSettled({ mysql: others.mysql, echotcp: mytcp });
        assert.ok(!exists(project.env, "deployment", "redis-demo", "-n", "backend"));
        project.editStack(STACK, (config) => { config["tcp-platform:apps"]["redis-demo"] = redis; });
        await upAndReport("app redis-demo added back");
        await assertSettled({ ...others, echotcp: mytcp });
    });
});
