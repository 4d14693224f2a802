/**
 * Monitoring (issue 23) without a cluster: `tcp-platform:monitoring` off when empty and checked
 * when set; Traefik's metrics values on both chart lines (the metrics port never on the Service);
 * the NetworkPolicy that admits only the scraper there; PodMonitor and PrometheusRule where the
 * live check finds the operator's CRDs, the scrape ConfigMap where it does not; the generated
 * dashboard and alerts for what each chart line's Traefik measures, each runbook link resolving.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { checkCluster } from "../../lib/live/checks";
import { ClusterReader, LiveRead } from "../../lib/live/cluster";
import { ALERTS, alertRules } from "../../lib/plan/alerts";
import { dashboardRows, grafanaDashboard } from "../../lib/plan/dashboard";
import { traefikValues } from "../../lib/plan/chartValues";
import { promString } from "../../lib/plan/promql";
import { scrapeConfig } from "../../lib/plan/scrape";
import { validate } from "../../lib/rules/validate";
import { evaluate } from "../../tools/evaluate";
import { manifestsOf } from "../../tools/manifests";
import { devWith, problemsOf, projectDir, stackRaw } from "../support/helpers";
import { anchorsOf } from "./docs.test";

const chart41 = (change: (v: Record<string, any>) => void = () => undefined) => devWith((v) => {
    v.traefik.chart.version = "41.3.0";
    v.apps["tcp-demo"].maxConnections = 3;
    change(v);
});

/** A cluster that serves these CRDs (by name) at these versions, cert-manager's (which dev's certificates need), and nothing else. */
function withCrds(crds: Record<string, string[]>): ClusterReader {
    const served: Record<string, string[]> = { "certificates.cert-manager.io": ["v1"], ...crds };
    const crd = (name: string): LiveRead => (served[name] ? { name, labels: {}, ownerReferences: [], crd: { served: served[name], annotations: {} } } : "absent");
    return {
        describe: "in-memory",
        read: (ref) => Promise.resolve(ref.kind === "CustomResourceDefinition" ? crd(ref.name) : "absent"),
        services: () => Promise.resolve([]),
        claims: () => Promise.resolve([]),
        namespaceContents: () => Promise.resolve([]),
    };
}

describe("monitoring", () => {
    describe("config", () => {
        it("is off when unset or empty: no metrics values, no monitoring object", () => {
            const plan = validate(devWith((v) => { v.monitoring = {}; }));
            assert.equal(plan.traefik.monitoring, undefined);
            assert.equal((traefikValues(plan.traefik) as any).metrics, undefined);
            assert.ok(!plan.objects.some((o) => o.path === "tcp-platform:monitoring"));
        });

        it("refuses a monitoring block without a scraper, and a bad interval, naming the key", () => {
            const problems = problemsOf(devWith((v) => { v.monitoring = { scrapeInterval: "soon" }; }));
            assert.ok(problems.some((p) => p.startsWith("tcp-platform:monitoring.scraper:")), problems.join("\n"));
            assert.ok(problems.some((p) => p.startsWith('tcp-platform:monitoring.scrapeInterval: is not a duration (got "soon")')), problems.join("\n"));
        });
    });

    describe("Traefik's metrics", () => {
        it("turns on Prometheus metrics on the metrics entryPoint with entryPoint and service labels, on both chart lines", () => {
            for (const version of ["26.0.0", "41.3.0"]) {
                const plan = validate(devWith((v) => { v.traefik.chart.version = version; }));
                assert.deepEqual((traefikValues(plan.traefik) as any).metrics, { prometheus: { entryPoint: "metrics", addEntryPointsLabels: true, addServicesLabels: true } }, version);
                assert.equal(plan.traefik.monitoring?.port, 9100);
            }
        });

        it("leaves the metrics port off Traefik's Service: both charts' values.yaml keep it unexposed", () => {
            for (const version of ["26.0.0", "41.3.0"]) {
                const values = execFileSync("tar", ["-xzOf", path.join(projectDir, "..", "shared", "charts", `traefik-${version}.tgz`), "traefik/values.yaml"], { encoding: "utf8" });
                const metrics = YAML.parse(values).ports.metrics;
                assert.deepEqual([metrics.port, metrics.expose], [9100, version === "26.0.0" ? false : { default: false }], version);
            }
        });

        it("admits anyone to the Service's entryPoints and only the scraper's pods to the metrics port", async () => {
            const { resources } = await evaluate(stackRaw("dev"), "dev");
            const policy = manifestsOf(resources).find((m) => m.kind === "NetworkPolicy" && m.metadata.namespace === "traefik") as any;
            assert.deepEqual(policy.spec.podSelector, { matchLabels: { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-ingress-traefik" } });
            assert.deepEqual(policy.spec.ingress, [
                { ports: [8000, 8443, 9999, 6379, 3306].map((port) => ({ port, protocol: "TCP" })) },
                {
                    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
                    ports: [{ port: 9100, protocol: "TCP" }],
                },
            ]);
        });
    });

    describe("scraping, as the cluster has it", () => {
        const both = { "podmonitors.monitoring.coreos.com": ["v1"], "prometheusrules.monitoring.coreos.com": ["v1"] };
        it("decides PodMonitor and PrometheusRule when the operator's CRDs serve v1, the scrape ConfigMap otherwise", async () => {
            const plan = validate(stackRaw("dev"));
            assert.equal((await checkCluster(plan, false, withCrds(both))).scrape, "operator");
            assert.equal((await checkCluster(plan, false, withCrds({ "podmonitors.monitoring.coreos.com": ["v1"] }))).scrape, "plain");
            assert.equal((await checkCluster(plan, false, withCrds({}))).scrape, "plain");
            assert.equal((await checkCluster(validate(devWith((v) => { v.monitoring = {}; })), false, withCrds(both))).scrape, undefined);
        });

        it("creates the operator's objects, or a ConfigMap with the same scrape job and the rule file", async () => {
            const operator = manifestsOf((await evaluate(stackRaw("dev"), "dev", [], undefined, { scrape: "operator" })).resources);
            const plain = manifestsOf((await evaluate(stackRaw("dev"), "dev", [], undefined, { scrape: "plain" })).resources);
            const kinds = (ms: typeof plain) => ms.filter((m) => m.metadata.namespace === "traefik").map((m) => `${m.kind}/${m.metadata.name}`).sort();
            assert.deepEqual(kinds(operator), ["ConfigMap/traefik-ingress-dashboard", "NetworkPolicy/traefik-ingress-ingress", "PodMonitor/traefik-ingress-metrics", "PrometheusRule/traefik-ingress-alerts"]);
            assert.deepEqual(kinds(plain), ["ConfigMap/traefik-ingress-dashboard", "ConfigMap/traefik-ingress-prometheus", "NetworkPolicy/traefik-ingress-ingress"]);
            const plan = validate(stackRaw("dev"));
            const podMonitor = operator.find((m) => m.kind === "PodMonitor") as any;
            assert.deepEqual(podMonitor.spec, {
                selector: { matchLabels: { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-ingress-traefik" } },
                namespaceSelector: { matchNames: ["traefik"] },
                podMetricsEndpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
            });
            const data = (plain.find((m) => m.metadata.name === "traefik-ingress-prometheus") as any).data;
            const job = YAML.parse(data["scrape-configs.yaml"]).scrape_configs[0];
            // The operator names a PodMonitor's job <namespace>/<name>: the series carry the same job either way.
            assert.equal(job.job_name, `traefik/${podMonitor.metadata.name}`);
            assert.deepEqual(job, scrapeConfig(plan.traefik.monitoring!));
            assert.deepEqual(YAML.parse(data["rules.yaml"]).groups, (operator.find((m) => m.kind === "PrometheusRule") as any).spec.groups);
        });
    });

    describe("the dashboard", () => {
        it("has Traefik's row, then one row per app; on chart 26 a TCP app's row says Traefik v2 counts no TCP connections", () => {
            const plan = validate(stackRaw("dev"));
            const rows = dashboardRows(plan);
            assert.deepEqual(rows.map((r) => r.app), [undefined, ...plan.apps.map((a) => a.id)]);
            const tcp = rows.find((r) => r.app === "tcp-demo")!;
            assert.deepEqual(tcp.panels.map((p) => p.kind), ["text", "timeseries"]);
            assert.match(tcp.panels[0].text!, /Traefik v2 \(chart 26\.0\.0\) measures no TCP connections/);
            assert.deepEqual(tcp.panels[1].queries[0], { expr: 'sum by (endpoint) (kube_endpoint_address{namespace="backend",endpoint="tcp-echo-service",ready="true"})', legend: "{{endpoint}}", source: "kube-state-metrics" });
            assert.equal(rows.find((r) => r.app === "db")!.panels.at(-1)!.queries[0].source, "cert-manager");
        });

        it("on chart 41 shows each TCP app's entryPoint connections, the limit drawn, and the HTTP app's requests and bytes", () => {
            const rows = dashboardRows(validate(chart41((v) => { v.apps["tcp-demo"].canary = { newTag: "1.1", weight: 10 }; })));
            const tcp = rows.find((r) => r.app === "tcp-demo")!;
            assert.equal(tcp.title, "tcp-demo: mytcp :9999/TCP, NodePort 30999 → backend/tcp-echo-service");
            assert.deepEqual(tcp.panels.map((p) => p.queries.map((q) => q.expr)), [
                ['sum by (entrypoint) (traefik_open_connections{job="traefik/traefik-ingress-metrics",entrypoint="mytcp",protocol="TCP"})'],
                ['sum by (entrypoint) (deriv(traefik_open_connections{job="traefik/traefik-ingress-metrics",entrypoint="mytcp",protocol="TCP"}[120s]))'],
                ['sum by (endpoint) (kube_endpoint_address{namespace="backend",endpoint=~"tcp-echo-service|tcp-echo-canary-service",ready="true"})'],
            ]);
            assert.deepEqual(tcp.panels[0].threshold, { value: 3, alarm: "above" });
            assert.match(rows.find((r) => r.app === "db")!.panels[0].title, /websecure, shared with cache/);
            const http = rows.find((r) => r.app === "hello-api")!;
            assert.deepEqual(http.panels.slice(0, 2).flatMap((p) => p.queries.map((q) => q.source)), ["traefik", "traefik", "traefik"]);
            assert.match(http.panels[1].queries[1].expr, /traefik_service_responses_bytes_total\{job="traefik\/traefik-ingress-metrics",service=~"backend-hello-api-route-\[0-9a-f\]\+@kubernetescrd"\}/);
        });

        it("ships as a ConfigMap with the grafana_dashboard label, holding the dashboard's JSON", async () => {
            const { resources, platform } = await evaluate(stackRaw("dev"), "dev");
            const configMap = manifestsOf(resources).find((m) => m.metadata.name === "traefik-ingress-dashboard") as any;
            assert.equal(configMap.metadata.labels.grafana_dashboard, "1");
            const json = JSON.parse(configMap.data["tcp-platform-dev.json"]) as { panels: { type: string; targets?: { expr: string }[] }[] };
            assert.deepEqual(json, grafanaDashboard(platform.plan));
            const targets = json.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
            assert.deepEqual(targets, dashboardRows(platform.plan).flatMap((r) => r.panels.flatMap((p) => p.queries.map((q) => q.expr))));
            assert.equal(json.panels.filter((p) => p.type === "row").length, platform.plan.apps.length + 1);
        });
    });

    describe("the alerts", () => {
        it("quotes label values as PromQL string literals", () => {
            assert.equal(promString('a"b\\c'), '"a\\"b\\\\c"');
        });

        it("alert on Traefik's pods, every app with replicas, and each certificate; the connection limit only where Traefik v3 counts", () => {
            const names = (plan: ReturnType<typeof validate>) => alertRules(plan)[0].rules.map((r) => `${r.alert} ${r.labels.app ?? ""}`.trim());
            assert.deepEqual(names(validate(devWith((v) => { v.apps["tcp-demo"].maxConnections = 3; v.apps["redis-demo"].replicas = 0; }))), [
                "TraefikPodsNotReady", ...["tcp-demo", "mysql-demo", "hello-api", "db", "cache"].map((a) => `AppNoReadyEndpoint ${a}`), "CertificateExpiresSoon db", "CertificateExpiresSoon cache",
            ]);
            assert.ok(names(validate(chart41())).includes("EntryPointAtMaxConnections tcp-demo"));
        });

        it("link each alert to its runbook section in docs/monitoring.md, which exists", () => {
            const anchors = anchorsOf(fs.readFileSync(path.join(projectDir, "docs", "monitoring.md"), "utf8"));
            const rules = alertRules(validate(chart41((v) => { v.apps.cache.tls = { secretName: "cache-tls" }; })))[0].rules;
            assert.deepEqual([...new Set(rules.map((r) => r.alert))].sort(), Object.values(ALERTS).sort());
            for (const rule of rules) {
                const [file, anchor] = rule.annotations.runbook_url.split("#");
                assert.equal(file, "docs/monitoring.md");
                assert.ok(anchors.has(anchor), `${rule.alert}: #${anchor} in docs/monitoring.md`);
            }
            const base = alertRules(validate(devWith((v) => { v.monitoring.runbookBaseUrl = "https://git.example.com/tcp-platform/blob/main/"; })))[0].rules[0];
            assert.equal(base.annotations.runbook_url, "https://git.example.com/tcp-platform/blob/main/docs/monitoring.md#traefikpodsnotready");
        });
    });

    it("render writes the dashboard JSON and the files for a Prometheus without the operator", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "render-monitoring-"));
        try {
            execFileSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(projectDir, "tools", "render.ts"), "--stack", "dev", "--out", out], { cwd: projectDir, stdio: "pipe", timeout: 120_000 });
            assert.equal(JSON.parse(fs.readFileSync(path.join(out, "dashboard.json"), "utf8")).uid, "tcp-platform-dev");
            assert.equal(YAML.parse(fs.readFileSync(path.join(out, "prometheus", "rules.yaml"), "utf8")).groups[0].name, "tcp-platform-dev");
            assert.equal(YAML.parse(fs.readFileSync(path.join(out, "prometheus", "scrape-configs.yaml"), "utf8")).scrape_configs[0].job_name, "traefik/traefik-ingress-metrics");
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
