/**
 * Issue 23 on the wire: the real Prometheus (scripts/prometheus.sh) scrapes the real Traefik
 * v3.7.11 with what the program deployed. `pulumi up` of a stack of its own on chart 41.3.0 with
 * monitoring on; the local control plane has no Prometheus Operator, so the program ships its
 * scrape config and rule file in a ConfigMap, which Prometheus runs as deployed (pod discovery
 * through the API server finds the chart's Traefik pod; its address moves to the local Traefik).
 *
 * - the metrics entryPoint serves only the pod: not on the Service; the NetworkPolicy admits the scraper
 * - clients hold 3 connections on mytcp and 2 on redis: PromQL returns 3 and 2 per entryPoint
 * - mytcp held at its maxConnections (3): EntryPointAtMaxConnections fires, and clears when they close
 * - every query of the deployed dashboard runs; each over Traefik's or Prometheus's series returns data
 * - the certificate Traefik serves for cache (valid one day): CertificateExpiresSoon fires
 * - Traefik stopped: TraefikPodsNotReady fires
 *
 * kube-state-metrics and cert-manager do not run here (the module proxy refuses kube-state-metrics'
 * module): their queries run and return nothing, and their alerts are proven by promtool's rule
 * tests (alertRules.test.ts). Needs root, openssl, the toolchain, Traefik and Prometheus from Go
 * modules, and the local control plane.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { SCRAPE_FILES } from "../../lib/objects/platformObjects";
import { localChartDir } from "../../tools/charts";
import { chartsDir, kubectl, kubectlJson, ProjectCopy } from "../support/harness";
import { Backend, makeCertificates, startNodeBackend } from "./backends";
import { tcpExchange } from "./clients";
import { registerBackends } from "./endpoints";
import { HeldConnection, tlsAttempt } from "./featureClients";
import { createNetns, deleteLeftovers, Netns } from "./netns";
import { eventuallyAsync, sleep } from "./processes";
import { LocalPrometheus, localScrapeConfigs, Sample } from "./prometheus";
import { builtBinary, namespaceExists, tearDown, traefikCrds } from "./release";
import { clusterAccess, LocalTraefik, localTraefikConfig, readDeployedTraefik } from "./traefik";

const STACK = "monitoring";
const SPACE = { prefix: "tcpm23-", base: "10.206" };
const quiet = { onOutput: () => undefined };
const MAX_CONNECTIONS = 3;
const HELD = { mytcp: MAX_CONNECTIONS, redis: 2 };
const JOB = "traefik/traefik-ingress-metrics";
const CACHE_HOST = "cache.example.com";
const HELLO_HOST = "hello.example.com";

const BACKENDS = {
    echo: { service: "tcp-echo-service", subnet: 1, port: 3333 },
    redis: { service: "redis-service", subnet: 2, port: 6379 },
    cache: { service: "cache-service", subnet: 3, port: 6379 },
    hello: { service: "hello-api-service", subnet: 4, port: 8080 },
} as const;
type Role = keyof typeof BACKENDS;

function monitoringStack(config: Record<string, any>): void {
    config["tcp-platform:traefik"].chart.path = localChartDir(chartsDir, "41.3.0");
    config["tcp-platform:traefik"].installer = "release";
    config["tcp-platform:apps"] = {
        "tcp-demo": { entryPoint: { name: "mytcp", port: 9999, nodePort: 30999 }, maxConnections: MAX_CONNECTIONS, replicas: 0 },
        "redis-demo": { entryPoint: { name: "redis", port: 6379, nodePort: 30379 }, replicas: 0 },
        cache: { host: CACHE_HOST, tls: { secretName: "cache-tls" }, replicas: 0 },
        "hello-api": { host: HELLO_HOST, replicas: 0 },
    };
    config["tcp-platform:monitoring"] = { scraper: { namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "prometheus" } }, scrapeInterval: 1 };
}

const byEntryPoint = (samples: Sample[]) => Object.fromEntries(samples.map((s) => [s.metric.entrypoint, s.value]));

describe("monitoring: the real Prometheus scrapes the real Traefik with what the program deployed (issue 23)", function () {
    this.timeout(15 * 60 * 1000);
    let project: ProjectCopy | undefined;
    let stack: Stack | undefined;
    let work: string;
    let ca: string;
    let traefik: LocalTraefik | undefined;
    let prometheus: LocalPrometheus | undefined;
    const netnses = {} as Record<Role, Netns>;
    const backends = {} as Record<Role, Backend>;
    const held: HeldConnection[] = [];
    let failed = false;
    let crdsBefore = new Set<string>();
    const port = (entryPoint: string) => traefik!.port(entryPoint);
    const firing = async (alertname: string) => (await prometheus!.alerts()).filter((a) => a.labels.alertname === alertname && a.state === "firing");

    before(async function () {
        this.timeout(45 * 60 * 1000);
        failed = true;
        deleteLeftovers(SPACE);
        const traefikBinary = builtBinary("traefik.sh");
        const prometheusBinary = builtBinary("prometheus.sh");
        work = fs.mkdtempSync(path.join(os.tmpdir(), "tcp-platform-e2e-monitoring-"));
        let certs;
        ({ ca, certs } = makeCertificates(path.join(work, "certs"), [CACHE_HOST]));

        project = new ProjectCopy();
        for (const namespace of ["backend", "traefik"]) {
            assert.ok(!namespaceExists(project.env, namespace), `namespace ${namespace} exists: another stack uses this cluster; destroy it first`);
        }
        crdsBefore = new Set(traefikCrds(project.env));
        stack = await project.stack(STACK, "dev", monitoringStack);
        for (const [role, spec] of Object.entries(BACKENDS) as [Role, (typeof BACKENDS)[Role]][]) {
            netnses[role] = createNetns(role, spec.subnet, SPACE);
            backends[role] = await startNodeBackend(role, netnses[role], spec.port, work);
        }
        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        const cert = certs[CACHE_HOST];
        kubectl(project.env, "create", "secret", "tls", "cache-tls", "-n", "backend", `--cert=${cert.cert}`, `--key=${cert.key}`);
        registerBackends(project.env, "backend", BACKENDS, netnses);

        const deployed = readDeployedTraefik(project.env);
        const config = await localTraefikConfig(deployed.args, clusterAccess(project.env, deployed, work));
        traefik = await LocalTraefik.start(traefikBinary, config, path.join(work, "traefik.log"), deployed.namespace);

        // Prometheus with the deployed ConfigMap's scrape config and rule file.
        const data = kubectlJson(project.env, "get", "configmap", "traefik-ingress-prometheus", "-n", "traefik").data as Record<string, string>;
        const files = { scrapeConfigs: path.join(work, SCRAPE_FILES.scrapeConfigs), rules: path.join(work, SCRAPE_FILES.rules) };
        fs.writeFileSync(files.scrapeConfigs, YAML.stringify(localScrapeConfigs(data[SCRAPE_FILES.scrapeConfigs], project.env.KUBECONFIG, port("metrics"))));
        fs.writeFileSync(files.rules, data[SCRAPE_FILES.rules]);
        prometheus = await LocalPrometheus.start(prometheusBinary, path.join(work, "prometheus"), files, 1);
        await eventuallyAsync(90, "Prometheus scraping Traefik through pod discovery", async () => {
            const up = await prometheus!.query(`up{job="${JOB}"}`);
            return up.length === 1 && up[0].value === 1 ? up : undefined;
        }).catch(async (err: Error) => {
            throw new Error(`${err.message}; targets: ${JSON.stringify(await prometheus!.targets())}`);
        });
        failed = false;
    });

    afterEach(function () {
        failed ||= this.currentTest?.state === "failed";
    });

    after(async function () {
        this.timeout(10 * 60 * 1000);
        held.forEach((c) => c.close());
        if (failed && prometheus) {
            console.log(`--- Prometheus's last output:\n${prometheus.process.tail(30)}`);
        }
        await prometheus?.stop();
        await tearDown({ traefik, stack, project, crdsBefore, work, failed, processes: Object.values(backends).map((b) => b.process), netnses: Object.values(netnses) });
    });

    it("serves metrics on the metrics entryPoint only, admits the scraper there, and ships the plain scrape objects", async () => {
        const env = project!.env;
        const args = readDeployedTraefik(env).args;
        for (const flag of ["--metrics.prometheus=true", "--metrics.prometheus.entrypoint=metrics", "--metrics.prometheus.addEntryPointsLabels=true",
            "--metrics.prometheus.addServicesLabels=true", "--entryPoints.metrics.address=:9100/tcp"]) {
            assert.ok(args.includes(flag), `${flag} in ${args.join(" ")}`);
        }
        const service = kubectlJson(env, "get", "service", "traefik-ingress", "-n", "traefik");
        const ports = service.spec.ports.map((p: any) => `${p.name} ${p.targetPort}`);
        assert.ok(!ports.some((p: string) => p.startsWith("metrics") || p.endsWith(" 9100")), `no metrics port on the Service: ${ports.join(", ")}`);
        const policy = kubectlJson(env, "get", "networkpolicy", "traefik-ingress-ingress", "-n", "traefik").spec;
        assert.deepEqual(policy.ingress[1], {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
            ports: [{ port: 9100, protocol: "TCP" }],
        });
        assert.deepEqual(policy.ingress[0].ports.map((p: any) => p.port).sort(), [6379, 8000, 8443, 9999]);
        // No operator here: the scrape ConfigMap, no PodMonitor kind.
        assert.ok(!kubectlJson(env, "get", "crd").items.some((c: any) => c.spec.group === "monitoring.coreos.com"));
        const dashboard = kubectlJson(env, "get", "configmap", "traefik-ingress-dashboard", "-n", "traefik");
        assert.equal(dashboard.metadata.labels.grafana_dashboard, "1");
        const targets = (await prometheus!.targets()).filter((t) => t.job === JOB);
        console.log(`      Prometheus's target for job ${JOB}: ${targets.map((t) => `${t.scrapeUrl} ${t.health}`).join(", ")} (the pod discovered through the API server, moved to the local Traefik)`);
    });

    it(`counts the test's open connections per entryPoint: ${HELD.mytcp} on mytcp, ${HELD.redis} on redis`, async () => {
        for (const [entryPoint, count] of Object.entries(HELD)) {
            for (let i = 0; i < count; i++) {
                const connection = await HeldConnection.open(port(entryPoint));
                held.push(connection);
                assert.equal(await connection.exchange(`${entryPoint}-${i}\n`, `${entryPoint}-${i}\n`.length), `${entryPoint}-${i}\n`);
            }
        }
        const expr = `sum by (entrypoint) (traefik_open_connections{job="${JOB}",protocol="TCP",entrypoint=~"mytcp|redis"})`;
        const counts = await eventuallyAsync(30, "the held connections in Prometheus", async () => {
            const result = byEntryPoint(await prometheus!.query(expr));
            return result.mytcp === HELD.mytcp && result.redis === HELD.redis ? result : undefined;
        });
        console.log(`      ${expr} → ${JSON.stringify(counts)}`);
        assert.deepEqual(counts, HELD);
    });

    it(`fires EntryPointAtMaxConnections while mytcp holds ${MAX_CONNECTIONS} connections (for 1m), and clears it when they close`, async function () {
        this.timeout(4 * 60 * 1000);
        const t0 = Date.now();
        const alerts = await eventuallyAsync(100, "EntryPointAtMaxConnections firing", async () => {
            const list = await firing("EntryPointAtMaxConnections");
            return list.length > 0 ? list : undefined;
        });
        console.log(`      firing after ${((Date.now() - t0) / 1000).toFixed(0)} s: ${JSON.stringify(alerts.map((a) => a.labels))}`);
        assert.deepEqual(alerts.map((a) => [a.labels.app, a.labels.entrypoint]), [["tcp-demo", "mytcp"]]);
        await runDashboardQueries();
        held.splice(0).forEach((c) => c.close());
        await eventuallyAsync(30, "EntryPointAtMaxConnections to clear", async () => ((await firing("EntryPointAtMaxConnections")).length === 0 ? true : undefined));
        console.log("      cleared once the connections closed");
    });

    /** Every target of the deployed dashboard, run while the connections are held. */
    async function runDashboardQueries(): Promise<void> {
        // Traffic for the websecure and web panels, a few seconds apart so that rates have two samples: TLS exchanges with cache, HTTP requests to hello-api.
        let http: Awaited<ReturnType<typeof tcpExchange>> | undefined;
        for (let i = 0; i < 4; i++) {
            assert.equal((await tlsAttempt(port("websecure"), { servername: CACHE_HOST, caFile: ca }, "tls\n", 4)).data, "tls\n");
            http = await tcpExchange(port("web"), `GET / HTTP/1.1\r\nHost: ${HELLO_HOST}\r\nConnection: close\r\n\r\n`, (d) => d.includes("\r\n\r\n"));
            await sleep(1500);
        }

        const json = JSON.parse(Object.values(kubectlJson(project!.env, "get", "configmap", "traefik-ingress-dashboard", "-n", "traefik").data as Record<string, string>)[0]);
        const targets: { panel: string; expr: string }[] = (json.panels as any[]).flatMap((p) => (p.targets ?? []).map((t: any) => ({ panel: p.title as string, expr: t.expr as string })));
        // The rates and derivatives need samples on both sides of the traffic.
        await sleep(3000);
        console.log(`      GET / Host ${HELLO_HOST} on web (to the echo server, which answers no HTTP): ${JSON.stringify(http!.data.toString().split("\r\n")[0])}; ` +
            `Traefik's services: ${JSON.stringify((await prometheus!.query("traefik_service_requests_total")).map((s) => [s.metric.service, s.metric.code, s.value]))}`);
        const results = await Promise.all(targets.map(async (t) => ({ ...t, samples: await prometheus!.query(t.expr) })));
        for (const r of results) {
            console.log(`      ${r.samples.length > 0 ? "data" : "none"}  ${r.panel}: ${r.expr} → ${JSON.stringify(r.samples.map((s) => [s.metric, Number(s.value.toFixed(3))]))}`);
        }
        const elsewhere = /kube_endpoint_|certmanager_/;
        assert.deepEqual(results.filter((r) => !elsewhere.test(r.expr) && r.samples.length === 0).map((r) => r.expr), [], "every query of Traefik's and Prometheus's series returns data");
        assert.ok(results.some((r) => elsewhere.test(r.expr)), "the dashboard reads kube-state-metrics too");
        if (process.env.TCP_PLATFORM_DASHBOARD_SNAPSHOT) {
            const series = await Promise.all(targets.map(async (t) => ({ ...t, series: await prometheus!.queryRange(t.expr, 180, 2) })));
            fs.writeFileSync(process.env.TCP_PLATFORM_DASHBOARD_SNAPSHOT, JSON.stringify({ dashboard: json, series }, null, 1));
        }
    }

    it("fires CertificateExpiresSoon for the certificate Traefik serves for cache (valid one day)", async () => {
        const alerts = await eventuallyAsync(30, "CertificateExpiresSoon firing", async () => {
            const list = await firing("CertificateExpiresSoon");
            return list.length > 0 ? list : undefined;
        });
        console.log(`      ${JSON.stringify(alerts.map((a) => a.labels))}`);
        assert.deepEqual(alerts.map((a) => [a.labels.app, a.labels.sans]), [["cache", CACHE_HOST]]);
    });

    it("fires TraefikPodsNotReady once Traefik has stopped answering for a minute", async function () {
        this.timeout(4 * 60 * 1000);
        await traefik!.stop();
        const t0 = Date.now();
        const alerts = await eventuallyAsync(120, "TraefikPodsNotReady firing", async () => {
            const list = await firing("TraefikPodsNotReady");
            return list.length > 0 ? list : undefined;
        });
        console.log(`      Traefik stopped; up{job="${JOB}"} → ${JSON.stringify(await prometheus!.query(`up{job="${JOB}"}`))}; firing after ${((Date.now() - t0) / 1000).toFixed(0)} s: ${JSON.stringify(alerts.map((a) => a.labels))}`);
        assert.equal(alerts.length, 1);
    });
});
