import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { cacheDir } from "../../tools/charts";
import { destroyAndClean, eventually, exists, installCertManagerCrds, kubectl, kubectlJson, ProjectCopy, projectDir } from "../support/harness";

/** Collects everything the engine prints, to look for warnings. */
function recorder(): { lines: string[]; onOutput: (line: string) => void } {
    const lines: string[] = [];
    return { lines, onOutput: (line: string) => lines.push(line) };
}

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

describe("security and faults on the local control plane", function () {
    this.timeout(20 * 60 * 1000);
    let project: ProjectCopy;

    before(() => { project = new ProjectCopy(); });
    after(() => project.remove());

    describe("pod security and policies", () => {
        let stack: Stack;
        let output: ReturnType<typeof recorder>;
        before(async () => {
            stack = await project.stack("it-secure", "dev");
            output = recorder();
            await stack.up({ onOutput: output.onOutput });
        });
        after(async () => { await destroyAndClean(stack, project.env); });

        it("runs every workload under Pod Security `restricted` with no warning from the API server", () => {
            for (const namespace of ["backend", "traefik"]) {
                const labels = kubectlJson(project.env, "get", "namespace", namespace).metadata.labels;
                assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted", namespace);
                assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted", namespace);
                assert.equal(labels["pod-security.kubernetes.io/audit"], "restricted", namespace);
            }
            // Enforced: a violating pod would never be created, and no workload would be ready.
            const deployments = kubectlJson<{ items: any[] }>(project.env, "get", "deployments,statefulsets", "-A").items;
            assert.deepEqual(deployments.map((d) => `${d.kind}/${d.metadata.name}`).sort(), [
                "Deployment/cache", "Deployment/hello-api", "Deployment/redis-demo", "Deployment/tcp-echo-demo", "Deployment/traefik-ingress",
                "StatefulSet/db", "StatefulSet/mysql-demo",
            ]);
            for (const d of deployments) {
                assert.equal(d.status.readyReplicas, d.spec.replicas, `${d.metadata.namespace}/${d.metadata.name}`);
            }
            assert.deepEqual(output.lines.filter((l) => /PodSecurity|would violate/i.test(l)), []);
            // Ask the API server again, as a client applying the live Deployments would.
            for (const d of deployments) {
                const warnings = execFileSync("bash", ["-c", `kubectl get ${d.kind} ${d.metadata.name} -n ${d.metadata.namespace} -o json | kubectl apply --server-side --force-conflicts --field-manager=psa-check --dry-run=server -f - 2>&1 >/dev/null`], { encoding: "utf8", env: { ...process.env, ...project.env } });
                assert.equal(warnings.trim(), "", `${d.metadata.name}: ${warnings}`);
            }
        });

        it("exposes neither the dashboard nor the traefik port on the Service", () => {
            const service = kubectlJson(project.env, "get", "service", "-n", "traefik", "-l", "app.kubernetes.io/name=traefik").items[0];
            const names: string[] = service.spec.ports.map((p: { name: string }) => p.name);
            assert.ok(!names.includes("traefik"), names.join(","));
            assert.ok(!exists(project.env, "ingressroute", "-n", "traefik", "traefik-dashboard"));
            const args: string[] = kubectlJson(project.env, "get", "deployment", "traefik-ingress", "-n", "traefik").spec.template.spec.containers[0].args;
            assert.ok(args.includes("--accesslog=true") && args.includes("--accesslog.format=json"), args.join(" "));
        });

        it("lets the policy pack pass the dev stack and fail a placeholder tagged latest, with the rule's message", async () => {
            const policyPack = path.join(project.dir, "policy");
            const ok = await stack.preview({ ...quiet, policyPacks: [policyPack] });
            assert.ok(ok.changeSummary.same);
            // Beside it-secure on the same cluster: namespaces and NodePorts of its own.
            const bad = await project.stack("it-policy", "dev", (config) => {
                config["tcp-platform:images"][0].newTag = "latest";
                config["tcp-platform:namespaceSuffix"] = "-policy";
                for (const app of Object.values<any>(config["tcp-platform:apps"])) {
                    if (app.entryPoint?.nodePort) {
                        app.entryPoint.nodePort += 1000;
                    }
                }
            });
            await assert.rejects(bad.preview({ ...quiet, policyPacks: [policyPack] }), (err: Error) => {
                assert.match(err.message, /images-are-pinned/);
                assert.match(err.message, /container "proxy" of tcp-echo-demo runs "iceymoss\/tcp-echo:latest": pin a version instead of latest/);
                return true;
            });
        });
    });

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

        it("shows a route edited by hand as drift on refresh, and repairs it on up", async () => {
            const stack = await project.stack("it-drift", "dev");
            try {
                await stack.up(quiet);
                kubectl(project.env, "patch", "ingressroutetcps.traefik.io", "tcp-echo-route", "-n", "backend", "--type", "merge", "-p", JSON.stringify({ spec: { entryPoints: ["web"] } }));
                const refresh = await stack.refresh(quiet);
                assert.equal(refresh.summary.resourceChanges?.update, 1, JSON.stringify(refresh.summary.resourceChanges));
                const preview = await stack.preview({ ...quiet, diff: true });
                assert.equal(preview.changeSummary.update, 1);
                await stack.up(quiet);
                assert.deepEqual(kubectlJson(project.env, "get", "ingressroutetcps.traefik.io", "tcp-echo-route", "-n", "backend").spec.entryPoints, ["mytcp"]);
            } finally {
                await destroyAndClean(stack, project.env);
            }
        });

        it("refuses to destroy protected stateful apps until they are unprotected", async () => {
            const stack = await project.stack("it-protect", "dev", (config) => { config["tcp-platform:protectStateful"] = true; });
            await stack.up(quiet);
            await assert.rejects(stack.destroy(quiet), /protected/);
            assert.ok(exists(project.env, "statefulset", "mysql-demo", "-n", "backend"), "mysql-demo survives the refused destroy");
            project.editStack("it-protect", (config) => { config["tcp-platform:protectStateful"] = false; });
            await stack.up(quiet);
            await destroyAndClean(stack, project.env);
        });
    });
});
