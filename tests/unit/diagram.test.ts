/**
 * The picture of the routes (`npm run diagram`): for dev and prod, and both routing modes, every
 * app, every port of its path (Traefik's, the Service's, the NodePort) and every host appears, in
 * the DOT graph and in the SVG Graphviz draws from it; each app's path runs clients → NodePort →
 * entryPoint → route → Service → workload.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlatformPlan } from "../../lib/model";
import { routeDiagram, routeGraph, toMermaid } from "../../lib/plan/diagram";
import { portTable } from "../../lib/plan/portTable";
import { validate } from "../../lib/rules/validate";
import { projectDir, stackRaw } from "../support/helpers";
import { gatewayStack } from "./gateway.test";

const hasDot = (() => {
    try {
        execFileSync("dot", ["-V"], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
})();

/** What the picture must show of a plan: each app, its ports and its host. */
function expectedTexts(plan: PlatformPlan): string[] {
    const ports = portTable(plan).flatMap((r) => [`entryPoint ${r.entryPoint}`, `:${r.traefikPort}/`, `Service port ${r.exposedPort}/`, ...(r.nodePort === undefined ? [] : [`NodePort ${r.nodePort}`])]);
    const hosts = plan.apps.flatMap((a) => (a.kind !== "udp" && a.host ? [a.host] : []));
    return [...plan.apps.map((a) => a.id), ...plan.apps.map((a) => `Service ${a.names.service}`), ...plan.apps.map((a) => a.names.deployment), ...ports, ...hosts];
}

const cases: [string, () => PlatformPlan][] = [
    ["dev", () => validate(stackRaw("dev"))],
    ["prod", () => validate(stackRaw("prod"))],
    ["dev in gateway routing", () => validate(gatewayStack("dev"))],
    ["prod in gateway routing", () => validate(gatewayStack("prod"))],
];

describe("the routes' picture (npm run diagram)", () => {
    for (const [name, planOf] of cases) {
        it(`${name}: shows every app, port and host, each app's path from clients to its workload`, () => {
            const plan = planOf();
            const dot = routeDiagram(plan);
            const missing = expectedTexts(plan).filter((t) => !dot.includes(t));
            assert.deepEqual(missing, [], `missing from the DOT graph of ${name}`);
            // The same graph as Mermaid (the pull request's job summary): every text, and an edge for each of DOT's.
            const mermaid = toMermaid(routeGraph(plan));
            assert.deepEqual(expectedTexts(plan).filter((t) => !mermaid.includes(t)), [], `missing from the Mermaid flowchart of ${name}`);
            assert.equal(mermaid.split("\n").filter((l) => /^ {2}n\d+ -->/.test(l)).length, dot.split("\n").filter((l) => l.includes(" -> ")).length);
            for (const [i, row] of portTable(plan).entries()) {
                const app = plan.apps[i];
                const key = `${row.entryPoint}/${row.protocol ?? "TCP"}`;
                for (const [from, to] of [["clients", `node:${key}`], [`node:${key}`, `ep:${key}`], [`ep:${key}`, `route:${app.id}`],
                    [`route:${app.id}`, `service:${app.namespace}/${app.names.service}`], [`service:${app.namespace}/${app.names.service}`, `workload:${app.namespace}/${app.names.deployment}`]]) {
                    assert.ok(dot.includes(`"${from}" -> "${to}"`), `${name}: ${from} -> ${to}`);
                }
            }
            if (plan.traefik.routing === "gateway") {
                assert.match(dot, /Gateway traefik-ingress-gateway listener tcp-demo\\nTCPRoute tcp-echo-route/);
                assert.match(dot, /TLSRoute db-route\\nhostnames db\.(dev\.)?example\.com/);
            } else {
                assert.match(dot, /IngressRouteTCP db-route\\nHostSNI\(`db\.(dev\.)?example\.com`\)\\nTLS passthrough/);
            }
        });
    }

    it("draws dev and prod with Graphviz: the SVG shows every app, port and host (needs dot: apt-get install graphviz)", function () {
        if (!hasDot) {
            this.skip();
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diagram-"));
        try {
            for (const stack of ["dev", "prod"] as const) {
                execFileSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(projectDir, "tools", "diagram.ts"), "--stack", stack, "--out", path.join(dir, stack)], { cwd: projectDir, stdio: "pipe", timeout: 120_000 });
                // Graphviz writes each label line as a <text> element, XML-escaped.
                const svg = fs.readFileSync(path.join(dir, stack, "routes.svg"), "utf8").replace(/&#45;/g, "-").replace(/&gt;/g, ">").replace(/&#39;/g, "'");
                const missing = expectedTexts(validate(stackRaw(stack))).filter((t) => !svg.includes(t));
                assert.deepEqual(missing, [], `missing from ${stack}'s SVG`);
                assert.ok(fs.statSync(path.join(dir, stack, "routes.png")).size > 10_000, `${stack}'s PNG`);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
