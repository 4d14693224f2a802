/**
 * Faults on the local control plane: a stack refused at preview creates nothing, and an update
 * whose API server is killed half-way converges. (Pod Security and the policy pack run on the
 * shared dev stack of devStack.test.ts; protection of stateful apps, with their claims, in
 * storage.test.ts.)
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { cacheDir } from "../../tools/charts";
import { destroyAndClean, eventually, exists, installCertManagerCrds, kubectl, kubectlJson, ProjectCopy, projectDir } from "../support/harness";

const quiet = { onOutput: () => undefined };

/** Kubernetes objects and components in a stack's state (the stack resource itself aside). */
async function stateResources(stack: Stack): Promise<{ urn: string; type: string }[]> {
    const resources = ((await stack.exportStack()).deployment.resources ?? []) as { urn: string; type: string }[];
    return resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"));
}

function pidOf(name: string): number {
    // The plane scripts/cluster.sh runs for this environment (TCP_PLATFORM_CLUSTER_STATE picks another).
    const state = process.env.TCP_PLATFORM_CLUSTER_STATE ?? path.join(cacheDir, "cluster");
    return Number(fs.readFileSync(path.join(state, "pids", `${name}.pid`), "utf8").trim());
}

function clusterUp(): void {
    execFileSync("bash", [path.join(projectDir, "scripts", "cluster.sh"), "up"], { stdio: "ignore" });
}

describe("faults on the local control plane", function () {
    this.timeout(20 * 60 * 1000);
    let project: ProjectCopy;

    before(() => { project = new ProjectCopy(); });
    after(() => project.remove());

    describe("faults", () => {
        it("refuses dev at preview on a cluster without cert-manager, and its up creates nothing (no half-applied stack)", async () => {
            const stack = await project.stack("it-no-cert-manager", "dev");
            kubectl(project.env, "delete", "crd", "certificates.cert-manager.io", "--wait=true");
            try {
                const refused = (err: Error) => {
                    assert.match(err.message, /tcp-platform:apps\.db\.tls\.certificate\.issuer: is a Certificate \(cert-manager\.io\/v1\), and this cluster does not have its CRD \(certificates\.cert-manager\.io\)/);
                    assert.match(err.message, /tcp-platform:apps\.cache\.tls\.certificate\.issuer: .* Fix: install cert-manager/);
                    return true;
                };
                await assert.rejects(stack.preview(quiet), refused);
                await assert.rejects(stack.up(quiet), refused);
                assert.deepEqual(await stateResources(stack), [], "the up registered nothing");
                assert.ok(!exists(project.env, "namespace", "backend") && !exists(project.env, "namespace", "traefik"), "nothing was created on the cluster");
            } finally {
                installCertManagerCrds(project.env);
                await stack.destroy(quiet);
            }
        });

        it("converges after the API server is killed in the middle of an update, nothing lost or duplicated", async () => {
            const stack = await project.stack("it-fault", "dev");
            const interrupted = stack.up(quiet).then(() => "finished", (err: Error) => `failed: ${err.message.slice(0, 200)}`);
            await eventually(180, () => exists(project.env, "namespace", "backend"), "the update to start creating objects");
            process.kill(pidOf("kube-apiserver"), "SIGKILL");
            await new Promise((resolve) => setTimeout(resolve, 3000));
            clusterUp();
            const outcome = await interrupted;
            // A create that was in flight when the server died is unknown to the state; refresh
            // clears it and adopts nothing twice (objects keep their fixed names).
            await stack.refresh({ ...quiet, clearPendingCreates: true });
            const up = await stack.up(quiet);
            assert.equal(up.summary.result, "succeeded", `after ${outcome}`);
            const again = await stack.preview({ ...quiet, expectNoChanges: true });
            assert.deepEqual(Object.keys(again.changeSummary), ["same"]);
            const names = (await stateResources(stack)).map((r) => r.urn);
            assert.equal(new Set(names).size, names.length, "no resource twice in the state");
            for (const [kind, name] of [["deployment", "tcp-echo-demo"], ["deployment", "redis-demo"], ["statefulset", "mysql-demo"], ["ingressroutetcps.traefik.io", "tcp-echo-route"], ["service", "tcp-echo-service"]]) {
                assert.ok(exists(project.env, kind, name, "-n", "backend"), `${kind}/${name}`);
            }
            assert.equal(kubectlJson(project.env, "get", "deployment", "-n", "backend").items.length, 4, "each Deployment once");
            await destroyAndClean(stack, project.env);
        });
    });
});
