/**
 * Issue 7, "bytes flow": the real Traefik (scripts/traefik.sh builds v3.7.11, the appVersion of
 * chart 41.3.0) routes TCP exactly as the program configured it. `pulumi up` deploys a dev-derived
 * stack; Traefik runs locally with the arguments of the Deployment the release produced and
 * watches the local API server; real servers in network namespaces stand behind the Services as
 * their EndpointSlices. No replicas run (the simulated pods would otherwise be endpoints of their
 * own): every byte that comes back came from one of these servers. The TLS pair (db, cache) are
 * the rendered containers themselves: the StatefulSet's and the Deployment's arguments, environment
 * and volumes, from the images scripts/images.sh builds (tests/e2e/container.ts).
 *
 * Needs root (network namespaces), iproute2, openssl, redis-server, mariadb-server, the toolchain
 * (scripts/toolchain.sh), the images (scripts/images.sh) and the local control plane.
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
import { echo, Exchange, heldExchange, redisPing, tcpExchange, tlsExchange } from "./clients";
import { registerEndpoint } from "./endpoints";
import { AppId, BACKENDS, entryPointOf as entryPointOfStack, FiveApps, fiveAppsStack, nonce, SNI_HOSTS } from "./fiveApps";
import { BYTES_FLOW, deleteLeftovers } from "./netns";
import { eventuallyAsync } from "./processes";
import { builtBinary, namespaceExists, tearDown, traefikCrds } from "./release";
import { clusterAccess, ClusterAccess, LocalTraefik, readDeployedTraefik, startLocalTraefik } from "./traefik";

const STACK = "e2e";
const quiet = { onOutput: () => undefined };

describe("bytes flow: a real Traefik routes TCP exactly as the program configured it", function () {
    this.timeout(20 * 60 * 1000);
    let project: ProjectCopy | undefined;
    let stack: Stack | undefined;
    let work: string;
    let binary: string;
    let apps: FiveApps;
    let access: ClusterAccess;
    let traefik: LocalTraefik | undefined;
    let failed = false;
    /** Traefik CRDs in the cluster before the release installed its own: left alone at the end. */
    let crdsBefore = new Set<string>();

    async function startTraefikFromRelease(): Promise<LocalTraefik> {
        traefik = await startLocalTraefik(binary, project!.env, access, work);
        return traefik;
    }

    const entryPointOf = (app: AppId) => entryPointOfStack(project!.dir, STACK, app);

    before(async function () {
        // Includes a first build of Traefik (about 10 min on 2 cores) when the cache has none.
        this.timeout(45 * 60 * 1000);
        failed = true; // until the setup completes: `after` then keeps the logs
        deleteLeftovers();
        binary = builtBinary("traefik.sh");
        work = fs.mkdtempSync(path.join(os.tmpdir(), "tcp-platform-e2e-"));
        apps = new FiveApps(BYTES_FLOW, work);

        project = new ProjectCopy();
        for (const namespace of ["backend", "traefik"]) {
            assert.ok(!namespaceExists(project.env, namespace), `namespace ${namespace} exists: another stack uses this cluster; destroy it first`);
        }
        crdsBefore = new Set(traefikCrds(project.env));
        stack = await project.stack(STACK, "dev", fiveAppsStack);
        await stack.setConfig("tcp-platform:dbPassword", { value: "e2e-db-password", secret: true });
        const mysqlRootPassword = (await stack.getConfig("tcp-platform:mysqlRootPassword")).value;

        await apps.startServers(mysqlRootPassword);
        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        await apps.startRenderedAndRegister(project.env);

        const deployed = readDeployedTraefik(project.env);
        access = clusterAccess(project.env, deployed, work);
        const local = await startTraefikFromRelease();
        await apps.waitForRoutes((app) => local.port(entryPointOf(app)), mysqlRootPassword);
        failed = false;
    });

    afterEach(function () {
        failed ||= this.currentTest?.state === "failed";
    });

    after(async function () {
        this.timeout(10 * 60 * 1000);
        await tearDown({ traefik, stack, project, crdsBefore, work, failed, processes: apps?.processes() ?? [], netnses: apps?.netnses ?? [] });
    });

    it("runs Traefik with the entryPoints the Helm release produced, from the chart's appVersion", () => {
        const deployed = readDeployedTraefik(project!.env);
        const addresses = Object.fromEntries(deployed.args.flatMap((a) => {
            const m = /^--entryPoints\.([^.]+)\.address=(.*)$/.exec(a);
            return m ? [[m[1], m[2]]] : [];
        }));
        // The program's entryPoints (Pulumi.dev.yaml) next to the chart's own.
        assert.deepEqual(addresses, {
            metrics: ":9100/tcp", traefik: ":8080/tcp", web: ":8000/tcp", websecure: ":8443/tcp",
            mytcp: ":9999/tcp", redis: ":6379/tcp", mysql: ":3306/tcp",
        });
        assert.deepEqual(Object.keys(traefik!.config.entryPoints).sort(), Object.keys(addresses).sort());
        const image = kubectlJson(project!.env, "get", "deployment", deployed.deployment, "-n", deployed.namespace).spec.template.spec.containers[0].image as string;
        const version = execFileSync(binary, ["version"], { encoding: "utf8" });
        assert.match(image, /:v3\.7\.11$/);
        assert.match(version, /^Version:\s+3\.7\.11$/m);
    });

    it("routes mytcp to the echo server, through its namespace address", () => apps.checkEcho(traefik!.port(entryPointOf("tcp-demo"))));

    it("routes redis to redis-server: PING -> +PONG", () => apps.checkRedis(traefik!.port(entryPointOf("redis-demo"))));

    it("routes mysql to MariaDB: its protocol greeting, and a login with the stack's root password", async () => {
        await apps.checkMysql(traefik!.port(entryPointOf("mysql-demo")), (await stack!.getConfig("tcp-platform:mysqlRootPassword")).value);
    });

    it("routes two SNI hosts on websecure to db and cache, whose own servers present their certificates", async () => {
        const routes = kubectlJson<{ items: any[] }>(project!.env, "get", "ingressroutetcps.traefik.io", "-n", "backend");
        const port = traefik!.port("websecure");
        for (const app of ["db", "cache"] as const) {
            const route = routes.items.find((r) => r.metadata.name === objectNames(projectCatalog()[app]).route);
            assert.deepEqual(route.spec.entryPoints, ["websecure"]);
            assert.equal(route.spec.routes[0].match, `HostSNI(\`${SNI_HOSTS[app]}\`)`);
            assert.deepEqual(route.spec.tls, { passthrough: true });
        }
        await apps.checkSniPair(port);
    });

    it("keeps idle connections open for 90 s, plain TCP and SNI passthrough", async function () {
        // Users of the 2.11 line report cuts after 60 s (traefik/traefik#10619, #10592): a chart or
        // Traefik upgrade that brings them back fails here instead of in database pools.
        this.timeout(3 * 60 * 1000);
        const idleMs = 90_000;
        const [plain, passthrough] = await Promise.all([
            heldExchange(traefik!.port(entryPointOf("tcp-demo")), "held\n", "held\n", idleMs),
            heldExchange(traefik!.port("websecure"), "PING\r\n", "+PONG\r\n", idleMs, { servername: SNI_HOSTS.cache, caFile: apps.ca }),
        ]);
        assert.deepEqual(plain, { first: "held\n", second: "held\n", end: "done" });
        assert.deepEqual(passthrough, { first: "+PONG\r\n", second: "+PONG\r\n", end: "done" });
    });

    it("ignores a route in a namespace that is not its stack's", async () => {
        // Another team's route, in a namespace this stack's Traefik does not watch, pointing at the
        // echo server: if Traefik served it, other.example.com would reach the echo.
        kubectl(project!.env, "create", "namespace", "foreign-e2e");
        try {
            kubectl(project!.env, "create", "service", "clusterip", "foreign-service", "-n", "foreign-e2e", "--tcp=3333:3333");
            registerEndpoint(project!.env, { namespace: "foreign-e2e", service: "foreign-service", portName: "3333-3333" }, apps.backends["tcp-demo"].netns.address, 3333);
            execFileSync("kubectl", ["apply", "-f", "-"], {
                input: JSON.stringify({
                    apiVersion: "traefik.io/v1alpha1", kind: "IngressRouteTCP", metadata: { name: "foreign-route", namespace: "foreign-e2e" },
                    spec: { entryPoints: ["websecure"], routes: [{ match: "HostSNI(`foreign.example.com`)", services: [{ name: "foreign-service", port: 3333 }] }], tls: { passthrough: true } },
                }),
                env: { ...process.env, ...project!.env }, stdio: ["pipe", "pipe", "pipe"],
            });
            // Traefik takes a route in within a second or two of its informers seeing it (throttle 2 s).
            await new Promise((resolve) => setTimeout(resolve, 5000));
            let foreign: Awaited<ReturnType<typeof tlsExchange>> | undefined;
            await apps.expectConnections({}, async () => { foreign = await tlsExchange(traefik!.port("websecure"), "foreign.example.com", apps.ca, "GET / HTTP/1.1\r\nHost: foreign.example.com\r\nConnection: close\r\n\r\n", 12); });
            assert.equal(foreign!.subjectCN, "TRAEFIK DEFAULT CERT", "Traefik answered itself: no route of the foreign namespace");
            assert.match(foreign!.data.toString(), /^HTTP\/1\.1 404/);
        } finally {
            kubectl(project!.env, "delete", "namespace", "foreign-e2e", "--wait=false");
        }
    });

    it("talks to nothing but the API server on 127.0.0.1 and the backends' namespace addresses", () => {
        const allowed = new Set(["127.0.0.1", ...BACKENDS.map(({ app }) => apps.backends[app].netns.address)]);
        const peers = traefik!.peers();
        assert.ok(peers.includes("127.0.0.1"), `Traefik watches the API server: ${peers.join(" ")}`);
        assert.deepEqual(peers.filter((p) => !allowed.has(p)), []);
    });

    it("moves tcp-demo's traffic to the new entryPoint after pulumi up, and off the old port", async () => {
        const oldPort = traefik!.port("mytcp");
        project!.editStack(STACK, (config) => {
            config["tcp-platform:apps"]["tcp-demo"].entryPoint = { name: "movedtcp", port: 9998, nodePort: 30998 };
        });
        const up = await stack!.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        const route = kubectlJson(project!.env, "get", "ingressroutetcps.traefik.io", objectNames(projectCatalog()["tcp-demo"]).route, "-n", "backend");
        assert.deepEqual(route.spec.entryPoints, ["movedtcp"]);

        await traefik!.stop();
        const deployed = readDeployedTraefik(project!.env);
        assert.ok(deployed.args.includes("--entryPoints.movedtcp.address=:9998/tcp"), deployed.args.join(" "));
        assert.ok(!deployed.args.some((a) => a.startsWith("--entryPoints.mytcp.")), deployed.args.join(" "));
        const moved = await startTraefikFromRelease();
        const newPort = moved.port("movedtcp");
        assert.ok(!Object.values(moved.config.entryPoints).some((e) => e.port === oldPort), "the old port is no entryPoint of the new Traefik");

        await eventuallyAsync(60, "tcp-demo's route on movedtcp", async () => ((await echo(newPort, "ready\n")).data.toString() === "ready\n" ? true : undefined));
        const payload = nonce("moved");
        let reply: Exchange | undefined;
        await apps.expectConnections({ "tcp-demo": 1 }, async () => { reply = await echo(newPort, payload); });
        assert.equal(reply!.data.toString(), payload);

        let old: Exchange | undefined;
        await apps.expectConnections({}, async () => { old = await tcpExchange(oldPort, nonce("old"), () => true); });
        assert.equal(old!.data.length, 0, `the old port still answered: ${old!.data.toString()}`);
        assert.equal(old!.end, "ECONNREFUSED");

        // The other routes are unchanged by the move.
        assert.equal((await redisPing(moved.port("redis"))).data.toString(), "+PONG\r\n");
    });
});
