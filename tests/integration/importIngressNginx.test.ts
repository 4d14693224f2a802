/**
 * Migrating from ingress-nginx (docs/operations.md): an ingress-nginx-style setup on the local
 * control plane — its tcp-services / udp-services ConfigMaps, the Deployments and Services behind
 * them, the controller's NodePort Service — imported with `npm run import -- ingress-nginx
 * --services cluster`, and adopted with one `pulumi up` (tcp-platform:adopt): the backing objects
 * updated in place (same UID), Traefik's Service on the same ports and NodePorts. Before the
 * controller's Service is gone, the preview refuses the NodePorts it holds, with nothing changed.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { localChartDir } from "../../tools/charts";
import { chartsDir, destroyAndClean, kubectl, kubectlApply, kubectlJson, ProjectCopy, projectDir, removeChartCrds } from "../support/harness";
import { NGINX_NODE_PORTS, nginxBackends, nginxConfigMaps, nginxController } from "../support/ingressNginx";

const STACK = "migrated";

/** UIDs of the apps' Deployments and Services, by kind and name. */
function backingUids(env: Record<string, string>): Record<string, string> {
    const list = kubectlJson<{ items: any[] }>(env, "get", "deployments,services", "-n", "demo");
    return Object.fromEntries(list.items.map((o) => [`${o.kind} ${o.metadata.name}`, o.metadata.uid]));
}

describe("importing ingress-nginx's TCP/UDP services from the cluster, and adopting them with one up", function () {
    this.timeout(20 * 60 * 1000);
    let project: ProjectCopy;

    before(() => {
        project = new ProjectCopy();
    });
    after(() => project.remove());

    it("imports every entry as an app on its port and NodePort, and one up takes the objects over in place", async () => {
        const env = project.env;
        kubectlApply(env, ...nginxController(), ...nginxBackends(), ...nginxConfigMaps());
        const configMaps = path.join(project.dir, "ingress-nginx-services.yaml");
        fs.writeFileSync(configMaps, nginxConfigMaps().map((o) => YAML.stringify(o)).join("---\n"));
        const printed = execFileSync("npx", ["ts-node", "--transpile-only", "tools/import.ts", "ingress-nginx", configMaps, "--services", "cluster",
            "--trusted-ips", "10.0.0.0/8", "--stack", STACK, "--out", project.dir], { cwd: projectDir, encoding: "utf8", env: { ...process.env, ...env } });
        assert.match(printed, /wrote .*catalog\/example-go\.yaml\n/);
        const stackText = fs.readFileSync(path.join(project.dir, `Pulumi.${STACK}.yaml`), "utf8");
        assert.match(stackText, /the live cluster \(kubectl context /, "the stack file says where the objects were read");
        // Offline: the chart from ../shared/charts, as every integration stack takes it.
        project.editStack(STACK, (config) => {
            config["tcp-platform:traefik"].chart = { path: localChartDir(chartsDir, config["tcp-platform:traefik"].chart.version) };
        });
        const stack = await project.stackIn(project.dir, STACK);
        try {
            await stack.setConfig("tcp-platform:adopt", { value: "true" });
            // ingress-nginx still runs: its Service holds the NodePorts, and the preview says so.
            await assert.rejects(stack.preview({ onOutput: () => undefined }), (err: Error) => {
                assert.match(err.message, /tcp-platform:apps\.example-go\.entryPoint\.nodePort: is already taken on this cluster by Service ingress-nginx\/ingress-nginx-controller/);
                return true;
            });
            // The cutover (docs: stop ingress-nginx): its Service goes, the NodePorts are free.
            kubectl(env, "delete", "service", "ingress-nginx-controller", "-n", "ingress-nginx");
            const before = backingUids(env);
            assert.equal(Object.keys(before).length, 8);
            const preview = await stack.preview({ diff: true, onOutput: () => undefined });
            assert.deepEqual(Object.keys(preview.changeSummary).filter((op) => op !== "create" && op !== "same"), [], JSON.stringify(preview.changeSummary));
            const up = await stack.up({ onOutput: () => undefined });
            assert.equal(up.summary.result, "succeeded");
            assert.deepEqual(backingUids(env), before, "every Deployment and Service is the same object: updated in place");
            console.log(`      updated in place (same UID): ${Object.keys(before).sort().join(", ")}`);

            const traefik = kubectlJson(env, "get", "service", "traefik", "-n", "traefik");
            const ports = Object.fromEntries(traefik.spec.ports.map((p: any) => [p.name, [p.port, p.nodePort, p.protocol]]));
            console.log(`      Traefik's Service (port, NodePort, protocol): ${JSON.stringify(ports)}`);
            assert.deepEqual({ "example-go": ports["example-go"], pg: ports.pg, relay: ports.relay, dns: ports.dns }, {
                "example-go": [9000, NGINX_NODE_PORTS["9000-tcp"], "TCP"], pg: [5432, NGINX_NODE_PORTS["5432-tcp"], "TCP"],
                relay: [7000, NGINX_NODE_PORTS["7000-tcp"], "TCP"], dns: [53, NGINX_NODE_PORTS["53-udp"], "UDP"],
            });
            const pg = kubectlJson(env, "get", "ingressroutetcps.traefik.io", "pg-route", "-n", "demo");
            assert.deepEqual(pg.spec.routes[0].services, [{ name: "pg", port: 5432, proxyProtocol: { version: 1 } }]);
            assert.equal(kubectlJson(env, "get", "ingressrouteudps.traefik.io", "dns-route", "-n", "demo").spec.routes[0].services[0].name, "dns");
            const args: string[] = kubectlJson(env, "get", "deployment", "traefik", "-n", "traefik").spec.template.spec.containers[0].args;
            assert.ok(args.includes("--entrypoints.relay.proxyProtocol.trustedIPs=10.0.0.0/8"), args.join(" "));
            const goDeployment = kubectlJson(env, "get", "deployment", "example-go", "-n", "demo");
            assert.deepEqual(goDeployment.spec.template.spec.containers[0].resources, { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } });
            assert.equal(goDeployment.metadata.labels["tcp-platform/stack"], STACK);

            await stack.removeConfig("tcp-platform:adopt");
            const again = await stack.up({ onOutput: () => undefined });
            assert.deepEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"], JSON.stringify(again.summary.resourceChanges));
        } finally {
            await destroyAndClean(stack, env, ["demo", "traefik"]);
            kubectl(env, "delete", "namespace", "ingress-nginx", "--ignore-not-found", "--wait=false");
            // The CRDs outlive the stack by design; the next test file starts from a cluster without them.
            removeChartCrds(env);
        }
    });
});
