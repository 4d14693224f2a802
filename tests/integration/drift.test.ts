/**
 * Drift, checked as the scheduled workflow and the README run it: a refresh preview that fails
 * when the cluster differs from the stack's state and shows what differs. It passes after an up,
 * fails after a `kubectl edit` and a deleted object, and passes again after `pulumi up --refresh`.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { destroyAndClean, kubectl, kubectlJson, ProjectCopy, removeChartCrds } from "../support/harness";

const STACK = "it-drift-check";
/** The drift check of .github/workflows/drift.yml and the README, word for word. */
const DRIFT_CHECK = ["refresh", "--preview-only", "--expect-no-changes", "--diff", "--non-interactive", "--stack", STACK];

describe("drift check (refresh preview, as the scheduled workflow runs it)", function () {
    this.timeout(15 * 60 * 1000);
    let project: ProjectCopy;
    let stack: Stack;

    const driftCheck = () => {
        const run = spawnSync("pulumi", DRIFT_CHECK, { cwd: project.dir, encoding: "utf8", env: { ...process.env, ...project.env }, timeout: 300_000 });
        return { status: run.status, output: `${run.stdout}${run.stderr}` };
    };

    before(async () => {
        project = new ProjectCopy();
        stack = await project.stack(STACK, "dev");
        const up = await stack.up({ onOutput: () => undefined });
        assert.equal(up.summary.result, "succeeded");
    });
    after(async () => {
        await destroyAndClean(stack, project.env);
        // The CRDs outlive the stack by design; the next test file starts from a cluster without them.
        removeChartCrds(project.env);
        project.remove();
    });

    it("passes on a cluster as the last up left it", () => {
        const check = driftCheck();
        assert.equal(check.status, 0, check.output);
        assert.match(check.output, /\n\s+\d+ unchanged\n/);
    });

    it("fails on a hand edit and a deleted object, saying what differs; passes after pulumi up --refresh", async () => {
        // kubectl edit, with an editor that changes the replicas as a person would.
        const edited = spawnSync("kubectl", ["edit", "deployment", "tcp-echo-demo", "-n", "backend"], {
            encoding: "utf8", env: { ...process.env, ...project.env, KUBE_EDITOR: "sed -i -e 's/^  replicas: 1$/  replicas: 3/'" },
        });
        assert.equal(edited.status, 0, edited.stderr);
        assert.equal(kubectlJson(project.env, "get", "deployment", "tcp-echo-demo", "-n", "backend").spec.replicas, 3);
        kubectl(project.env, "delete", "service", "redis-service", "-n", "backend");

        const drifted = driftCheck();
        console.log(`      drift check after kubectl edit and delete (exit ${drifted.status}):\n${drifted.output.split("\n").filter((l) => /^\s+[-~+] kubernetes|replicas|to update|to delete|changes\.|error:/.test(l)).map((l) => `        ${l.trim()}`).join("\n")}`);
        assert.notEqual(drifted.status, 0);
        assert.match(drifted.output, /~ kubernetes:apps\/v1:Deployment: \(update\)[\s\S]*\[id=backend\/tcp-echo-demo\][\s\S]*replicas: 1 => 3/);
        assert.match(drifted.output, /- kubernetes:core\/v1:Service: \(delete\)[\s\S]*\[id=backend\/redis-service\]/);
        assert.match(drifted.output, /error: no changes were expected for refresh but changes were proposed/);
        // A preview changes nothing: the cluster and the state are as they were.
        assert.equal(kubectlJson(project.env, "get", "deployment", "tcp-echo-demo", "-n", "backend").spec.replicas, 3);

        const repair = await stack.up({ refresh: true, onOutput: () => undefined });
        assert.equal(repair.summary.result, "succeeded");
        assert.equal(kubectlJson(project.env, "get", "deployment", "tcp-echo-demo", "-n", "backend").spec.replicas, 1);
        assert.ok(kubectl(project.env, "get", "service", "redis-service", "-n", "backend", "-o", "name").includes("redis-service"));
        const clean = driftCheck();
        console.log(`      drift check after pulumi up --refresh (exit ${clean.status}): ${clean.output.split("\n").filter((l) => /unchanged/.test(l)).map((l) => l.trim()).join(" ")}`);
        assert.equal(clean.status, 0, clean.output);
    });
});
