/**
 * Chart 26's line on the real API server: Traefik v2.10 cannot be built here (the Go proxy refuses
 * its module), so what proves the v2-era objects is that the API server, with chart 26's own CRDs,
 * keeps every field the program sends (a structural schema prunes what it does not know), and that
 * the release renders the Deployment and Service the values ask for.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import * as path from "path";
import { rawConfigFromStackFile } from "../../lib/config/load";
import { PlannedApp } from "../../lib/model";
import { validate } from "../../lib/rules/validate";
import { deleteCrdsSince, traefikCrds } from "../e2e/release";
import { destroyAndClean, kubectl, kubectlJson, ProjectCopy, traefikServicePorts } from "../support/harness";

const quiet = { onOutput: () => undefined };

/** dev on chart 26.0.0 with every TCP feature; no replicas (the simulated nodes would run nothing). */
function featuresOn26(config: Record<string, any>): void {
    config["tcp-platform:traefik"].installer = "release";
    config["tcp-platform:traefik"].gracePeriod = { graceTimeOut: "30s" };
    const apps = config["tcp-platform:apps"];
    Object.assign(apps["tcp-demo"], { ipAllowList: ["10.0.0.0/8"], maxConnections: 50, proxyProtocol: { version: 1 }, canary: { newTag: "1.1", weight: 10 } });
    apps["tcp-demo"].entryPoint.proxyProtocol = { trustedIPs: ["10.1.0.0/16"] };
    apps.cache = { host: "*.cache.example.com", alpn: ["redis"], tls: { secretName: "cache-tls", options: { minVersion: "1.2", clientAuth: { secretNames: ["cache-ca"] } } } };
    apps["dns-demo"] = { entryPoint: { name: "dns", port: 9999, nodePort: 30999 } };
    for (const app of Object.values<Record<string, unknown>>(apps)) {
        app.replicas = 0;
    }
    apps["tcp-demo"].canary.replicas = 0;
}

describe("chart 26's line: the API server keeps every field of the v2-era objects", function () {
    this.timeout(15 * 60 * 1000);
    let project: ProjectCopy;
    let stack: Stack;
    let crdsBefore: Set<string>;
    let apps: PlannedApp[];

    before(async () => {
        project = new ProjectCopy();
        crdsBefore = new Set(traefikCrds(project.env));
        stack = await project.stack("features26", "dev", featuresOn26);
        apps = validate(rawConfigFromStackFile(path.join(project.dir, "Pulumi.features26.yaml"), project.dir)).apps;
        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
    });

    after(async () => {
        try {
            await destroyAndClean(stack, project.env);
            deleteCrdsSince(project.env, crdsBefore);
        } finally {
            project.remove();
        }
    });

    it("stores the MiddlewareTCPs (ipWhiteList, inFlightConn), the TLSOption and the routes as sent", () => {
        const sent = apps.flatMap((app) => (app.kind === "http" ? [] : [...app.traefikObjects, ...(app.route ? [app.route] : [])]));
        // One route per app of dev (whatever dev runs), and the feature objects this stack adds.
        const tcpRoutes = apps.filter((app) => app.kind === "tcp").map(() => "IngressRouteTCP");
        assert.deepEqual(sent.map((o) => o.kind).sort(), [...tcpRoutes, "IngressRouteUDP", "MiddlewareTCP", "MiddlewareTCP", "TLSOption"]);
        for (const object of sent) {
            const stored = kubectlJson(project.env, "get", `${object.kind.toLowerCase()}s.traefik.io`, object.name, "-n", "backend");
            assert.deepEqual(stored.spec, object.spec, `${object.kind}/${object.name}`);
        }
        const route = kubectlJson(project.env, "get", "ingressroutetcps.traefik.io", "tcp-echo-route", "-n", "backend").spec.routes[0];
        assert.deepEqual(route.services, [
            { name: "tcp-echo-service", port: 3333, weight: 90, proxyProtocol: { version: 1 } },
            { name: "tcp-echo-canary-service", port: 3333, weight: 10, proxyProtocol: { version: 1 } },
        ]);
        assert.equal(kubectlJson(project.env, "get", "ingressroutetcps.traefik.io", "cache-route", "-n", "backend").spec.routes[0].match,
            "HostSNIRegexp(`{subdomain:[^.]+}.cache.example.com`) && ALPN(`redis`)");
    });

    it("renders Traefik v2.10 with the shutdown flags, the pod's grace, PROXY on the entryPoint and a UDP port beside a TCP one", () => {
        const deployment = kubectlJson(project.env, "get", "deployment", "-n", "traefik", "-l", "app.kubernetes.io/name=traefik").items[0];
        const pod = deployment.spec.template.spec;
        assert.match(pod.containers[0].image, /:v2\.10\.\d+$/);
        assert.equal(pod.terminationGracePeriodSeconds, 40);
        const args: string[] = pod.containers[0].args;
        for (const flag of ["--entryPoints.web.transport.lifeCycle.graceTimeOut=30s", "--entryPoints.mytcp.transport.lifeCycle.requestAcceptGraceTimeout=0s",
            "--entrypoints.mytcp.proxyProtocol.trustedIPs=10.1.0.0/16", "--entrypoints.dns.address=:9999/udp"]) {
            assert.ok(args.includes(flag), `${flag} in ${args.join(" ")}`);
        }
        const service = kubectlJson(project.env, "get", "service", "-n", "traefik", "-l", "app.kubernetes.io/name=traefik").items[0];
        const ports = service.spec.ports.map((p: any) => `${p.name} ${p.port}/${p.protocol} ${p.nodePort}`);
        assert.ok(ports.includes("mytcp 9999/TCP 30999") && ports.includes("dns 9999/UDP 30999"), ports.join(", "));
    });

    it("installs chart 26 through helm.v3.Release: one release of the stack's release name, the apps' NodePorts", () => {
        assert.match(kubectl(project.env, "get", "secret", "-n", "traefik", "-l", "owner=helm", "-o", "name"), /^secret\/sh\.helm\.release\.v1\.traefik-ingress\.v1$/m);
        const ports = traefikServicePorts(project.env);
        assert.deepEqual([ports.mytcp.nodePort, ports.redis.nodePort, ports.mysql.nodePort], [30999, 30379, 30306]);
    });

    it("uninstalls the release on destroy, and Helm keeps the chart's CRDs (the after removes them)", async () => {
        await destroyAndClean(stack, project.env);
        assert.ok(traefikCrds(project.env).includes("ingressroutetcps.traefik.io"), "Helm keeps the chart's CRDs on uninstall");
    });
});
