import { strict as assert } from "assert";
import { localChartDir } from "../../tools/charts";
import { chartsDir, destroyAndClean, exists, kubectl, kubectlJson, ProjectCopy, removeChartCrds, traefikServicePorts } from "../support/harness";

const quiet = { onOutput: () => undefined };

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

    // Chart 26 through the Chart is dev itself (devStack.test.ts); through helm.v3.Release, tcpFeatures.test.ts.
    describe("chart 41, through both installers", () => {
        const version = "41.3.0";
        for (const installer of ["chart", "release"] as const) {
            it(`installs chart ${version} through ${installer === "chart" ? "helm.v4.Chart" : "helm.v3.Release"} with the generated values`, async () => {
                const name = `it-${version.replace(/\./g, "-")}-${installer}`;
                const stack = await project.stack(name, "dev", (config) => {
                    config["tcp-platform:traefik"].chart = { path: localChartDir(chartsDir, version) };
                    config["tcp-platform:traefik"].installer = installer;
                });
                try {
                    const up = await stack.up(quiet);
                    assert.equal(up.summary.result, "succeeded");
                    const ports = traefikServicePorts(project.env);
                    assert.equal(ports.mytcp.nodePort, 30999);
                    assert.equal(ports.redis.nodePort, 30379);
                    const traefik = kubectlJson(project.env, "get", "deployment", "-n", "traefik", "-l", "app.kubernetes.io/name=traefik");
                    const image: string = traefik.items[0].spec.template.spec.containers[0].image;
                    assert.match(image, /:v3\.7\./);
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
