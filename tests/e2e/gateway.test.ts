/**
 * Issue 18, gateway routing end to end: the bytes-flow stack (tests/e2e/fiveApps.ts) in
 * `traefik.routing: gateway`, so that the five TCP apps are a Gateway's listeners and TCPRoutes /
 * TLSRoutes instead of IngressRouteTCPs. After one `pulumi up`, the real Traefik v3.7.11 runs with
 * the arguments the Helm release rendered (the kubernetesGateway provider on the experimental
 * channel among them) and the chart's ServiceAccount token (its ClusterRole in this mode); the same
 * exchanges as bytesFlow.test.ts go through it, and the Gateway's and the routes' status, as
 * Traefik writes it, say every listener and route is accepted and programmed.
 *
 * Needs what bytesFlow.test.ts needs (root, iproute2, openssl, redis-server, mariadb-server, the
 * toolchain, the images, the local control plane). Namespaces gwe2e-*, on 10.205.x.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectCatalog } from "../../lib/config/catalogFiles";
import { objectNames } from "../../lib/plan/names";
import { kubectl, kubectlJson, ProjectCopy } from "../support/harness";
import { AppId, BACKENDS, entryPointOf as entryPointOfStack, FiveApps, fiveAppsStack } from "./fiveApps";
import { deleteLeftovers, NetnsSpace } from "./netns";
import { eventuallyAsync } from "./processes";
import { builtBinary, namespaceExists, tearDown, traefikCrds } from "./release";
import { clusterAccess, LocalEntryPoint, LocalTraefik, readDeployedTraefik, startLocalTraefik } from "./traefik";

const STACK = "gwe2e";
const SPACE: NetnsSpace = { prefix: "gwe2e-", base: "10.205" };
const GROUP = "gateway.networking.k8s.io";
const CONTROLLER = "traefik.io/gateway-controller";
const quiet = { onOutput: () => undefined };

interface Condition { type: string; status: string; reason: string; observedGeneration?: number }

/** `type=status/reason` of each condition, sorted; those written for an older generation are marked. */
function summary(conditions: Condition[] | undefined, generation: number): string[] {
    return (conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}${c.observedGeneration === generation ? "" : ` (generation ${c.observedGeneration})`}`).sort();
}

describe("gateway routing: the real Traefik routes the Gateway's TCP and TLS routes as the program configured them", function () {
    this.timeout(20 * 60 * 1000);
    let project: ProjectCopy | undefined;
    let stack: Stack | undefined;
    let work: string | undefined;
    let apps: FiveApps | undefined;
    let traefik: LocalTraefik | undefined;
    let failed = false;
    let crdsBefore = new Set<string>();
    let mysqlRootPassword: string;
    let binary: string;
    const entryPointOf = (app: AppId) => entryPointOfStack(project!.dir, STACK, app);
    const routeKind = (app: AppId) => (app === "db" || app === "cache" ? "TLSRoute" : "TCPRoute");

    before(async function () {
        this.timeout(45 * 60 * 1000);
        failed = true; // until the setup completes: `after` then keeps the logs
        deleteLeftovers(SPACE);
        binary = builtBinary("traefik.sh");
        work = fs.mkdtempSync(path.join(os.tmpdir(), "tcp-platform-gwe2e-"));
        apps = new FiveApps(SPACE, work);

        project = new ProjectCopy();
        for (const namespace of ["backend", "traefik"]) {
            assert.ok(!namespaceExists(project.env, namespace), `namespace ${namespace} exists: another stack uses this cluster; destroy it first`);
        }
        crdsBefore = new Set(traefikCrds(project.env));
        stack = await project.stack(STACK, "dev", (config) => {
            fiveAppsStack(config);
            config["tcp-platform:traefik"].routing = "gateway";
        });
        await stack.setConfig("tcp-platform:dbPassword", { value: "e2e-db-password", secret: true });
        mysqlRootPassword = (await stack.getConfig("tcp-platform:mysqlRootPassword")).value;

        await apps.startServers(mysqlRootPassword);
        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        await apps.startRenderedAndRegister(project.env);

        const access = clusterAccess(project.env, readDeployedTraefik(project.env), work);
        traefik = await startLocalTraefik(binary, project.env, access, work);
        // Traefik binds a listener to the entryPoint on the listener's port: each must have kept the
        // port the release gave it (localTraefikConfig moves it only when the port is taken here).
        for (const { app } of BACKENDS) {
            const entryPoint: LocalEntryPoint = traefik.config.entryPoints[entryPointOf(app)];
            assert.equal(`:${entryPoint.port}/tcp`, entryPoint.deployed, `${entryPoint.name}'s port is taken on this host: no listener could bind to it`);
        }
        await apps.waitForRoutes((app) => traefik!.port(entryPointOf(app)), mysqlRootPassword);
        failed = false;
    });

    afterEach(function () {
        failed ||= this.currentTest?.state === "failed";
    });

    after(async function () {
        this.timeout(10 * 60 * 1000);
        await tearDown({ traefik, stack, project, crdsBefore, work, failed, processes: apps?.processes() ?? [], netnses: apps?.netnses ?? [] });
    });

    it("runs Traefik v3.7.11 with the Gateway provider on the experimental channel, and no IngressRouteTCP exists", () => {
        const args = readDeployedTraefik(project!.env).args;
        assert.ok(args.includes("--providers.kubernetesgateway"), args.join(" "));
        assert.ok(args.includes("--providers.kubernetesgateway.experimentalchannel=true"), args.join(" "));
        // Keeps the provider's deny-unknown-host TLS router off the plain-TCP entryPoints (README, Routing modes).
        assert.deepEqual(args.filter((a) => /\.asDefault=/i.test(a)), ["--entryPoints.websecure.asDefault=true"]);
        assert.match(execFileSync(binary, ["version"], { encoding: "utf8" }), /^Version:\s+3\.7\.11$/m);
        assert.equal(kubectl(project!.env, "get", "ingressroutetcps.traefik.io", "-A", "-o", "name").trim(), "");
    });

    it("routes mytcp's listener to the echo server (TCPRoute)", () => apps!.checkEcho(traefik!.port(entryPointOf("tcp-demo"))));

    it("routes redis's listener to redis-server: PING -> +PONG (TCPRoute)", () => apps!.checkRedis(traefik!.port(entryPointOf("redis-demo"))));

    it("routes mysql's listener to MariaDB: greeting, login with the stack's password, a wrong one refused (TCPRoute)",
        () => apps!.checkMysql(traefik!.port(entryPointOf("mysql-demo")), mysqlRootPassword));

    it("routes db.example.com and cache.example.com on websecure to their own servers, TLS passthrough (TLSRoutes), and closes another host",
        () => apps!.checkSniPair(traefik!.port("websecure"), "closed"));

    it("reports the Gateway, each listener and each route Accepted and Programmed, written by Traefik", async () => {
        const env = project!.env;
        const readStatus = (): string[] => {
            const gateways = kubectlJson<{ items: any[] }>(env, "get", `gateways.${GROUP}`, "-n", "traefik").items;
            assert.equal(gateways.length, 1);
            const gateway = gateways[0];
            const generation: number = gateway.metadata.generation;
            const lines = [`Gateway ${gateway.metadata.name}: ${summary(gateway.status?.conditions, generation).join(" ")}`];
            const want = { gateway: ["Accepted=True/Accepted", "Programmed=True/Programmed"], listener: ["Accepted=True/Accepted", "Programmed=True/Programmed", "ResolvedRefs=True/ResolvedRefs"] };
            let ready = JSON.stringify(summary(gateway.status?.conditions, generation)) === JSON.stringify(want.gateway);
            const listeners = new Map<string, any>((gateway.status?.listeners ?? []).map((l: any) => [l.name, l]));
            for (const { app } of BACKENDS) {
                const listener = listeners.get(app);
                const conditions = summary(listener?.conditions, generation);
                lines.push(`  listener ${app}: ${conditions.join(" ")} attachedRoutes=${listener?.attachedRoutes}`);
                ready &&= JSON.stringify(conditions) === JSON.stringify(want.listener) && listener.attachedRoutes === 1
                    && JSON.stringify(listener.supportedKinds.map((k: any) => k.kind)) === JSON.stringify([routeKind(app)]);
            }
            for (const { app } of BACKENDS) {
                const spec = projectCatalog()[app];
                const route = kubectlJson(env, "get", `${routeKind(app).toLowerCase()}s.${GROUP}`, objectNames(spec).route, "-n", spec.namespace);
                const parents: any[] = route.status?.parents ?? [];
                const conditions = parents.map((p) => summary(p.conditions, route.metadata.generation));
                lines.push(`  ${routeKind(app)} ${route.metadata.name}: ${parents.map((p, i) => `${p.controllerName} ${p.parentRef.name}/${p.parentRef.sectionName}: ${conditions[i].join(" ")}`).join("; ")}`);
                ready &&= parents.length === 1 && parents[0].controllerName === CONTROLLER && parents[0].parentRef.name === gateway.metadata.name
                    && parents[0].parentRef.sectionName === app && JSON.stringify(conditions[0]) === JSON.stringify(["Accepted=True/Accepted", "ResolvedRefs=True/ResolvedRefs"]);
            }
            if (!ready) {
                throw new Error(`not yet:\n${lines.join("\n")}`);
            }
            return lines;
        };
        // Traefik writes the status after its first configuration load; kubectl throws meanwhile too.
        const seen = await eventuallyAsync(60, "the Gateway's and the routes' status", () => Promise.resolve(readStatus()));
        console.log(`      status written by Traefik:\n${seen.map((l) => `        ${l}`).join("\n")}`);
    });
});
