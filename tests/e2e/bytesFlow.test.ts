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
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { catalog, objectNames } from "../../lib/catalog";
import { localChartDir } from "../../scripts/charts";
import { chartsDir, kubectlJson, ProjectCopy } from "../integration/harness";
import { Backend, connectionsOf, makeCertificates, startMariadb, startNodeBackend, startRedis, TestCertificate } from "./backends";
import { kubectl } from "../integration/harness";
import { echo, Exchange, heldExchange, mysqlLogin, postgresStartTls, redisPing, tcpExchange, tlsExchange } from "./clients";
import { registerEndpoint } from "./endpoints";
import { runRenderedContainer } from "./container";
import { createNetns, deleteLeftovers, Netns, passiveOpens } from "./netns";
import { eventuallyAsync } from "./processes";
import { builtBinary, namespaceExists, tearDown, traefikCrds } from "./release";
import { clusterAccess, ClusterAccess, LocalTraefik, localTraefikConfig, readDeployedTraefik } from "./traefik";

const STACK = "e2e";
/** Chart 41.3.0 serves Traefik v3.7.11, the version scripts/traefik.sh builds. */
const CHART_VERSION = "41.3.0";
const SNI_HOSTS = { db: "db.example.com", cache: "cache.example.com" } as const;
const quiet = { onOutput: () => undefined };

/** The app each backend stands behind, and the /30 of 10.203.<subnet>.0 its namespace gets. */
const BACKENDS = [
    { app: "tcp-demo", role: "echo", subnet: 1 },
    { app: "redis-demo", role: "redis", subnet: 2 },
    { app: "mysql-demo", role: "mysql", subnet: 3 },
    { app: "db", role: "db", subnet: 4 },
    { app: "cache", role: "cache", subnet: 5 },
] as const;
type AppId = (typeof BACKENDS)[number]["app"];

/** The dev stack, with chart 41.3.0, no replicas anywhere, and the TLS-SNI pair on websecure. */
function e2eStack(config: Record<string, any>): void {
    // ../shared/charts/traefik-41.3.0.tgz unpacked, as the project installs offline charts
    // (scripts/charts.ts: Helm honours the chart's .helmignore only for a directory).
    config["tcp-platform:traefik"].chart.path = localChartDir(chartsDir, CHART_VERSION);
    // Helm's release, not helm.v4.Chart: Helm keeps a chart's CRDs when a release is uninstalled,
    // so a cluster that ran a Release before (the integration tests do) holds Traefik's CRDs, and
    // helm.v4.Chart's server-side apply of them then fails with field conflicts; Helm skips CRDs
    // that exist. The Deployment's arguments are the same: same chart, same values.
    config["tcp-platform:traefik"].installer = "release";
    const apps = config["tcp-platform:apps"];
    apps.db = { host: SNI_HOSTS.db, tls: { passthrough: true, certificate: { secretName: "db-tls" } } };
    apps.cache = { host: SNI_HOSTS.cache, tls: { passthrough: true, certificate: { secretName: "cache-tls" } } };
    for (const app of Object.values<Record<string, unknown>>(apps)) {
        app.replicas = 0;
    }
}

const nonce = (label: string) => `${label}-${randomBytes(6).toString("hex")}\n`;

describe("bytes flow: a real Traefik routes TCP exactly as the program configured it", function () {
    this.timeout(20 * 60 * 1000);
    let project: ProjectCopy | undefined;
    let stack: Stack | undefined;
    let work: string;
    let binary: string;
    let ca: string;
    let certs: Record<string, TestCertificate>;
    let access: ClusterAccess;
    let traefik: LocalTraefik | undefined;
    const netnses: Netns[] = [];
    const backends = {} as Record<AppId, Backend>;
    let failed = false;
    /** Traefik CRDs in the cluster before the release installed its own: left alone at the end. */
    let crdsBefore = new Set<string>();

    /** The Traefik Deployment of the release, read again, and a local Traefik started with its arguments. */
    async function startTraefikFromRelease(): Promise<LocalTraefik> {
        const deployed = readDeployedTraefik(project!.env);
        const config = await localTraefikConfig(deployed.args, access);
        const changed = config.args.filter((a) => !deployed.args.includes(a)).map((a) => a.replace(/(\.token=).*/, "$1[redacted]"));
        console.log(`      the Deployment's Traefik arguments: ${deployed.args.join(" ")}\n      locally replaced by: ${changed.join(" ")}`);
        traefik = await LocalTraefik.start(binary, config, path.join(work, `traefik-${Date.now()}.log`), deployed.namespace);
        return traefik;
    }

    /** What the app's backend answers through `port`, and what it should. */
    async function routeAnswer(app: AppId, port: number, mysqlRootPassword: string): Promise<{ got: string; want: string }> {
        switch (app) {
            case "tcp-demo":
                return { got: (await echo(port, "ready\n")).data.toString(), want: "ready\n" };
            case "redis-demo":
                return { got: (await redisPing(port)).data.toString(), want: "+PONG\r\n" };
            case "mysql-demo": {
                const login = await mysqlLogin(port, "root", mysqlRootPassword);
                return { got: login.loginReply === 0 ? "logged in" : JSON.stringify(login), want: "logged in" };
            }
            case "db":
                return { got: `${(await postgresStartTls(port, SNI_HOSTS.db, ca)).reply}`, want: "R" };
            case "cache":
                return { got: (await tlsExchange(port, SNI_HOSTS.cache, ca, "PING\r\n", 7)).data.toString(), want: "+PONG\r\n" };
        }
    }

    /** The entryPoint each app's route uses, from the stack file the program read. */
    function entryPointOf(app: AppId): string {
        const settings = YAML.parse(fs.readFileSync(path.join(project!.dir, `Pulumi.${STACK}.yaml`), "utf8")) as { config: Record<string, any> };
        return settings.config["tcp-platform:apps"][app].entryPoint?.name ?? "websecure";
    }

    /**
     * Runs `action` and checks which backends accepted connections meanwhile: exactly `expected`
     * (app -> count), and none at all elsewhere.
     */
    async function expectConnections(expected: Partial<Record<AppId, number>>, action: () => Promise<void>): Promise<void> {
        const count = () => Object.fromEntries(BACKENDS.map(({ app }) => [app, backends[app].connections()])) as Record<AppId, number>;
        const before = count();
        await action();
        const want = Object.fromEntries(BACKENDS.map(({ app }) => [app, expected[app] ?? 0]));
        const delta = () => {
            const after = count();
            return Object.fromEntries(BACKENDS.map(({ app }) => [app, after[app] - before[app]]));
        };
        // Servers log and count a connection asynchronously to the bytes they send back.
        let got = delta();
        for (let i = 0; i < 20 && JSON.stringify(got) !== JSON.stringify(want); i++) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            got = delta();
        }
        assert.deepEqual(got, want, "connections accepted by each backend");
    }

    before(async function () {
        // Includes a first build of Traefik (about 10 min on 2 cores) when the cache has none.
        this.timeout(45 * 60 * 1000);
        failed = true; // until the setup completes: `after` then keeps the logs
        deleteLeftovers();
        binary = builtBinary("traefik.sh");
        work = fs.mkdtempSync(path.join(os.tmpdir(), "tcp-platform-e2e-"));
        ({ ca, certs } = makeCertificates(path.join(work, "certs"), Object.values(SNI_HOSTS)));

        project = new ProjectCopy();
        for (const namespace of ["backend", "traefik"]) {
            assert.ok(!namespaceExists(project.env, namespace), `namespace ${namespace} exists: another stack uses this cluster; destroy it first`);
        }
        crdsBefore = new Set(traefikCrds(project.env));
        stack = await project.stack(STACK, "dev", e2eStack);
        await stack.setConfig("tcp-platform:dbPassword", { value: "e2e-db-password", secret: true });
        const mysqlRootPassword = (await stack.getConfig("tcp-platform:mysqlRootPassword")).value;

        for (const { app, role, subnet } of BACKENDS) {
            const netns = createNetns(role, subnet);
            netnses.push(netns);
            const port = catalog[app].container.port;
            if (app === "redis-demo" || app === "mysql-demo" || app === "tcp-demo") {
                backends[app] = app === "redis-demo" ? await startRedis(app, netns, port, work)
                    : app === "mysql-demo" ? await startMariadb(app, netns, port, work, mysqlRootPassword)
                    : await startNodeBackend(app, netns, port, work);
            }
        }

        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        // The certificates the stack names, as kubernetes.io/tls Secrets; then db and cache as rendered.
        for (const app of ["db", "cache"] as const) {
            const cert = certs[SNI_HOSTS[app]];
            kubectl(project.env, "create", "secret", "tls", `${app}-tls`, "-n", "backend", `--cert=${cert.cert}`, `--key=${cert.key}`);
            const netns = netnses.find((n) => n.name.endsWith(app))!;
            const spec = catalog[app];
            const proc = runRenderedContainer(project.env, { kind: spec.storage ? "statefulset" : "deployment", namespace: "backend", name: spec.deploymentName },
                app === "db" ? "postgres" : "redis", netns, work);
            await proc.waitForOutput(app === "db" ? /database system is ready to accept connections/ : /Ready to accept connections/, 120);
            backends[app] = { app, netns, port: spec.container.port, process: proc, connections: () => passiveOpens(netns) };
        }
        for (const { app } of BACKENDS) {
            const spec = catalog[app];
            registerEndpoint(project.env, { namespace: spec.namespace, service: objectNames(spec).service, portName: spec.portName }, backends[app].netns.address, backends[app].port);
        }

        const deployed = readDeployedTraefik(project.env);
        access = clusterAccess(project.env, deployed, work);
        const local = await startTraefikFromRelease();
        // Traefik loads the routes once its informers have synced: wait until each one answers.
        for (const { app } of BACKENDS) {
            const port = local.port(entryPointOf(app));
            await eventuallyAsync(60, `${app}'s route on ${entryPointOf(app)}`, async () => {
                const { got, want } = await routeAnswer(app, port, mysqlRootPassword);
                if (got !== want) {
                    throw new Error(`got ${JSON.stringify(got)}`);
                }
                return true;
            });
        }
        failed = false;
    });

    afterEach(function () {
        failed ||= this.currentTest?.state === "failed";
    });

    after(async function () {
        this.timeout(10 * 60 * 1000);
        await tearDown({ traefik, stack, project, crdsBefore, work, failed, processes: Object.values(backends).map((b) => b.process), netnses });
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

    it("routes mytcp to the echo server, through its namespace address", async () => {
        const payload = nonce("echo");
        let reply: Exchange | undefined;
        await expectConnections({ "tcp-demo": 1 }, async () => { reply = await echo(traefik!.port(entryPointOf("tcp-demo")), payload); });
        assert.equal(reply!.data.toString(), payload);
        // Every connection came in over the namespace's veth pair, from the host end.
        const peers = connectionsOf(backends["tcp-demo"].process).map((c) => c.remote);
        assert.ok(peers.length > 0);
        assert.deepEqual([...new Set(peers)], [backends["tcp-demo"].netns.hostAddress]);
    });

    it("routes redis to redis-server: PING -> +PONG", async () => {
        let reply: Exchange | undefined;
        await expectConnections({ "redis-demo": 1 }, async () => { reply = await redisPing(traefik!.port(entryPointOf("redis-demo"))); });
        assert.equal(reply!.data.toString(), "+PONG\r\n");
    });

    it("routes mysql to MariaDB: its protocol greeting, and a login with the stack's root password", async () => {
        const password = (await stack!.getConfig("tcp-platform:mysqlRootPassword")).value;
        const port = traefik!.port(entryPointOf("mysql-demo"));
        let login: Awaited<ReturnType<typeof mysqlLogin>> | undefined;
        await expectConnections({ "mysql-demo": 1 }, async () => { login = await mysqlLogin(port, "root", password); });
        assert.equal(login!.protocol, 10);
        assert.match(login!.serverVersion ?? "", /MariaDB/);
        assert.equal(login!.authPlugin, "mysql_native_password");
        assert.equal(login!.loginReply, 0, login!.loginError);
        let refused: Awaited<ReturnType<typeof mysqlLogin>> | undefined;
        await expectConnections({ "mysql-demo": 1 }, async () => { refused = await mysqlLogin(port, "root", "not-the-password"); });
        assert.equal(refused!.loginReply, 0xff, "a wrong password is refused by the server behind the route");
    });

    it("routes two SNI hosts on websecure to db and cache, whose own servers present their certificates", async () => {
        const routes = kubectlJson<{ items: any[] }>(project!.env, "get", "ingressroutetcps.traefik.io", "-n", "backend");
        const port = traefik!.port("websecure");
        for (const app of ["db", "cache"] as const) {
            const route = routes.items.find((r) => r.metadata.name === objectNames(catalog[app]).route);
            assert.deepEqual(route.spec.entryPoints, ["websecure"]);
            assert.equal(route.spec.routes[0].match, `HostSNI(\`${SNI_HOSTS[app]}\`)`);
            assert.deepEqual(route.spec.tls, { passthrough: true });
        }
        // Postgres's way into TLS (SSLRequest first), as psql does it, then its startup message.
        let db: Awaited<ReturnType<typeof postgresStartTls>> | undefined;
        await expectConnections({ db: 1 }, async () => { db = await postgresStartTls(port, SNI_HOSTS.db, ca); });
        // The backend's own certificate (Traefik has neither it nor the test CA): passthrough.
        assert.equal(db!.authorized, true, db!.authorizationError);
        assert.equal(db!.subjectCN, SNI_HOSTS.db);
        assert.equal(db!.subjectAltName, `DNS:${SNI_HOSTS.db}`);
        assert.equal(db!.reply, "R", "postgres asks the client to authenticate");
        let cache: Awaited<ReturnType<typeof tlsExchange>> | undefined;
        await expectConnections({ cache: 1 }, async () => { cache = await tlsExchange(port, SNI_HOSTS.cache, ca, "PING\r\n", 7); });
        assert.equal(cache!.authorized, true, cache!.authorizationError);
        assert.equal(cache!.subjectCN, SNI_HOSTS.cache);
        assert.equal(cache!.data.toString(), "+PONG\r\n");
        // A host no route matches reaches neither: Traefik terminates TLS itself, with its default
        // certificate, and its HTTP router answers 404.
        let other: Awaited<ReturnType<typeof tlsExchange>> | undefined;
        const request = "GET / HTTP/1.1\r\nHost: other.example.com\r\nConnection: close\r\n\r\n";
        await expectConnections({}, async () => { other = await tlsExchange(port, "other.example.com", ca, request, 12); });
        assert.equal(other!.authorized, false);
        assert.equal(other!.subjectCN, "TRAEFIK DEFAULT CERT");
        assert.match(other!.data.toString(), /^HTTP\/1\.1 404/);
    });

    it("keeps idle connections open for 90 s, plain TCP and SNI passthrough", async function () {
        // Users of the 2.11 line report cuts after 60 s (traefik/traefik#10619, #10592): a chart or
        // Traefik upgrade that brings them back fails here instead of in database pools.
        this.timeout(3 * 60 * 1000);
        const idleMs = 90_000;
        const [plain, passthrough] = await Promise.all([
            heldExchange(traefik!.port(entryPointOf("tcp-demo")), "held\n", "held\n", idleMs),
            heldExchange(traefik!.port("websecure"), "PING\r\n", "+PONG\r\n", idleMs, { servername: SNI_HOSTS.cache, caFile: ca }),
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
            registerEndpoint(project!.env, { namespace: "foreign-e2e", service: "foreign-service", portName: "3333-3333" }, backends["tcp-demo"].netns.address, 3333);
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
            await expectConnections({}, async () => { foreign = await tlsExchange(traefik!.port("websecure"), "foreign.example.com", ca, "GET / HTTP/1.1\r\nHost: foreign.example.com\r\nConnection: close\r\n\r\n", 12); });
            assert.equal(foreign!.subjectCN, "TRAEFIK DEFAULT CERT", "Traefik answered itself: no route of the foreign namespace");
            assert.match(foreign!.data.toString(), /^HTTP\/1\.1 404/);
        } finally {
            kubectl(project!.env, "delete", "namespace", "foreign-e2e", "--wait=false");
        }
    });

    it("talks to nothing but the API server on 127.0.0.1 and the backends' namespace addresses", () => {
        const allowed = new Set(["127.0.0.1", ...BACKENDS.map(({ app }) => backends[app].netns.address)]);
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
        const route = kubectlJson(project!.env, "get", "ingressroutetcps.traefik.io", objectNames(catalog["tcp-demo"]).route, "-n", "backend");
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
        await expectConnections({ "tcp-demo": 1 }, async () => { reply = await echo(newPort, payload); });
        assert.equal(reply!.data.toString(), payload);

        let old: Exchange | undefined;
        await expectConnections({}, async () => { old = await tcpExchange(oldPort, nonce("old"), () => true); });
        assert.equal(old!.data.length, 0, `the old port still answered: ${old!.data.toString()}`);
        assert.equal(old!.end, "ECONNREFUSED");

        // The other routes are unchanged by the move.
        assert.equal((await redisPing(moved.port("redis"))).data.toString(), "+PONG\r\n");
    });
});
