/**
 * Issue 15 on the wire: the TCP features users ask for, as the real Traefik v3.7.11 (chart
 * 41.3.0's appVersion) applies what the program deployed. `pulumi up` of a stack of its own; Traefik
 * runs locally with the Deployment's arguments against the local API server; real servers stand
 * behind the Services in network namespaces (tcpf15-*, 10.204.x), registered as EndpointSlices.
 *
 * - who may connect: an allow-listed source is echoed, another is closed; the 4th simultaneous
 *   connection (maxConnections 3) is closed, a new one is served once one ends
 * - canary: 40 connections split between the stable and the canary backends by weight 25
 * - PROXY protocol: a load balancer's v1 header on the entryPoint, a v2 header to the backend
 * - TLS options: TLS 1.2 refused at minVersion 1.3, a client without a certificate refused
 * - SNI: a wildcard matches one label and no more; ALPN selects the route
 * - UDP: a DNS query through the UDP entryPoint that shares its number with a TCP one
 * - graceful shutdown: after SIGTERM, an open connection is served, new ones refused, until graceTimeOut
 *
 * Needs root (network namespaces), openssl, the toolchain, Traefik and CoreDNS from Go modules
 * (scripts/traefik.sh, scripts/coredns.sh), and the local control plane.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectCatalog } from "../../lib/config/catalogFiles";
import { localChartDir } from "../../tools/charts";
import { chartsDir, kubectl, kubectlJson, ProjectCopy } from "../support/harness";
import { Backend, connectionsOf, makeCertificates, makeClientCertificate, startNodeBackend, TestCertificate } from "./backends";
import { echo, LOOPBACK, tcpExchange } from "./clients";
import { registerEndpoint } from "./endpoints";
import { dnsQuery, HeldConnection, proxyV1Header, tlsAttempt, TlsClientOptions } from "./featureClients";
import { createNetns, deleteLeftovers, Netns } from "./netns";
import { eventuallyAsync, ManagedProcess, sleep } from "./processes";
import { builtBinary, namespaceExists, tearDown, traefikCrds } from "./release";
import { clusterAccess, LocalTraefik, localTraefikConfig, readDeployedTraefik } from "./traefik";

const STACK = "features";
const SPACE = { prefix: "tcpf15-", base: "10.204" };
const quiet = { onOutput: () => undefined };
const ALLOWED = "127.0.0.2";
const NOT_ALLOWED = "127.0.0.3";
const MAX_CONNECTIONS = 3;
const CANARY_WEIGHT = 25;
const GRACE_SECONDS = 6;
const CACHE_WILDCARD = "*.cache.example.com";

/** Each backend: the Service it stands behind, its namespace's subnet, and how it serves. */
const BACKENDS = {
    stable: { service: "tcp-echo-service", subnet: 1, port: 3333 },
    canary: { service: "tcp-echo-canary-service", subnet: 2, port: 3333 },
    proxy: { service: "redis-service", subnet: 3, port: 6379 },
    tls: { service: "cache-service", subnet: 4, port: 6379 },
    alpn: { service: "db-service", subnet: 5, port: 5432 },
    dns: { service: "dns-service", subnet: 6, port: 5353 },
} as const;
type Role = keyof typeof BACKENDS;

/** dev, on chart 41.3.0, with the features in use; no replicas, so only the test's servers answer. */
function featuresStack(config: Record<string, any>): void {
    config["tcp-platform:traefik"].chart.path = localChartDir(chartsDir, "41.3.0");
    // As bytesFlow: Helm skips CRDs that exist, helm.v4.Chart's server-side apply conflicts with them.
    config["tcp-platform:traefik"].installer = "release";
    config["tcp-platform:traefik"].gracePeriod = { graceTimeOut: GRACE_SECONDS };
    config["tcp-platform:apps"] = {
        "tcp-demo": {
            entryPoint: { name: "mytcp", port: 9999, nodePort: 30999 },
            ipAllowList: [`${ALLOWED}/32`], maxConnections: MAX_CONNECTIONS, canary: { newTag: "1.1", weight: CANARY_WEIGHT, replicas: 0 },
        },
        "redis-demo": { entryPoint: { name: "redis", port: 6379, nodePort: 30379, proxyProtocol: { trustedIPs: [`${LOOPBACK}/32`] } }, proxyProtocol: { version: 2 } },
        db: { host: "db.example.com", alpn: ["postgresql"], tls: { passthrough: true, certificate: { secretName: "db-tls" } } },
        cache: { host: CACHE_WILDCARD, tls: { secretName: "cache-tls", options: { minVersion: "1.3", clientAuth: { secretNames: ["cache-client-ca"] } } } },
        // The UDP entryPoint shares its number and NodePort with mytcp.
        "dns-demo": { entryPoint: { name: "dns", port: 9999, nodePort: 30999 } },
    };
    for (const app of Object.values<Record<string, unknown>>(config["tcp-platform:apps"])) {
        app.replicas = 0;
    }
}

describe("TCP features: the real Traefik applies what the program deployed (issue 15)", function () {
    this.timeout(10 * 60 * 1000);
    let project: ProjectCopy | undefined;
    let stack: Stack | undefined;
    let work: string;
    let ca: string;
    let certs: Record<string, TestCertificate>;
    let client: { cert: string; key: string };
    let traefik: LocalTraefik | undefined;
    let coredns: ManagedProcess | undefined;
    const netnses = {} as Record<Role, Netns>;
    const backends = {} as Record<Exclude<Role, "dns">, Backend>;
    let failed = false;
    let crdsBefore = new Set<string>();

    const port = (entryPoint: string) => traefik!.port(entryPoint);
    const cacheTls = (extra: Partial<TlsClientOptions> = {}): TlsClientOptions => ({ servername: "a.cache.example.com", caFile: ca, client, ...extra });
    /** Bytes a backend received so far (its `data` events). */
    const bytesReceived = (role: Exclude<Role, "dns">) => backends[role].process.output.split("\n").filter((l) => l.includes('"event":"data"')).reduce((n, l) => n + (JSON.parse(l) as { bytes: number }).bytes, 0);
    /** Connections each backend accepted while `action` ran. */
    async function accepted(action: () => Promise<void>): Promise<Partial<Record<Role, number>>> {
        const count = () => Object.fromEntries(Object.entries(backends).map(([role, b]) => [role, connectionsOf(b.process).length]));
        const before = count();
        await action();
        await sleep(300); // the servers log a connection asynchronously to their answer
        const after = count();
        return Object.fromEntries(Object.keys(after).filter((r) => after[r] !== before[r]).map((r) => [r, after[r] - before[r]]));
    }

    before(async function () {
        this.timeout(45 * 60 * 1000);
        failed = true;
        deleteLeftovers(SPACE);
        const traefikBinary = builtBinary("traefik.sh");
        const corednsBinary = builtBinary("coredns.sh");
        work = fs.mkdtempSync(path.join(os.tmpdir(), "tcp-platform-e2e-features-"));
        ({ ca, certs } = makeCertificates(path.join(work, "certs"), ["db.example.com", CACHE_WILDCARD]));
        client = makeClientCertificate(path.join(work, "certs"), "cache-client");

        project = new ProjectCopy();
        for (const namespace of ["backend", "traefik"]) {
            assert.ok(!namespaceExists(project.env, namespace), `namespace ${namespace} exists: another stack uses this cluster; destroy it first`);
        }
        crdsBefore = new Set(traefikCrds(project.env));
        stack = await project.stack(STACK, "dev", featuresStack);
        await stack.setConfig("tcp-platform:dbPassword", { value: "e2e-db-password", secret: true });

        for (const [role, spec] of Object.entries(BACKENDS) as [Role, (typeof BACKENDS)[Role]][]) {
            netnses[role] = createNetns(role, spec.subnet, SPACE);
        }
        backends.stable = await startNodeBackend("stable", netnses.stable, 3333, work);
        backends.canary = await startNodeBackend("canary", netnses.canary, 3333, work);
        backends.proxy = await startNodeBackend("proxy", netnses.proxy, 6379, work, undefined, true);
        backends.tls = await startNodeBackend("tls", netnses.tls, 6379, work);
        backends.alpn = await startNodeBackend("db", netnses.alpn, 5432, work, certs["db.example.com"]);

        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        const wildcard = certs[CACHE_WILDCARD];
        kubectl(project.env, "create", "secret", "tls", "cache-tls", "-n", "backend", `--cert=${wildcard.cert}`, `--key=${wildcard.key}`);
        kubectl(project.env, "create", "secret", "generic", "cache-client-ca", "-n", "backend", `--from-file=ca.crt=${ca}`);

        // CoreDNS with the arguments of the rendered Deployment, in its namespace.
        const dns = kubectlJson(project.env, "get", "deployment", projectCatalog()["dns-demo"].deploymentName, "-n", "backend").spec.template.spec.containers[0];
        assert.deepEqual(dns.args, ["-dns.port", "5353"]);
        coredns = new ManagedProcess("coredns", "ip", ["netns", "exec", netnses.dns.name, corednsBinary, ...dns.args], path.join(work, "coredns.log"));
        await coredns.waitForOutput(/CoreDNS-/, 30);

        for (const [role, spec] of Object.entries(BACKENDS) as [Role, (typeof BACKENDS)[Role]][]) {
            const service = kubectlJson(project.env, "get", "service", spec.service, "-n", "backend");
            const servicePort = service.spec.ports[0];
            registerEndpoint(project.env, { namespace: "backend", service: spec.service, portName: servicePort.name }, netnses[role].address, spec.port, servicePort.protocol);
        }

        const deployed = readDeployedTraefik(project.env);
        const config = await localTraefikConfig(deployed.args, clusterAccess(project.env, deployed, work));
        traefik = await LocalTraefik.start(traefikBinary, config, path.join(work, "traefik.log"), deployed.namespace);
        await eventuallyAsync(60, "every route", async () => {
            const ready = (await tcpExchange(port("mytcp"), "ready\n", (d) => d.length >= 6, 3000, ALLOWED)).data.toString() === "ready\n"
                && (await tcpExchange(port("redis"), "ready\n", (d) => d.includes("ready\n"))).data.length > 0
                && (await tlsAttempt(port("websecure"), cacheTls(), "ready\n", 6)).data === "ready\n"
                && (await tlsAttempt(port("websecure"), { servername: "db.example.com", caFile: ca, alpn: ["postgresql"] }, "ready\n", 9)).data === "db:ready\n"
                && (await dnsQuery(port("dns"), "ready.example.com")).end === "done";
            return ready ? true : undefined;
        });
        failed = false;
    });

    afterEach(function () {
        failed ||= this.currentTest?.state === "failed";
    });

    after(async function () {
        this.timeout(10 * 60 * 1000);
        await tearDown({
            traefik, stack, project, crdsBefore, work, failed,
            processes: [...Object.values(backends).map((b) => b.process), ...(coredns ? [coredns] : [])],
            netnses: Object.values(netnses),
        });
    });

    it("deploys the features as the chart takes them: middlewares, transport, TLS option, canary, a UDP port beside a TCP one", () => {
        const env = project!.env;
        const middlewares = kubectlJson(env, "get", "middlewaretcps.traefik.io", "-n", "backend").items.map((m: any) => [m.metadata.name, m.spec]);
        assert.deepEqual(middlewares, [
            ["tcp-echo-ip-allow-list", { ipAllowList: { sourceRange: [`${ALLOWED}/32`] } }],
            ["tcp-echo-max-connections", { inFlightConn: { amount: MAX_CONNECTIONS } }],
        ]);
        assert.deepEqual(kubectlJson(env, "get", "serverstransporttcps.traefik.io", "redis-transport", "-n", "backend").spec, { proxyProtocol: { version: 2 } });
        assert.deepEqual(kubectlJson(env, "get", "tlsoptions.traefik.io", "cache-tls-options", "-n", "backend").spec.minVersion, "VersionTLS13");
        const service = kubectlJson(env, "get", "service", "-n", "traefik", "-l", "app.kubernetes.io/name=traefik").items[0];
        const ports = service.spec.ports.map((p: any) => `${p.name} ${p.port}/${p.protocol} ${p.nodePort}`).sort();
        assert.ok(ports.includes("mytcp 9999/TCP 30999") && ports.includes("dns 9999/UDP 30999"), `the API server took a TCP and a UDP port on one number: ${ports.join(", ")}`);
        const args = readDeployedTraefik(env).args;
        for (const flag of ["--entryPoints.mytcp.transport.lifeCycle.graceTimeOut=6s", "--entryPoints.mytcp.transport.lifeCycle.requestAcceptGraceTimeout=0s",
            "--entryPoints.redis.proxyProtocol.trustedIPs=127.0.0.1/32", "--entryPoints.dns.address=:9999/udp"]) {
            assert.ok(args.includes(flag), `${flag} in ${args.join(" ")}`);
        }
        assert.equal(kubectlJson(env, "get", "deployment", "-n", "traefik", "-l", "app.kubernetes.io/name=traefik").items[0].spec.template.spec.terminationGracePeriodSeconds, 5 + GRACE_SECONDS + 5);
        // Locally both keep 9999 when the host has it free (another process may hold one of them).
        console.log(`      the local Traefik: mytcp on 127.0.0.1:${port("mytcp")}/tcp, dns on 127.0.0.1:${port("dns")}/udp`);
    });

    it("serves an allow-listed client and closes one outside the range", async () => {
        let inside: Awaited<ReturnType<typeof echo>> | undefined;
        let outside: Awaited<ReturnType<typeof echo>> | undefined;
        const reached = await accepted(async () => {
            inside = await tcpExchange(port("mytcp"), "inside\n", (d) => d.length >= 7, 3000, ALLOWED);
            outside = await tcpExchange(port("mytcp"), "outside\n", (d) => d.length >= 8, 3000, NOT_ALLOWED);
        });
        console.log(`      from ${ALLOWED}: sent "inside\\n", got ${JSON.stringify(inside!.data.toString())}; from ${NOT_ALLOWED}: sent "outside\\n", got ${JSON.stringify(outside!.data.toString())} (${outside!.end})`);
        assert.equal(inside!.data.toString(), "inside\n");
        // Traefik closes it; the bytes the client sent unread make the kernel reset rather than close.
        assert.equal(outside!.data.length, 0);
        assert.match(outside!.end, /^(closed|ECONNRESET)$/);
        assert.equal((reached.stable ?? 0) + (reached.canary ?? 0), 1, "only the allowed client reached a backend");
    });

    it(`closes the ${MAX_CONNECTIONS + 1}th simultaneous connection, and serves a new one once one ends`, async () => {
        const open = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => HeldConnection.open(port("mytcp"), ALLOWED)));
        try {
            const replies = await Promise.all(open.map((c, i) => c.exchange(`held-${i}\n`, 7)));
            assert.deepEqual(replies, open.map((_, i) => `held-${i}\n`));
            const extra = await HeldConnection.open(port("mytcp"), ALLOWED);
            const refused = await extra.exchange("extra\n", 6);
            await extra.closed(3000);
            console.log(`      ${MAX_CONNECTIONS} held connections echoed; the next got ${JSON.stringify(refused)} and ended ${extra.ended}`);
            assert.equal(refused, "");
            assert.match(extra.ended ?? "open", /^(closed|ECONNRESET)$/);
            open.pop()!.close();
            await eventuallyAsync(10, "a free slot", async () => ((await tcpExchange(port("mytcp"), "free\n", (d) => d.length >= 5, 3000, ALLOWED)).data.toString() === "free\n" ? true : undefined));
        } finally {
            open.forEach((c) => c.close());
        }
    });

    it(`sends about ${CANARY_WEIGHT}% of connections to the canary (40 connections, tolerance ±4)`, async () => {
        const n = 40;
        const reached = await accepted(async () => {
            for (let i = 0; i < n; i++) {
                // The route also carries maxConnections: the slots of the previous test's held
                // connections free when Traefik has closed both sides, a moment after the client
                // closes. A connection closed for want of a slot reaches no backend, so it is
                // tried again (bounded) and does not count in the split.
                const reply = await eventuallyAsync(10, `c${i} echoed`, async () => {
                    const r = await tcpExchange(port("mytcp"), `c${i}\n`, (d) => d.length >= `c${i}\n`.length, 3000, ALLOWED);
                    return r.data.length > 0 ? r : undefined;
                });
                assert.equal(reply.data.toString(), `c${i}\n`);
            }
        });
        console.log(`      ${n} connections: stable ${reached.stable ?? 0}, canary ${reached.canary ?? 0} (weight ${CANARY_WEIGHT}: ${n * CANARY_WEIGHT / 100} expected)`);
        assert.equal((reached.stable ?? 0) + (reached.canary ?? 0), n);
        assert.ok(Math.abs((reached.canary ?? 0) - n * CANARY_WEIGHT / 100) <= 4, JSON.stringify(reached));
    });

    it("passes a load balancer's client address to the backend in a PROXY v2 header, and only from a trusted load balancer", async () => {
        const header = proxyV1Header("198.51.100.7", 40000, port("redis"));
        const trusted = await tcpExchange(port("redis"), `${header}hello\n`, (d) => d.toString().endsWith("hello\n"));
        const untrusted = await tcpExchange(port("redis"), `${header}hello\n`, (d) => d.toString().endsWith("hello\n"), 3000, "127.0.0.4");
        // The backend reports each header on its stdout, which reaches the test a moment after its answer.
        const events = await eventuallyAsync(5, "the backend's report of both headers", () => {
            const headers = backends.proxy.process.output.split("\n").filter((l) => l.includes('"proxied"')).map((l) => JSON.parse(l) as { backend: string; event: string; version: number; source: string; sourcePort: number });
            const ours = [headers.find((h) => h.source === "198.51.100.7"), headers.find((h) => h.source === "127.0.0.4")];
            return Promise.resolve(ours[0] && ours[1] ? [ours[0], ours[1]] : undefined);
        });
        console.log(`      trusted 127.0.0.1 sent ${JSON.stringify(`${header}hello\n`)}, the backend answered ${JSON.stringify(trusted.data.toString())}; ` +
            `untrusted 127.0.0.4 got ${JSON.stringify(untrusted.data.toString())}; the backend's headers: ${JSON.stringify(events)}`);
        assert.equal(trusted.data.toString(), "198.51.100.7:40000\nhello\n");
        assert.deepEqual(events[0], { backend: "proxy", event: "proxied", version: 2, source: "198.51.100.7", sourcePort: 40000 });
        // An untrusted client's header is read and its address ignored: the backend gets the client's own.
        assert.match(untrusted.data.toString(), /^127\.0\.0\.4:\d+\nhello\n$/);
        assert.deepEqual([events[1].version, events[1].source], [2, "127.0.0.4"]);
    });

    it("terminates TLS 1.3 with a client certificate, refuses TLS 1.2 and a client without a certificate", async () => {
        let good: Awaited<ReturnType<typeof tlsAttempt>> | undefined;
        let old: Awaited<ReturnType<typeof tlsAttempt>> | undefined;
        let anonymous: Awaited<ReturnType<typeof tlsAttempt>> | undefined;
        const bytesBefore = bytesReceived("tls");
        const reached = await accepted(async () => {
            good = await tlsAttempt(port("websecure"), cacheTls(), "mtls\n", 5);
            old = await tlsAttempt(port("websecure"), cacheTls({ maxVersion: "TLSv1.2" }), "old\n", 4);
            anonymous = await tlsAttempt(port("websecure"), cacheTls({ client: undefined }), "anon\n", 5);
        });
        console.log(`      TLS 1.3 + certificate: ${good!.version}, sent "mtls\\n", got ${JSON.stringify(good!.data)}; TLS 1.2: handshake ${old!.handshake}, ${old!.end}; ` +
            `no certificate: handshake ${anonymous!.handshake}, got ${JSON.stringify(anonymous!.data)}, ${anonymous!.end}`);
        assert.deepEqual([good!.version, good!.subjectCN, good!.data], ["TLSv1.3", CACHE_WILDCARD, "mtls\n"]);
        assert.deepEqual([old!.handshake, old!.data], [false, ""]);
        assert.match(old!.end, /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|closed|ECONNRESET/);
        assert.equal(anonymous!.data, "");
        assert.match(anonymous!.end, /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|ECONNRESET|closed/);
        // Traefik dials the backend before the client's handshake ends (its TCP proxy reads through
        // the TLS server connection), so each refused client still opens a backend connection that
        // it closes at once: what tells them apart is that no byte of theirs arrives.
        assert.deepEqual(reached, { tls: 3 });
        assert.equal(bytesReceived("tls") - bytesBefore, "mtls\n".length, "only the authenticated TLS 1.3 client's bytes reached the backend");
    });

    it("matches one wildcard label and no more, and routes by ALPN", async () => {
        let deeper: Awaited<ReturnType<typeof tlsAttempt>> | undefined;
        let postgres: Awaited<ReturnType<typeof tlsAttempt>> | undefined;
        let h2: Awaited<ReturnType<typeof tlsAttempt>> | undefined;
        const reached = await accepted(async () => {
            deeper = await tlsAttempt(port("websecure"), cacheTls({ servername: "a.b.cache.example.com" }), "GET / HTTP/1.1\r\nHost: a.b.cache.example.com\r\nConnection: close\r\n\r\n", 12);
            postgres = await tlsAttempt(port("websecure"), { servername: "db.example.com", caFile: ca, alpn: ["postgresql"] }, "alpn\n", 8);
            h2 = await tlsAttempt(port("websecure"), { servername: "db.example.com", caFile: ca, alpn: ["h2"] }, "", 1, 2000);
        });
        console.log(`      SNI a.b.cache.example.com: served by ${JSON.stringify(deeper!.subjectCN)}, got ${JSON.stringify(deeper!.data.slice(0, 12))}; ` +
            `db.example.com ALPN postgresql: ${JSON.stringify(postgres!.subjectCN)}, sent "alpn\\n", got ${JSON.stringify(postgres!.data)}; ALPN h2: ${JSON.stringify(h2!.subjectCN)}`);
        assert.equal(deeper!.subjectCN, "TRAEFIK DEFAULT CERT", "two labels are not the wildcard's");
        assert.match(deeper!.data, /^HTTP\/1\.1 404/);
        assert.deepEqual([postgres!.subjectCN, postgres!.data], ["db.example.com", "db:alpn\n"]);
        assert.equal(h2!.subjectCN, "TRAEFIK DEFAULT CERT", "another protocol is not db's route");
        assert.deepEqual(reached, { alpn: 1 });
    });

    it("carries a DNS query over the UDP entryPoint to CoreDNS and its answer back", async () => {
        const answer = await dnsQuery(port("dns"), "whoami.example.com");
        console.log(`      A whoami.example.com to 127.0.0.1:${port("dns")}/udp: answer ${answer.end}, addresses ${answer.addresses.join(", ")} (Traefik's address towards CoreDNS: ${netnses.dns.hostAddress})`);
        assert.equal(answer.end, "done");
        // CoreDNS's whoami answers with the address the query came from: Traefik's, on the namespace's link.
        assert.deepEqual(answer.addresses, [netnses.dns.hostAddress]);
        // CoreDNS logs the query on its stdout, which reaches the test a moment after the answer.
        await eventuallyAsync(5, "CoreDNS's log of the query", () => Promise.resolve(/"A IN whoami\.example\.com\. udp/.test(coredns!.output) ? true : undefined));
        assert.equal((await echo(port("mytcp"), "tcp\n")).data.length, 0, "127.0.0.1 is not on the allow-list");
    });

    it(`after SIGTERM keeps serving an open connection for graceTimeOut (${GRACE_SECONDS} s) and refuses new ones`, async function () {
        this.timeout(60_000);
        const held = await HeldConnection.open(port("mytcp"), ALLOWED);
        assert.equal(await held.exchange("before\n", 7), "before\n");
        const sigterm = Date.now();
        traefik!.process.child.kill("SIGTERM");
        await sleep(1000);
        const late = await tcpExchange(port("mytcp"), "late\n", (d) => d.length >= 5, 3000, ALLOWED);
        const during = [await held.exchange("during-1\n", 9)];
        await sleep(2500);
        during.push(await held.exchange("during-4\n", 9));
        await held.closed((GRACE_SECONDS + 5) * 1000);
        const closedAfter = (held.endedAt! - sigterm) / 1000;
        console.log(`      held: "before\\n" echoed; SIGTERM; a new connection ${late.end}; held echoed ${JSON.stringify(during)}; closed by Traefik ${closedAfter.toFixed(1)} s after SIGTERM (${held.ended})`);
        assert.equal(late.end, "ECONNREFUSED");
        assert.deepEqual(during, ["during-1\n", "during-4\n"]);
        assert.ok(closedAfter >= GRACE_SECONDS - 0.5 && closedAfter <= GRACE_SECONDS + 3, `closed ${closedAfter} s after SIGTERM`);
        await eventuallyAsync(10, "Traefik to exit", () => Promise.resolve(traefik!.process.running ? undefined : true));
    });
});
