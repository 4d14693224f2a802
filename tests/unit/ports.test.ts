/**
 * Port planning without a hand-kept table (`npm run ports -- --stack <name> --assign <app>`): a
 * free entryPoint port and NodePort, outside every port the stack reserves or uses, chosen the
 * same way every time and written into the stack file with its comments kept.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { AppSpec, Catalog } from "../../lib/catalog";
import { projectCatalog } from "../../lib/config/catalogFiles";

const catalog = projectCatalog();
import { parseConfig } from "../../lib/config/parse";
import { stackFile } from "../../lib/config/load";
import { assignPorts, entryPointNameFor } from "../../lib/plan/portAssignment";
import { formatProblem, Problem } from "../../lib/problems";
import { poolTable, poolTableMarkdown, portTable } from "../../lib/plan/portTable";
import { validate } from "../../lib/rules/validate";
import { rawConfigOfText, withEntryPoint } from "../../tools/stackFile";
import { devWith, projectDir } from "../support/helpers";

const tcpApp = (id: string, servicePort: number): AppSpec => ({
    kind: "tcp", namespace: "backend", deploymentName: id, stem: id.replace(/-demo$/, ""), selector: { app: id }, replicas: 1, portName: "tcp", servicePort,
    container: { name: id, image: `${id}:1.0`, placeholder: false, port: servicePort, listen: { arg: "--port" }, runAsUser: 10001 },
});

const withApps: Catalog = { ...catalog, "memcached-demo": tcpApp("memcached-demo", 11211), "redis2-demo": tcpApp("redis2-demo", 6379), "sql-demo": tcpApp("sql-demo", 13306) };

function assign(app: string, change: (values: Record<string, any>) => void = () => undefined, name?: string) {
    const config = parseConfig(devWith((v) => { v.apps[app] ??= {}; change(v); }), withApps);
    return assignPorts(config, withApps, app, name);
}

describe("port planning (npm run ports -- --assign)", () => {
    it("gives an app its own port where free, and the NodePort the seed's table pairs with it", () => {
        assert.deepEqual(assign("redis-demo", (v) => { delete v.apps["redis-demo"].entryPoint; }), { app: "redis-demo", name: "redis", port: 6379, nodePort: 30379 });
        assert.deepEqual(assign("memcached-demo"), { app: "memcached-demo", name: "memcached", port: 11211, nodePort: 30211 });
    });

    it("gives a UDP app an entryPoint of its own, off the privileged port its Service uses", () => {
        assert.deepEqual(assignPorts(parseConfig(devWith((v) => { v.apps["dns-demo"] ??= {}; }), catalog), catalog, "dns-demo"),
            { app: "dns-demo", name: "dns", port: 10000, nodePort: 30000 });
    });

    it("goes round every port the stack reserves or uses, the same way every time", () => {
        // 6379 is redis-demo's: the first free port from 10000, and its paired NodePort.
        assert.deepEqual(assign("redis2-demo"), { app: "redis2-demo", name: "redis2", port: 10000, nodePort: 30000 });
        assert.deepEqual(assign("redis2-demo"), assign("redis2-demo"));
        // 13306 is free, but its paired NodePort 30306 is mysql-demo's: the first free NodePort.
        assert.deepEqual(assign("sql-demo"), { app: "sql-demo", name: "sql", port: 13306, nodePort: 30000 });
        // Traefik's own ports (9000 in the pod for chart 26, 8000/80, 8443/443, 9100) are never handed out.
        const crowded = assign("redis2-demo", (v) => {
            v.apps["tcp-demo"].entryPoint = { name: "mytcp", port: 10000, exposedPort: 10001, nodePort: 30000 };
        });
        assert.deepEqual(crowded, { app: "redis2-demo", name: "redis2", port: 10002, nodePort: 30002 });
    });

    it("keeps the entryPoint name the stack gives, or takes --name, and refuses one that is taken", () => {
        assert.equal((assign("memcached-demo", (v) => { v.apps["memcached-demo"] = { entryPoint: { name: "cache1" } }; }) as { name: string }).name, "cache1");
        assert.equal((assign("memcached-demo", () => undefined, "mc") as { name: string }).name, "mc");
        assert.equal(formatProblem(assign("memcached-demo", () => undefined, "websecure") as Problem),
            'tcp-platform:apps.memcached-demo.entryPoint.name: is already an entryPoint of this stack (Traefik\'s own or another app\'s) (got "websecure"). Fix: name another one: --name <entryPoint>');
        assert.equal(entryPointNameFor("a-very-long-application-demo"), "a-very-long-app");
    });

    it("claims the first free entryPoint of the port pool (a route only), and declares one of its own only when the pool is full or --name is given", () => {
        const pool = (size: number) => (v: Record<string, any>) => { v.traefik.portPool = { port: 20000, nodePort: 32000, size }; v.apps["tcp-demo"].entryPoint = { name: "pool-20000" }; };
        assert.deepEqual(assign("memcached-demo", pool(2)), { app: "memcached-demo", name: "pool-20001", port: 20001, nodePort: 32001, pool: true });
        assert.deepEqual(assign("memcached-demo", pool(1)), { app: "memcached-demo", name: "memcached", port: 11211, nodePort: 30211 });
        assert.deepEqual(assign("memcached-demo", pool(2), "mc"), { app: "memcached-demo", name: "mc", port: 11211, nodePort: 30211 });
        // A UDP app: the pool is TCP.
        assert.equal((assignPorts(parseConfig(devWith((v) => { pool(2)(v); v.apps["dns-demo"] ??= {}; }), catalog), catalog, "dns-demo") as { pool?: true }).pool, undefined);
        // Written as a claim by name, and the pool's table shows it claimed.
        const committed = fs.readFileSync(stackFile("dev", projectDir), "utf8");
        const withPool = committed.replace("    releaseName: traefik-ingress\n", "    releaseName: traefik-ingress\n    portPool: {port: 20000, nodePort: 32000, size: 2}\n");
        const written = withEntryPoint(withPool.replace("      entryPoint: {name: redis, port: 6379, nodePort: 30379}\n", ""), { app: "redis-demo", name: "pool-20000", port: 20000, nodePort: 32000, pool: true });
        assert.match(written, /\n {4}redis-demo:\n {6}entryPoint: \{name: pool-20000\}\n/);
        const plan = validate(rawConfigOfText(written, "dev", projectDir));
        assert.deepEqual(portTable(plan).find((r) => r.app === "redis-demo"), {
            app: "redis-demo", entryPoint: "pool-20000", traefikPort: 20000, exposedPort: 20000, nodePort: 32000, backend: "redis-service:6379", match: "HostSNI(`*`)",
        });
        assert.deepEqual(poolTable(plan), [{ entryPoint: "pool-20000", traefikPort: 20000, nodePort: 32000, claimedBy: "redis-demo" }, { entryPoint: "pool-20001", traefikPort: 20001, nodePort: 32001 }]);
        assert.equal(poolTableMarkdown(poolTable(plan)), "| pool entryPoint | Traefik port | NodePort | claimed by |\n| --- | --- | --- | --- |\n| pool-20000 | 20000 | 32000 | redis-demo |\n| pool-20001 | 20001 | 32001 | (free) |\n");
        assert.equal(poolTableMarkdown(poolTable(validate(rawConfigOfText(committed, "dev", projectDir)))), "", "no pool, no table");
    });

    it("refuses apps that take no port of their own", () => {
        assert.deepEqual([assign("db"), assign("hello-api")].map((p) => formatProblem(p as Problem)), [
            'tcp-platform:apps.db.entryPoint: does not apply: TLS app db shares websecure by SNI, with no port of its own (got "db"). Fix: give it a host instead (apps.<app>.host)',
            'tcp-platform:apps.hello-api.entryPoint: does not apply: HTTP app hello-api is routed on Traefik\'s "web" entryPoint (got "hello-api"). Fix: assign ports to a plain-TCP app',
        ]);
    });

    it("writes the assignment into the stack file, every comment and value of it kept", () => {
        const committed = fs.readFileSync(stackFile("dev", projectDir), "utf8");
        const without = committed.replace("      entryPoint: {name: redis, port: 6379, nodePort: 30379}\n", "");
        assert.notEqual(without, committed);
        const assignment = assign("redis-demo", (v) => { delete v.apps["redis-demo"].entryPoint; });
        assert.ok(!("problem" in assignment));
        const written = withEntryPoint(without, assignment);
        assert.equal(written, committed);
        const plan = validate(rawConfigOfText(written, "dev", projectDir));
        assert.deepEqual(portTable(plan).find((r) => r.app === "redis-demo"), {
            app: "redis-demo", entryPoint: "redis", traefikPort: 6379, exposedPort: 6379, nodePort: 30379, backend: "redis-service:6379", match: "HostSNI(`*`)",
        });
        // An app listed with nothing under it gets a mapping of its own.
        const listed = withEntryPoint(without.replace("    mysql-demo:\n", "    memcached-demo:\n    mysql-demo:\n"), { app: "memcached-demo", name: "memcached", port: 11211, nodePort: 30211 });
        assert.match(listed, /\n {4}memcached-demo:\n {6}entryPoint: \{name: memcached, port: 11211, nodePort: 30211\}\n {4}mysql-demo:\n/);
    });
});
