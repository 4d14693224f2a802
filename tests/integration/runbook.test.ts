/**
 * The runbook (docs/operations.md: When a TCP app does not answer), run against the local cluster so its
 * commands stay true: each command is in the runbook word for word, and each shows its cause when
 * that cause is made to happen. `nc -zv` and Traefik's logs need a node that runs pods and
 * kube-proxy: the simulated nodes here do neither (the cluster tier reaches NodePorts with nc).
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { destroyAndClean, eventually, kubectl, ProjectCopy, projectDir, removeChartCrds } from "../support/harness";

/** The runbook's commands for tcp-demo (entryPoint mytcp, NodePort 30999) in the dev stack, as docs/operations.md prints them. */
export const RUNBOOK = {
    servicePorts: `kubectl get service -n traefik traefik-ingress -o jsonpath='{range .spec.ports[*]}{.name}{" "}{.port}{" "}{.nodePort}{"\\n"}{end}'`,
    entryPointArgs: `kubectl get deployment -n traefik traefik-ingress -o jsonpath='{.spec.template.spec.containers[0].args}' | tr -d '[]"' | tr ',' '\\n' | grep -- '--entrypoints\\.'`,
    routes: "kubectl get ingressroutetcp.traefik.io -A",
    routeDetails: `kubectl get ingressroutetcp.traefik.io -A -o custom-columns='NAMESPACE:.metadata.namespace,NAME:.metadata.name,ENTRYPOINTS:.spec.entryPoints,MATCH:.spec.routes[*].match,SERVICE:.spec.routes[*].services[*].name,PORT:.spec.routes[*].services[*].port'`,
    endpoints: "kubectl get endpointslices -n backend -l kubernetes.io/service-name=tcp-echo-service -o custom-columns='NAME:.metadata.name,ADDRESSES:.endpoints[*].addresses,READY:.endpoints[*].conditions.ready,PORTS:.ports[*].port'",
    nc: "nc -zv <node> 30999",
    logs: `kubectl logs -n traefik deploy/traefik-ingress | grep '"entryPointName":"mytcp"'`,
    ports: "npm run ports -- --stack dev",
} as const;

describe("the runbook, on the local cluster", function () {
    this.timeout(10 * 60 * 1000);
    let project: ProjectCopy;
    let stack: Stack;
    const run = (command: string) => execFileSync("bash", ["-c", `set -o pipefail; ${command}`], { encoding: "utf8", cwd: projectDir, env: { ...process.env, ...project.env } });

    before(async () => {
        project = new ProjectCopy();
        stack = await project.stack("it-runbook", "dev");
        assert.equal((await stack.up({ onOutput: () => undefined })).summary.result, "succeeded");
    });
    after(async () => {
        await destroyAndClean(stack, project.env);
        // The CRDs outlive the stack by design; the next test file starts from a cluster without them.
        removeChartCrds(project.env);
        project.remove();
    });

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
