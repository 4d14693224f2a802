/**
 * One dev stack, deployed once on an empty cluster and shared by every test that only reads it or
 * puts back what it changed: what the up installed, Pod Security and the policy pack, the
 * runbook's commands, the drift check; then the changes that stay (replicas, a new app's
 * entryPoint), the secrets in the state, and the destroy. Each of these groups once ran an up and a
 * destroy of the same stack of its own (issue 24: share one up across the tests that read it).
 * Mocha runs the groups in this order; each leaves the stack as the last up left it.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { destroyAndClean, eventually, exists, kubectl, kubectlJson, ProjectCopy, projectDir, removeChartCrds, traefikServicePorts } from "../support/harness";
import { validDev } from "../support/helpers";

const STACK = "it-dev";
const quiet = { onOutput: () => undefined };
/** The drift check of .github/workflows/drift.yml and the README, word for word. */
const DRIFT_CHECK = ["refresh", "--preview-only", "--expect-no-changes", "--diff", "--non-interactive", "--stack", STACK];

/** The runbook's commands for tcp-demo (entryPoint mytcp, NodePort 30999) in the dev stack, as docs/operations.md prints them. */
const RUNBOOK = {
    servicePorts: `kubectl get service -n traefik traefik-ingress -o jsonpath='{range .spec.ports[*]}{.name}{" "}{.port}{" "}{.nodePort}{"\\n"}{end}'`,
    entryPointArgs: `kubectl get deployment -n traefik traefik-ingress -o jsonpath='{.spec.template.spec.containers[0].args}' | tr -d '[]"' | tr ',' '\\n' | grep -- '--entrypoints\\.'`,
    routes: "kubectl get ingressroutetcp.traefik.io -A",
    routeDetails: `kubectl get ingressroutetcp.traefik.io -A -o custom-columns='NAMESPACE:.metadata.namespace,NAME:.metadata.name,ENTRYPOINTS:.spec.entryPoints,MATCH:.spec.routes[*].match,SERVICE:.spec.routes[*].services[*].name,PORT:.spec.routes[*].services[*].port'`,
    endpoints: "kubectl get endpointslices -n backend -l kubernetes.io/service-name=tcp-echo-service -o custom-columns='NAME:.metadata.name,ADDRESSES:.endpoints[*].addresses,READY:.endpoints[*].conditions.ready,PORTS:.ports[*].port'",
    nc: "nc -zv <node> 30999",
    logs: `kubectl logs -n traefik deploy/traefik-ingress | grep '"entryPointName":"mytcp"'`,
    ports: "npm run ports -- --stack dev",
} as const;

describe("one dev stack, deployed once: what it installed, how it is run, and its changes", function () {
    this.timeout(30 * 60 * 1000);
    let project: ProjectCopy;
    let stack: Stack;
    /** Everything the first up printed, to look for warnings. */
    const output: string[] = [];
    const run = (command: string) => execFileSync("bash", ["-c", `set -o pipefail; ${command}`], { encoding: "utf8", cwd: projectDir, env: { ...process.env, ...project.env } });
    const driftCheck = () => {
        const check = spawnSync("pulumi", DRIFT_CHECK, { cwd: project.dir, encoding: "utf8", env: { ...process.env, ...project.env }, timeout: 300_000 });
        return { status: check.status, output: `${check.stdout}${check.stderr}` };
    };

    before(async () => {
        project = new ProjectCopy();
        stack = await project.stack(STACK, "dev");
        const first = await stack.up({ onOutput: (line) => output.push(line) });
        assert.equal(first.summary.result, "succeeded");
    });
    after(async () => {
        await destroyAndClean(stack, project.env);
        // The CRDs outlive the stack by design; the next test file starts from a cluster without them.
        removeChartCrds(project.env);
        project.remove();
    });

    describe("what the up installed", () => {
        it("installs Traefik (CRDs included), the namespaces and every app", () => {
            assert.ok(exists(project.env, "crd", "ingressroutetcps.traefik.io"), "the IngressRouteTCP CRD");
            assert.ok(exists(project.env, "namespace", "backend") && exists(project.env, "namespace", "traefik"));

            const ports = traefikServicePorts(project.env);
            assert.deepEqual([ports.mytcp, ports.redis, ports.mysql], [
                { port: 9999, nodePort: 30999 },
                { port: 6379, nodePort: 30379 },
                { port: 3306, nodePort: 30306 },
            ]);
            const service = kubectlJson(project.env, "get", "service", "-n", "traefik", "-l", "app.kubernetes.io/name=traefik");
            assert.equal(service.items[0].spec.type, "NodePort");

            const routes = kubectlJson<{ items: any[] }>(project.env, "get", "ingressroutetcps.traefik.io", "-n", "backend");
            const byName = Object.fromEntries(routes.items.map((r) => [r.metadata.name, r]));
            for (const [name, entryPoint, backend, port] of [["tcp-echo-route", "mytcp", "tcp-echo-service", 3333], ["redis-route", "redis", "redis-service", 6379], ["mysql-route", "mysql", "mysql-service", 3306]] as const) {
                assert.deepEqual(byName[name].spec.entryPoints, [entryPoint]);
                assert.deepEqual(byName[name].spec.routes, [{ match: "HostSNI(`*`)", services: [{ name: backend, port }] }]);
                assert.equal(byName[name].metadata.labels.environment, "development");
                assert.equal(byName[name].metadata.labels.project, "ic2");
            }

            const deployment = kubectlJson(project.env, "get", "deployment", "tcp-echo-demo", "-n", "backend");
            assert.deepEqual(deployment.metadata.labels, { app: "tcp-echo", environment: "development", project: "ic2", "tcp-platform/project": "tcp-platform", "tcp-platform/stack": "it-dev" });
            assert.deepEqual(deployment.spec.selector, { matchLabels: { app: "tcp-echo" } });
            assert.equal(deployment.spec.template.spec.containers[0].image, "iceymoss/tcp-echo:1.0");
            // The simulated nodes run the pods: the rollout finished, as Pulumi's await logic saw.
            assert.equal(deployment.status.readyReplicas, 1);
        });

        it("creates Traefik's Deployment only once the CRDs its provider watches are established", async () => {
            type StateResource = { urn: string; type: string; dependencies?: string[]; outputs?: { metadata?: { name?: string; namespace?: string } } };
            const resources = ((await stack.exportStack()).deployment.resources ?? []) as StateResource[];
            const crdUrns = new Map(resources.filter((r) => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").map((r) => [r.urn, r.outputs?.metadata?.name]));
            const traefik = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.outputs?.metadata?.namespace === "traefik");
            const after = (traefik?.dependencies ?? []).filter((urn) => crdUrns.has(urn)).map((urn) => crdUrns.get(urn)).sort();
            // The CRDs of the chart dev installs (its stack file names the version).
            const watched = validDev().traefik.profile.providerCrds;
            assert.deepEqual(after, [...watched].sort());
            // On the cluster: the Deployment was created after each of them was served.
            const created = Date.parse(kubectlJson(project.env, "get", "deployment", "-n", "traefik", "traefik-ingress").metadata.creationTimestamp);
            for (const name of watched) {
                const established = kubectlJson(project.env, "get", "crd", name).status.conditions.find((c: { type: string }) => c.type === "Established");
                assert.ok(Date.parse(established.lastTransitionTime) <= created, `${name} established at ${established.lastTransitionTime}, before the Deployment`);
            }
        });

        it("reports no changes on a second run", async () => {
            const preview = await stack.preview({ ...quiet, expectNoChanges: true });
            assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);
            const up = await stack.up(quiet);
            assert.deepEqual(Object.keys(up.summary.resourceChanges ?? {}), ["same"]);
        });
    });

    describe("pod security and policies", () => {
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
            assert.deepEqual(output.filter((l) => /PodSecurity|would violate/i.test(l)), []);
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

    describe("the runbook (docs/operations.md: When a TCP app does not answer)", () => {
        it("prints every command word for word in the runbook", () => {
            const runbook = fs.readFileSync(path.join(projectDir, "docs", "operations.md"), "utf8").split(/^## /m).find((section) => section.startsWith("When a TCP app does not answer"));
            assert.ok(runbook, "docs/operations.md has a section: When a TCP app does not answer");
            for (const [name, command] of Object.entries(RUNBOOK)) {
                assert.ok(runbook.includes(command), `the runbook lacks its ${name} command: ${command}`);
            }
        });

        it("shows a healthy app: its entryPoint on Traefik, its route, its endpoints, its row in the port table", () => {
            assert.match(run(RUNBOOK.servicePorts), /^mytcp 9999 30999$/m);
            assert.match(run(RUNBOOK.entryPointArgs), /^--entrypoints\.mytcp\.address=:9999\/tcp$/m);
            assert.match(run(RUNBOOK.routes), /^backend\s+tcp-echo-route\s+/m);
            assert.match(run(RUNBOOK.routeDetails), /^backend\s+tcp-echo-route\s+\[mytcp\]\s+HostSNI\(`\*`\)\s+tcp-echo-service\s+3333$/m);
            assert.match(run(RUNBOOK.endpoints), /^tcp-echo-service-\S+\s+\[10\.\S+\]\s+true\s+3333$/m);
            assert.match(run(RUNBOOK.ports), /^\| tcp-demo \| mytcp \| 9999 \| 9999 \| 30999 \| HostSNI\(`\*`\) \| tcp-echo-service:3333 \|$/m);
        });

        it("shows each cause of a refused connection with its command", async () => {
            // 1. The route names an entryPoint Traefik does not have: the route shows it, Traefik's ports and arguments lack it.
            kubectl(project.env, "patch", "ingressroutetcps.traefik.io", "tcp-echo-route", "-n", "backend", "--type", "merge", "-p", JSON.stringify({ spec: { entryPoints: ["mytcp2"] } }));
            assert.match(run(RUNBOOK.routeDetails), /^backend\s+tcp-echo-route\s+\[mytcp2\]/m);
            assert.doesNotMatch(run(RUNBOOK.servicePorts), /^mytcp2 /m);
            assert.doesNotMatch(run(RUNBOOK.entryPointArgs), /entrypoints\.mytcp2\./);
            // 2. The route does not match: plain TCP carries no host name, so only HostSNI(`*`) matches.
            kubectl(project.env, "patch", "ingressroutetcps.traefik.io", "tcp-echo-route", "-n", "backend", "--type", "merge", "-p",
                JSON.stringify({ spec: { entryPoints: ["mytcp"], routes: [{ match: "HostSNI(`echo.example.com`)", services: [{ name: "tcp-echo-service", port: 3333 }] }] } }));
            assert.match(run(RUNBOOK.routeDetails), /^backend\s+tcp-echo-route\s+\[mytcp\]\s+HostSNI\(`echo\.example\.com`\)/m);
            // 3. No endpoints: no ready pod behind the Service (a terminating one is listed, not ready).
            kubectl(project.env, "scale", "deployment", "tcp-echo-demo", "-n", "backend", "--replicas=0");
            await eventually(120, () => {
                const rows = run(RUNBOOK.endpoints).split("\n").filter((l) => l.startsWith("tcp-echo-service-"));
                return rows.length > 0 && rows.every((l) => /^\S+\s+(<none>\s+<none>|\S+\s+false(,false)*)\s+(3333|<none>)$/.test(l));
            }, "the Service to have no ready endpoint");
            // All three are drift: the drift check names them, and pulumi up --refresh puts them back.
            assert.equal((await stack.up({ refresh: true, onOutput: () => undefined })).summary.result, "succeeded");
            assert.match(run(RUNBOOK.routeDetails), /^backend\s+tcp-echo-route\s+\[mytcp\]\s+HostSNI\(`\*`\)/m);
            await eventually(60, () => /^tcp-echo-service-\S+\s+\[10\.\S+\]\s+true\s+3333$/m.test(run(RUNBOOK.endpoints)), "the endpoints to come back");
        });
    });

    describe("the drift check (refresh preview, as the scheduled workflow runs it)", () => {
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

        it("shows a route edited by hand as drift on refresh, and repairs it on up", async () => {
            kubectl(project.env, "patch", "ingressroutetcps.traefik.io", "tcp-echo-route", "-n", "backend", "--type", "merge", "-p", JSON.stringify({ spec: { entryPoints: ["web"] } }));
            const refresh = await stack.refresh(quiet);
            assert.equal(refresh.summary.resourceChanges?.update, 1, JSON.stringify(refresh.summary.resourceChanges));
            const preview = await stack.preview({ ...quiet, diff: true });
            assert.equal(preview.changeSummary.update, 1);
            await stack.up(quiet);
            assert.deepEqual(kubectlJson(project.env, "get", "ingressroutetcps.traefik.io", "tcp-echo-route", "-n", "backend").spec.entryPoints, ["mytcp"]);
        });
    });

    describe("changes that stay, and the destroy", () => {
        it("updates exactly the Deployment whose replicas changed", async () => {
            project.editStack(STACK, (config) => { config["tcp-platform:apps"]["tcp-demo"].replicas = 2; });
            const up = await stack.up(quiet);
            assert.equal(up.summary.resourceChanges?.update, 1, JSON.stringify(up.summary.resourceChanges));
            assert.deepEqual(Object.keys(up.summary.resourceChanges ?? {}).sort(), ["same", "update"]);
            assert.equal(kubectlJson(project.env, "get", "deployment", "tcp-echo-demo", "-n", "backend").spec.replicas, 2);
        });

        it("adds an app's entryPoint and NodePort to the Traefik release", async () => {
            project.editStack(STACK, (config) => {
                config["tcp-platform:apps"].db = { entryPoint: { name: "pg", port: 15432, nodePort: 30432 }, tls: { passthrough: true, certificate: { secretName: "db-tls" } } };
            });
            await stack.setConfig("tcp-platform:dbPassword", { value: "it-db-password", secret: true });
            const up = await stack.up(quiet);
            assert.equal(up.summary.result, "succeeded");
            assert.deepEqual(traefikServicePorts(project.env).pg, { port: 15432, nodePort: 30432 });
            assert.ok(exists(project.env, "ingressroutetcps.traefik.io", "db-route", "-n", "backend"));
        });

        it("keeps secrets encrypted in the state and out of the outputs", async () => {
            const state = JSON.stringify((await stack.exportStack()).deployment);
            assert.ok(!state.includes("it-db-password"), "the db password is not in the state in plain text");
            assert.ok(state.includes("4dabf18193072939515e22adb298388d"), "secret values are stored as encrypted secrets");
            const outputs = JSON.stringify(await stack.outputs());
            assert.ok(!outputs.includes("it-db-password"));
        });

        it("destroys everything it created but the databases' claims and the CRDs other stacks may use", async () => {
            const destroy = await stack.destroy(quiet);
            assert.equal(destroy.summary.result, "succeeded");
            await eventually(120, () => !exists(project.env, "namespace", "traefik"), "the traefik namespace to be deleted");
            assert.ok(exists(project.env, "crd", "ingressroutetcps.traefik.io"), "the traefik.io CRDs stay: other stacks' routes are of their kinds");
            assert.ok(!exists(project.env, "crd", "ingressroutetcps.traefik.containo.us"), "chart 26's old traefik.containo.us CRDs go");
            assert.equal((await stack.exportStack()).deployment.resources?.length ?? 0, 0);
            const left = kubectl(project.env, "get", "deployments,statefulsets,services,secrets,ingressroutetcps.traefik.io,persistentvolumeclaims", "-n", "backend", "-o", "name").trim().split("\n");
            assert.deepEqual(left, ["persistentvolumeclaim/data-db-0", "persistentvolumeclaim/data-mysql-demo-0"]);
            await destroyAndClean(stack, project.env);
        });
    });
});
