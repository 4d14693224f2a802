import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { localChartDir } from "../../tools/charts";
import { chartsDir, destroyAndClean, eventually, exists, kubectl, kubectlJson, ProjectCopy, removeChartCrds } from "../support/harness";

const quiet = { onOutput: () => undefined };

/** The Traefik Service's ports by name, from what the API server holds. */
function traefikServicePorts(project: ProjectCopy, namespace = "traefik"): Record<string, { port: number; nodePort?: number }> {
    const services = kubectlJson<{ items: any[] }>(project.env, "get", "service", "-n", namespace, "-l", "app.kubernetes.io/name=traefik");
    assert.equal(services.items.length, 1, "one Traefik Service");
    return Object.fromEntries(services.items[0].spec.ports.map((p: any) => [p.name, { port: p.port, nodePort: p.nodePort }]));
}

describe("the real engine on the local control plane", function () {
    this.timeout(15 * 60 * 1000);
    let project: ProjectCopy;

    before(() => { project = new ProjectCopy(); });
    after(() => project.remove());

    it("previews the dev and prod stacks", async () => {
        for (const name of ["dev", "prod"] as const) {
            const stack = await project.stack(name, name);
            const preview = await stack.preview(quiet);
            assert.ok((preview.changeSummary.create ?? 0) > 10, `${name}: ${JSON.stringify(preview.changeSummary)}`);
        }
    });

    describe("dev stack lifecycle", () => {
        let stack: Stack;
        before(async () => { stack = await project.stack("it-dev", "dev"); });

        it("installs Traefik (CRDs included), the namespaces and every app", async () => {
            const up = await stack.up(quiet);
            assert.equal(up.summary.result, "succeeded");
            assert.ok(exists(project.env, "crd", "ingressroutetcps.traefik.io"), "the IngressRouteTCP CRD");
            assert.ok(exists(project.env, "namespace", "backend") && exists(project.env, "namespace", "traefik"));

            const ports = traefikServicePorts(project);
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

        it("reports no changes on a second run", async () => {
            const preview = await stack.preview({ ...quiet, expectNoChanges: true });
            assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);
            const up = await stack.up(quiet);
            assert.deepEqual(Object.keys(up.summary.resourceChanges ?? {}), ["same"]);
        });

        it("updates exactly the Deployment whose replicas changed", async () => {
            project.editStack("it-dev", (config) => { config["tcp-platform:apps"]["tcp-demo"].replicas = 2; });
            const up = await stack.up(quiet);
            assert.equal(up.summary.resourceChanges?.update, 1, JSON.stringify(up.summary.resourceChanges));
            assert.deepEqual(Object.keys(up.summary.resourceChanges ?? {}).sort(), ["same", "update"]);
            assert.equal(kubectlJson(project.env, "get", "deployment", "tcp-echo-demo", "-n", "backend").spec.replicas, 2);
        });

        it("adds an app's entryPoint and NodePort to the Traefik release", async () => {
            project.editStack("it-dev", (config) => {
                config["tcp-platform:apps"].db = { entryPoint: { name: "pg", port: 15432, nodePort: 30432 }, tls: { passthrough: true, certificate: { secretName: "db-tls" } } };
            });
            await stack.setConfig("tcp-platform:dbPassword", { value: "it-db-password", secret: true });
            const up = await stack.up(quiet);
            assert.equal(up.summary.result, "succeeded");
            assert.deepEqual(traefikServicePorts(project).pg, { port: 15432, nodePort: 30432 });
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

    describe("both chart versions, through both installers", () => {
        for (const [version, installer] of [["41.3.0", "chart"], ["26.0.0", "release"], ["41.3.0", "release"]] as const) {
            it(`installs chart ${version} through ${installer === "chart" ? "helm.v4.Chart" : "helm.v3.Release"} with the generated values`, async () => {
                const name = `it-${version.replace(/\./g, "-")}-${installer}`;
                const stack = await project.stack(name, "dev", (config) => {
                    config["tcp-platform:traefik"].chart = { path: localChartDir(chartsDir, version) };
                    config["tcp-platform:traefik"].installer = installer;
                });
                try {
                    const up = await stack.up(quiet);
                    assert.equal(up.summary.result, "succeeded");
                    const ports = traefikServicePorts(project);
                    assert.equal(ports.mytcp.nodePort, 30999);
                    assert.equal(ports.redis.nodePort, 30379);
                    const traefik = kubectlJson(project.env, "get", "deployment", "-n", "traefik", "-l", "app.kubernetes.io/name=traefik");
                    const image: string = traefik.items[0].spec.template.spec.containers[0].image;
                    assert.match(image, version === "26.0.0" ? /:v2\.10\./ : /:v3\.7\./);
                    if (installer === "release") {
                        assert.match(kubectl(project.env, "get", "secret", "-n", "traefik", "-l", "owner=helm", "-o", "name"), /sh\.helm\.release\.v1\.traefik-ingress\.v1/);
                    }
                } finally {
                    await destroyAndClean(stack, project.env);
                }
                if (installer === "release") {
                    assert.ok(exists(project.env, "crd", "ingressroutetcps.traefik.io"), "Helm keeps the chart's CRDs on uninstall");
                    removeChartCrds(project.env);
                }
            });
        }
    });

    describe("a bad configuration", () => {
        it("refuses a bad config at preview with the validation message, creating nothing", async () => {
            const stack = await project.stack("it-bad", "dev", (config) => { config["tcp-platform:apps"]["tcp-demo"].entryPoint.nodePort = 40000; });
            await assert.rejects(stack.preview(quiet), (err: Error) => {
                assert.match(err.message, /tcp-platform:apps\.tcp-demo\.entryPoint\.nodePort: is outside the NodePort range 30000-32767 \(got 40000\)\. Fix: choose a free port in 30000-32767/);
                return true;
            });
            await assert.rejects(stack.up(quiet), /is outside the NodePort range/);
            const registered = ((await stack.exportStack()).deployment.resources ?? []).filter((r: { type: string }) => r.type !== "pulumi:pulumi:Stack");
            assert.deepEqual(registered, [], "no resource in the state");
            assert.ok(!exists(project.env, "namespace", "backend"), "nothing in the cluster");
        });
    });
});
