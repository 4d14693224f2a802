/**
 * Stack operations as the README runs them, against a deployed prod: a new stack from an existing
 * one (`pulumi stack init staging --copy-config-from dev` plus edits) validates and previews;
 * promoting an image tag from dev to prod is a config change whose preview changes one object;
 * and that preview runs as the preview identity of ops/preview-identity.yaml (a ServiceAccount
 * token kubeconfig, what the pull-request and drift workflows get), with server-side dry-run,
 * while the identity cannot change the cluster or read a Secret.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { rawConfigFromStackFile } from "../../lib/config/load";
import { portTable } from "../../lib/plan/portTable";
import { validate } from "../../lib/rules/validate";
import { destroyAndClean, eventually, kubectl, kubectlJson, ProjectCopy, projectDir, removeChartCrds } from "../support/harness";

const MANIFEST = path.join(projectDir, "ops", "preview-identity.yaml");
const IDENTITY = "system:serviceaccount:tcp-platform-preview:preview";
const POLICY_DENIAL = /ValidatingAdmissionPolicy 'tcp-platform-preview-dry-run-only' with binding 'tcp-platform-preview-dry-run-only' denied request: the preview identity may only dry-run/;

/** A kubeconfig for the preview ServiceAccount: the cluster of `env`, a token from the TokenRequest API. */
function previewKubeconfig(env: Record<string, string>, file: string): void {
    const admin = kubectlJson(env, "config", "view", "--raw", "--minify");
    const token = kubectl(env, "create", "token", "preview", "-n", "tcp-platform-preview", "--duration", "1h").trim();
    fs.writeFileSync(file, JSON.stringify({
        apiVersion: "v1", kind: "Config", clusters: admin.clusters,
        users: [{ name: "preview", user: { token } }],
        contexts: [{ name: "preview", context: { cluster: admin.clusters[0].name, user: "preview" } }],
        "current-context": "preview",
    }), { mode: 0o600 });
}

describe("stack operations, and previews that cannot hurt production", function () {
    this.timeout(15 * 60 * 1000);
    let project: ProjectCopy;
    let prod: Stack;
    let kubeconfig: string;
    const run = (identity: "admin" | "preview", command: string, ...args: string[]) => {
        const result = spawnSync(command, args, {
            cwd: project.dir, encoding: "utf8", timeout: 600_000,
            env: { ...process.env, ...project.env, ...(identity === "preview" ? { KUBECONFIG: kubeconfig } : {}) },
        });
        return { status: result.status, output: `${result.stdout}${result.stderr}` };
    };
    const asPreview = (command: string, ...args: string[]) => run("preview", command, ...args);
    const pulumi = (...args: string[]) => {
        const result = run("admin", "pulumi", ...args);
        assert.equal(result.status, 0, `pulumi ${args.join(" ")}: ${result.output}`);
        return result.output;
    };

    before(async () => {
        project = new ProjectCopy();
        kubeconfig = path.join(project.dir, "preview.kubeconfig");
        kubectl(project.env, "apply", "-f", MANIFEST);
        previewKubeconfig(project.env, kubeconfig);
        // The API server loads a new admission policy within seconds; until then a real write goes through.
        await eventually(60, () => {
            const probe = asPreview("kubectl", "create", "configmap", "policy-probe", "-n", "tcp-platform-preview");
            if (probe.status === 0) {
                kubectl(project.env, "delete", "configmap", "policy-probe", "-n", "tcp-platform-preview");
                return false;
            }
            return POLICY_DENIAL.test(probe.output);
        }, "the dry-run-only admission policy to be in force");
        prod = await project.stack("prod", "prod", (config) => { config["tcp-platform:protectStateful"] = false; });
        const up = await prod.up({ onOutput: () => undefined });
        assert.equal(up.summary.result, "succeeded");
    });

    after(async () => {
        await destroyAndClean(prod, project.env);
        // The CRDs outlive the stack by design; the next test file starts from a cluster without them.
        removeChartCrds(project.env);
        kubectl(project.env, "delete", "-f", MANIFEST, "--ignore-not-found");
        project.remove();
    });

    it("makes a staging stack from dev's config, which validates and previews beside prod", async () => {
        await project.stack("dev", "dev");
        pulumi("stack", "init", "staging", "--copy-config-from", "dev", "--secrets-provider", "passphrase", "--non-interactive");
        // What differs: its own namespaces and NodePorts, two replicas of tcp-demo (README: Operations).
        pulumi("config", "set", "namespaceSuffix", "--stack", "staging", "--", "-staging");
        for (const [app, nodePort] of [["tcp-demo", 32199], ["redis-demo", 32179], ["mysql-demo", 32106]] as const) {
            pulumi("config", "set", "--path", `apps.${app}.entryPoint.nodePort`, String(nodePort), "--stack", "staging");
        }
        pulumi("config", "set", "--path", "apps.tcp-demo.replicas", "2", "--stack", "staging");
        assert.equal(pulumi("config", "get", "dbPassword", "--stack", "staging").trim(), pulumi("config", "get", "dbPassword", "--stack", "dev").trim(), "secrets copied, re-encrypted for staging");
        const plan = validate(rawConfigFromStackFile(path.join(project.dir, "Pulumi.staging.yaml"), project.dir));
        assert.deepEqual(plan.namespaces, ["backend-staging"]);
        assert.deepEqual(portTable(plan).filter((r) => r.nodePort !== undefined).map((r) => `${r.app} ${r.nodePort}`).sort(), ["mysql-demo 32106", "redis-demo 32179", "tcp-demo 32199"]);
        const preview = pulumi("preview", "--stack", "staging", "--non-interactive");
        assert.match(preview, /\+ \d+ to create/);
        assert.doesNotMatch(preview, /error:/);
    });

    it("promotes an image tag from dev to prod as a config change: one object changes, previewed by the preview identity", () => {
        // dev runs the new tag first (Dev before prod); prod takes the tag dev runs.
        pulumi("config", "set", "--path", "images[0].newTag", "v1.1.0", "--stack", "dev");
        const tag = pulumi("config", "get", "--path", "images[0].newTag", "--stack", "dev").trim();
        assert.equal(tag, "v1.1.0");
        pulumi("config", "set", "--path", "images[0].newTag", tag, "--stack", "prod");
        try {
            const same = asPreview("pulumi", "preview", "--stack", "staging", "--non-interactive");
            assert.equal(same.status, 0, `the preview identity previews another stack too: ${same.output}`);
            const promoted = asPreview("pulumi", "preview", "--stack", "prod", "--diff", "--non-interactive");
            assert.equal(promoted.status, 0, promoted.output);
            assert.match(promoted.output, /~ 1 to update/);
            assert.doesNotMatch(promoted.output, /to (create|delete|replace)/);
            assert.match(promoted.output, /~ kubernetes:apps\/v1:Deployment: \(update\)[\s\S]*\[id=backend\/tcp-echo-demo\][\s\S]*image\s*: "registry\.company\.com\/stable\/tcp-echo:v1\.0\.0" => "registry\.company\.com\/stable\/tcp-echo:v1\.1\.0"/);
            // The same change as a server-side dry-run by this identity: allowed, nothing written.
            const dryRun = asPreview("kubectl", "set", "image", "deployment/tcp-echo-demo", "-n", "backend", "proxy=registry.company.com/stable/tcp-echo:v1.1.0", "--dry-run=server");
            assert.equal(dryRun.status, 0, dryRun.output);
            // An up with this identity: every write refused, nothing changed.
            const up = asPreview("pulumi", "up", "--stack", "prod", "--yes", "--non-interactive");
            assert.notEqual(up.status, 0);
            assert.match(up.output, POLICY_DENIAL);
            assert.equal(kubectlJson(project.env, "get", "deployment", "tcp-echo-demo", "-n", "backend").spec.template.spec.containers[0].image, "registry.company.com/stable/tcp-echo:v1.0.0");
        } finally {
            // (The refused up recorded the inputs it tried; the next up by the deploy identity applies them.)
            pulumi("config", "set", "--path", "images[0].newTag", "v1.0.0", "--stack", "prod");
        }
    });

    it("cannot change the cluster or read a Secret", () => {
        const denied = (args: string[], pattern: RegExp) => {
            const run = asPreview("kubectl", ...args);
            assert.notEqual(run.status, 0, `${args.join(" ")}: ${run.output}`);
            assert.match(run.output, pattern, args.join(" "));
        };
        const forbidden = (verb: string, resource: string) => new RegExp(`User "${IDENTITY}" cannot ${verb} resource "${resource}"`);
        denied(["get", "secret", "db-credentials", "-n", "backend"], forbidden("get", "secrets"));
        denied(["get", "secrets", "-A"], forbidden("list", "secrets"));
        denied(["create", "secret", "generic", "probe", "-n", "backend", "--from-literal=a=b", "--dry-run=server"], forbidden("create", "secrets"));
        denied(["patch", "deployment", "tcp-echo-demo", "-n", "backend", "-p", '{"spec":{"replicas":4}}'], POLICY_DENIAL);
        denied(["scale", "deployment", "tcp-echo-demo", "-n", "backend", "--replicas=0"], forbidden("patch", "deployments/scale"));
        denied(["delete", "deployment", "tcp-echo-demo", "-n", "backend"], forbidden("delete", "deployments"));
        denied(["delete", "namespace", "backend", "--dry-run=server"], forbidden("delete", "namespaces"));
        denied(["create", "configmap", "probe", "-n", "backend"], POLICY_DENIAL);
        denied(["exec", "-n", "traefik", "deploy/traefik-ingress", "--", "true"], forbidden("create", "pods/exec"));
        assert.equal(asPreview("kubectl", "auth", "can-i", "get", "secrets", "-n", "backend").output.trim(), "no");
        assert.equal(asPreview("kubectl", "auth", "can-i", "list", "deployments", "-A").output.trim(), "yes");
        assert.equal(kubectlJson(project.env, "get", "deployment", "tcp-echo-demo", "-n", "backend").spec.replicas, 3);
    });
});
