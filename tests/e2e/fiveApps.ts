/**
 * What the end-to-end files that route dev's five TCP apps through the real Traefik share
 * (bytesFlow.test.ts with IngressRouteTCPs, gateway.test.ts with the Gateway API): the test stack
 * (chart 41.3.0, no replicas, db and cache by SNI on websecure), the servers behind the Services in
 * network namespaces, registered as their EndpointSlices, and the exchanges a client makes with
 * each app through Traefik, counting the connections each backend accepted.
 */
import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { projectCatalog } from "../../lib/config/catalogFiles";

const catalog = projectCatalog();
import { objectNames } from "../../lib/plan/names";
import { localChartDir } from "../../tools/charts";
import { chartsDir, kubectl } from "../support/harness";
import { Backend, connectionsOf, makeCertificates, startMariadb, startNodeBackend, startRedis, TestCertificate } from "./backends";
import { echo, Exchange, mysqlLogin, postgresStartTls, redisPing, tlsExchange } from "./clients";
import { runRenderedContainer } from "./container";
import { registerEndpoint } from "./endpoints";
import { createNetns, Netns, NetnsSpace, passiveOpens } from "./netns";
import { eventuallyAsync } from "./processes";

/** Chart 41.3.0 serves Traefik v3.7.11, the version scripts/traefik.sh builds. */
export const CHART_VERSION = "41.3.0";
export const SNI_HOSTS = { db: "db.example.com", cache: "cache.example.com" } as const;

/** The app each backend stands behind, and the /30 of <space.base>.<subnet>.0 its namespace gets. */
export const BACKENDS = [
    { app: "tcp-demo", role: "echo", subnet: 1 },
    { app: "redis-demo", role: "redis", subnet: 2 },
    { app: "mysql-demo", role: "mysql", subnet: 3 },
    { app: "db", role: "db", subnet: 4 },
    { app: "cache", role: "cache", subnet: 5 },
] as const;
export type AppId = (typeof BACKENDS)[number]["app"];

/** The dev stack, with chart 41.3.0, no replicas anywhere, and the TLS-SNI pair on websecure. */
export function fiveAppsStack(config: Record<string, any>): void {
    // ../shared/charts/traefik-41.3.0.tgz unpacked, as the project installs offline charts
    // (tools/charts.ts: Helm honours the chart's .helmignore only for a directory).
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

/** The entryPoint an app's route uses, from the stack file the program read. */
export function entryPointOf(projectDir: string, stackName: string, app: AppId): string {
    const settings = YAML.parse(fs.readFileSync(path.join(projectDir, `Pulumi.${stackName}.yaml`), "utf8")) as { config: Record<string, any> };
    return settings.config["tcp-platform:apps"][app].entryPoint?.name ?? "websecure";
}

export const nonce = (label: string) => `${label}-${randomBytes(6).toString("hex")}\n`;

/** The five backends of a test file, in its own namespace space, and a client's view of them. */
export class FiveApps {
    readonly netnses: Netns[] = [];
    readonly backends = {} as Record<AppId, Backend>;
    readonly ca: string;
    readonly certs: Record<string, TestCertificate>;

    constructor(readonly space: NetnsSpace, readonly work: string) {
        ({ ca: this.ca, certs: this.certs } = makeCertificates(path.join(work, "certs"), Object.values(SNI_HOSTS)));
    }

    /** Before `pulumi up`: every namespace, and the echo, redis and MariaDB servers in theirs. */
    async startServers(mysqlRootPassword: string): Promise<void> {
        for (const { app, role, subnet } of BACKENDS) {
            const netns = createNetns(role, subnet, this.space);
            this.netnses.push(netns);
            const port = catalog[app].container.port;
            if (app === "redis-demo" || app === "mysql-demo" || app === "tcp-demo") {
                this.backends[app] = app === "redis-demo" ? await startRedis(app, netns, port, this.work)
                    : app === "mysql-demo" ? await startMariadb(app, netns, port, this.work, mysqlRootPassword)
                    : await startNodeBackend(app, netns, port, this.work);
            }
        }
    }

    /**
     * After `pulumi up`: the certificates the stack names as kubernetes.io/tls Secrets, db and cache
     * run as rendered, and every backend registered as its Service's EndpointSlice.
     */
    async startRenderedAndRegister(env: Record<string, string>): Promise<void> {
        for (const app of ["db", "cache"] as const) {
            const cert = this.certs[SNI_HOSTS[app]];
            kubectl(env, "create", "secret", "tls", `${app}-tls`, "-n", "backend", `--cert=${cert.cert}`, `--key=${cert.key}`);
            const netns = this.netnses.find((n) => n.name.endsWith(app))!;
            const spec = catalog[app];
            const proc = runRenderedContainer(env, { kind: spec.storage ? "statefulset" : "deployment", namespace: "backend", name: spec.deploymentName },
                app === "db" ? "postgres" : "redis", netns, this.work);
            await proc.waitForOutput(app === "db" ? /database system is ready to accept connections/ : /Ready to accept connections/, 120);
            this.backends[app] = { app, netns, port: spec.container.port, process: proc, connections: () => passiveOpens(netns) };
        }
        for (const { app } of BACKENDS) {
            const spec = catalog[app];
            registerEndpoint(env, { namespace: spec.namespace, service: objectNames(spec).service, portName: spec.portName }, this.backends[app].netns.address, this.backends[app].port);
        }
    }

    processes(): Backend["process"][] {
        return Object.values(this.backends).map((b) => b.process);
    }

    /** What the app's backend answers through `port`, and what it should. */
    async routeAnswer(app: AppId, port: number, mysqlRootPassword: string): Promise<{ got: string; want: string }> {
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
                return { got: `${(await postgresStartTls(port, SNI_HOSTS.db, this.ca)).reply}`, want: "R" };
            case "cache":
                return { got: (await tlsExchange(port, SNI_HOSTS.cache, this.ca, "PING\r\n", 7)).data.toString(), want: "+PONG\r\n" };
        }
    }

    /** Traefik loads the routes once its informers have synced: waits (60 s each at most) until each app answers. */
    async waitForRoutes(portOf: (app: AppId) => number, mysqlRootPassword: string): Promise<void> {
        for (const { app } of BACKENDS) {
            await eventuallyAsync(60, `${app}'s route on port ${portOf(app)}`, async () => {
                const { got, want } = await this.routeAnswer(app, portOf(app), mysqlRootPassword);
                if (got !== want) {
                    throw new Error(`got ${JSON.stringify(got)}`);
                }
                return true;
            });
        }
    }

    /**
     * Runs `action` and checks which backends accepted connections meanwhile: exactly `expected`
     * (app -> count), and none at all elsewhere.
     */
    async expectConnections(expected: Partial<Record<AppId, number>>, action: () => Promise<void>): Promise<void> {
        const count = () => Object.fromEntries(BACKENDS.map(({ app }) => [app, this.backends[app].connections()])) as Record<AppId, number>;
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

    /** A nonce through `port` comes back from the echo server, over its namespace's veth pair. */
    async checkEcho(port: number): Promise<void> {
        const payload = nonce("echo");
        let reply: Exchange | undefined;
        await this.expectConnections({ "tcp-demo": 1 }, async () => { reply = await echo(port, payload); });
        assert.equal(reply!.data.toString(), payload);
        // Every connection came in over the namespace's veth pair, from the host end.
        const peers = connectionsOf(this.backends["tcp-demo"].process).map((c) => c.remote);
        assert.ok(peers.length > 0);
        assert.deepEqual([...new Set(peers)], [this.backends["tcp-demo"].netns.hostAddress]);
    }

    /** PING through `port` -> redis-server's +PONG. */
    async checkRedis(port: number): Promise<void> {
        let reply: Exchange | undefined;
        await this.expectConnections({ "redis-demo": 1 }, async () => { reply = await redisPing(port); });
        assert.equal(reply!.data.toString(), "+PONG\r\n");
    }

    /** MariaDB's greeting through `port`, a login with the stack's root password, and a wrong one refused. */
    async checkMysql(port: number, password: string): Promise<void> {
        let login: Awaited<ReturnType<typeof mysqlLogin>> | undefined;
        await this.expectConnections({ "mysql-demo": 1 }, async () => { login = await mysqlLogin(port, "root", password); });
        assert.equal(login!.protocol, 10);
        assert.match(login!.serverVersion ?? "", /MariaDB/);
        assert.equal(login!.authPlugin, "mysql_native_password");
        assert.equal(login!.loginReply, 0, login!.loginError);
        let refused: Awaited<ReturnType<typeof mysqlLogin>> | undefined;
        await this.expectConnections({ "mysql-demo": 1 }, async () => { refused = await mysqlLogin(port, "root", "not-the-password"); });
        assert.equal(refused!.loginReply, 0xff, "a wrong password is refused by the server behind the route");
    }

    /**
     * db and cache by SNI on websecure's `port`, each presenting its own certificate (passthrough);
     * a host no route matches reaches neither: Traefik answers it with its default certificate, then
     * its HTTP router's 404 (`unknownHost: "404"`, IngressRouteTCPs) or, under the Gateway
     * provider's `deny-unknown-host` router, a closed connection (`"closed"`).
     */
    async checkSniPair(port: number, unknownHost: "404" | "closed" = "404"): Promise<void> {
        // Postgres's way into TLS (SSLRequest first), as psql does it, then its startup message.
        let db: Awaited<ReturnType<typeof postgresStartTls>> | undefined;
        await this.expectConnections({ db: 1 }, async () => { db = await postgresStartTls(port, SNI_HOSTS.db, this.ca); });
        // The backend's own certificate (Traefik has neither it nor the test CA): passthrough.
        assert.equal(db!.authorized, true, db!.authorizationError);
        assert.equal(db!.subjectCN, SNI_HOSTS.db);
        assert.equal(db!.subjectAltName, `DNS:${SNI_HOSTS.db}`);
        assert.equal(db!.reply, "R", "postgres asks the client to authenticate");
        let cache: Awaited<ReturnType<typeof tlsExchange>> | undefined;
        await this.expectConnections({ cache: 1 }, async () => { cache = await tlsExchange(port, SNI_HOSTS.cache, this.ca, "PING\r\n", 7); });
        assert.equal(cache!.authorized, true, cache!.authorizationError);
        assert.equal(cache!.subjectCN, SNI_HOSTS.cache);
        assert.equal(cache!.data.toString(), "+PONG\r\n");
        // A host no route matches reaches neither.
        let other: Awaited<ReturnType<typeof tlsExchange>> | undefined;
        const request = "GET / HTTP/1.1\r\nHost: other.example.com\r\nConnection: close\r\n\r\n";
        await this.expectConnections({}, async () => { other = await tlsExchange(port, "other.example.com", this.ca, request, 12); });
        if (unknownHost === "404") {
            // Traefik terminates TLS itself, with its default certificate, and its HTTP router answers 404.
            assert.equal(other!.authorized, false);
            assert.equal(other!.subjectCN, "TRAEFIK DEFAULT CERT");
            assert.match(other!.data.toString(), /^HTTP\/1\.1 404/);
        } else {
            // Closed during the handshake: no certificate, no byte back, and no wait for the client's timeout.
            console.log(`      another host on websecure: ${other!.end}, no certificate`);
            assert.deepEqual({ subjectCN: other!.subjectCN, data: other!.data.toString(), timedOut: other!.end === "timeout" }, { subjectCN: undefined, data: "", timedOut: false }, `ended with ${other!.end}`);
        }
    }
}
