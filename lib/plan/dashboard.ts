/**
 * The stack's Grafana dashboard, generated from the valid plan: a row for Traefik, then one row
 * per app — open connections of its entryPoint and their change per second (Traefik v3 counts TCP
 * connections per entryPoint, v2 none), requests and bytes where Traefik has them (HTTP apps: it
 * has no byte counters for TCP routes), the ready endpoints of its Services (kube-state-metrics),
 * and its certificate's days left. `dashboardRows` is the plan of it (the e2e tier runs every
 * query); `grafanaDashboard` the JSON Grafana's sidecar loads. Pure.
 */
import type { PlannedApp, PlatformPlan } from "../model";
import type { PlannedMonitoring } from "../traefikModel";
import { literalRegex, range, selector } from "./promql";

/** Where a query's series come from: what the cluster's Prometheus must scrape for it to return data. */
export type QuerySource = "traefik" | "prometheus" | "kube-state-metrics" | "cert-manager";

export interface DashboardQuery {
    expr: string;
    legend: string;
    source: QuerySource;
}

export interface DashboardPanel {
    title: string;
    kind: "timeseries" | "stat" | "text";
    unit?: string;
    queries: DashboardQuery[];
    /** A text panel's Markdown. */
    text?: string;
    /** Where it turns red: at or above (an app's maxConnections) or below (pods asked, days left) the value. */
    threshold?: { value: number; alarm: "above" | "below" };
}

export interface DashboardRow {
    title: string;
    /** The app the row is about; absent for Traefik's row. */
    app?: string;
    panels: DashboardPanel[];
}

/** The window of rates and derivatives: four scrapes, and at least a minute. */
function window(monitoring: PlannedMonitoring): string {
    return range(Math.max(Math.ceil(4 * monitoring.scrapeInterval), 60));
}

function traefikRow(plan: PlatformPlan, monitoring: PlannedMonitoring): DashboardRow {
    const { job } = monitoring;
    const open: DashboardPanel = plan.profile.traefikMajor >= 3
        ? { title: "Open TCP connections by entryPoint", kind: "timeseries", queries: [{ expr: `sum by (entrypoint) (${selector("traefik_open_connections", { job, protocol: "TCP" })})`, legend: "{{entrypoint}}", source: "traefik" }] }
        : { title: "Open HTTP connections by entryPoint (Traefik v2 counts no TCP ones)", kind: "timeseries", queries: [{ expr: `sum by (entrypoint) (${selector("traefik_entrypoint_open_connections", { job })})`, legend: "{{entrypoint}}", source: "traefik" }] };
    return {
        title: `Traefik (${monitoring.namespace}, chart ${plan.profile.version})`,
        panels: [
            { title: `Pods answering (of ${monitoring.replicas} asked)`, kind: "stat", queries: [{ expr: `count(${selector("up", { job })} == 1) or vector(0)`, legend: "pods", source: "prometheus" }], threshold: { value: monitoring.replicas, alarm: "below" } },
            open,
            { title: "Seconds since the last configuration reload", kind: "stat", unit: "s", queries: [{ expr: `time() - max(${selector("traefik_config_last_reload_success", { job })})`, legend: "seconds", source: "traefik" }] },
        ],
    };
}

/** Apps other than `app` routed through the same entryPoint. */
function sharing(plan: PlatformPlan, app: PlannedApp & { entryPoint: string }): string[] {
    return plan.apps.filter((other) => other !== app && other.kind !== "http" && other.entryPoint === app.entryPoint).map((other) => other.id);
}

function connectionPanels(plan: PlatformPlan, monitoring: PlannedMonitoring, app: PlannedApp): DashboardPanel[] {
    if (app.kind === "udp") {
        return [{ title: "Sessions", kind: "text", queries: [], text: `Traefik counts no UDP sessions: ${app.id}'s entryPoint ${app.entryPoint} has no series of its own.` }];
    }
    if (app.kind === "http") {
        // Traefik (v2 and v3) names an IngressRoute's service after the route and a hash of its match.
        const service = { regex: `${literalRegex(`${app.namespace}-${app.names.route}-`)}[0-9a-f]+@kubernetescrd` };
        const of = (metric: string) => selector(metric, { job: monitoring.job, service });
        return [
            { title: "Requests per second (web)", kind: "timeseries", unit: "reqps", queries: [{ expr: `sum by (code) (rate(${of("traefik_service_requests_total")}${window(monitoring)}))`, legend: "{{code}}", source: "traefik" }] },
            {
                title: "Bytes per second", kind: "timeseries", unit: "Bps", queries: [
                    { expr: `sum(rate(${of("traefik_service_requests_bytes_total")}${window(monitoring)}))`, legend: "received", source: "traefik" },
                    { expr: `sum(rate(${of("traefik_service_responses_bytes_total")}${window(monitoring)}))`, legend: "sent", source: "traefik" },
                ],
            },
        ];
    }
    if (plan.profile.traefikMajor < 3) {
        return [{ title: "Connections", kind: "text", queries: [], text: `Traefik v2 (chart ${plan.profile.version}) measures no TCP connections; from chart 28 (Traefik v3) this row shows ${app.entryPoint}'s open connections. Traefik has no byte counters for TCP routes on any version.` }];
    }
    const others = sharing(plan, app);
    const open = selector("traefik_open_connections", { job: monitoring.job, entrypoint: app.entryPoint, protocol: "TCP" });
    const shared = others.length > 0 ? `, shared with ${others.join(", ")}` : "";
    return [
        {
            title: `Open connections (${app.entryPoint}${shared})`, kind: "timeseries", queries: [{ expr: `sum by (entrypoint) (${open})`, legend: "{{entrypoint}}", source: "traefik" }],
            ...(app.maxConnections !== undefined && others.length === 0 ? { threshold: { value: app.maxConnections, alarm: "above" as const } } : {}),
        },
        // Traefik counts no TCP connections opened, only those open: their change per second stands in for a rate.
        { title: `Change of open connections per second (${app.entryPoint})`, kind: "timeseries", unit: "cps", queries: [{ expr: `sum by (entrypoint) (deriv(${open}${window(monitoring)}))`, legend: "{{entrypoint}}", source: "traefik" }] },
    ];
}

function endpointsPanel(app: PlannedApp): DashboardPanel {
    const services = [app.names.service, ...(app.canary ? [app.canary.app.names.service] : [])];
    const endpoint = services.length === 1 ? services[0] : { regex: services.map(literalRegex).join("|") };
    return {
        title: `Ready endpoints (${services.join(", ")})`, kind: "timeseries",
        queries: [{ expr: `sum by (endpoint) (${selector("kube_endpoint_address", { namespace: app.namespace, endpoint, ready: "true" })})`, legend: "{{endpoint}}", source: "kube-state-metrics" }],
    };
}

function certificatePanel(monitoring: PlannedMonitoring, app: PlannedApp): DashboardPanel | undefined {
    if (app.kind !== "tcp") {
        return undefined;
    }
    if (app.serverTls?.issuer) {
        const expiry = selector("certmanager_certificate_expiration_timestamp_seconds", { namespace: app.namespace, name: app.serverTls.secretName });
        return { title: "Certificate: days left (cert-manager)", kind: "stat", unit: "d", queries: [{ expr: `(${expiry} - time()) / 86400`, legend: "{{name}}", source: "cert-manager" }], threshold: { value: monitoring.certificateExpiryDays, alarm: "below" } };
    }
    if (app.tls && "secretName" in app.tls && app.host) {
        const notAfter = selector("traefik_tls_certs_not_after", { job: monitoring.job, sans: { regex: `(.*,)?${literalRegex(app.host)}(,.*)?` } });
        return { title: "Certificate: days left (served by Traefik)", kind: "stat", unit: "d", queries: [{ expr: `(min by (cn) (${notAfter}) - time()) / 86400`, legend: "{{cn}}", source: "traefik" }], threshold: { value: monitoring.certificateExpiryDays, alarm: "below" } };
    }
    return undefined;
}

function appTitle(plan: PlatformPlan, app: PlannedApp): string {
    if (app.kind === "http") {
        return `${app.id}: web, Host ${app.host ?? "*"} → ${app.namespace}/${app.names.service}`;
    }
    const entryPoint = plan.traefik.entryPoints.find((ep) => ep.name === app.entryPoint && ep.protocol === app.protocol);
    const port = entryPoint ? ` :${entryPoint.port}/${entryPoint.protocol}${entryPoint.nodePort !== undefined ? `, NodePort ${entryPoint.nodePort}` : ""}` : "";
    const host = app.kind === "tcp" && app.host ? `, SNI ${app.host}` : "";
    return `${app.id}: ${app.entryPoint}${port}${host} → ${app.namespace}/${app.names.service}`;
}

export function dashboardRows(plan: PlatformPlan): DashboardRow[] {
    const monitoring = plan.traefik.monitoring;
    if (!monitoring) {
        return [];
    }
    const apps = plan.apps.map((app): DashboardRow => ({
        title: appTitle(plan, app),
        app: app.id,
        panels: [...connectionPanels(plan, monitoring, app), endpointsPanel(app), ...[certificatePanel(monitoring, app)].filter((p) => p !== undefined)],
    }));
    return [traefikRow(plan, monitoring), ...apps];
}

const datasource = { type: "prometheus", uid: "${datasource}" };

function grafanaPanel(panel: DashboardPanel, id: number, gridPos: Record<string, number>): Record<string, unknown> {
    if (panel.kind === "text") {
        return { id, type: "text", title: panel.title, gridPos, options: { mode: "markdown", content: panel.text } };
    }
    const { threshold } = panel;
    const [under, over] = threshold?.alarm === "below" ? ["red", "green"] : ["green", "red"];
    const thresholds = threshold === undefined ? {} : {
        thresholds: { mode: "absolute", steps: [{ color: under, value: null }, { color: over, value: threshold.value }] },
        ...(panel.kind === "timeseries" ? { custom: { thresholdsStyle: { mode: "line" } } } : {}),
    };
    return {
        id, type: panel.kind, title: panel.title, gridPos, datasource,
        fieldConfig: { defaults: { unit: panel.unit ?? "short", ...thresholds }, overrides: [] },
        targets: panel.queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), datasource, expr: q.expr, legendFormat: q.legend })),
    };
}

/** The dashboard as Grafana's JSON model: a row panel per row, its panels side by side. */
export function grafanaDashboard(plan: PlatformPlan): Record<string, unknown> | undefined {
    const monitoring = plan.traefik.monitoring;
    if (!monitoring) {
        return undefined;
    }
    const panels: Record<string, unknown>[] = [];
    let y = 0;
    let id = 1;
    for (const row of dashboardRows(plan)) {
        panels.push({ id: id++, type: "row", title: row.title, collapsed: false, gridPos: { x: 0, y: y++, w: 24, h: 1 }, panels: [] });
        const width = Math.floor(24 / Math.max(row.panels.length, 3));
        row.panels.forEach((panel, i) => panels.push(grafanaPanel(panel, id++, { x: i * width, y, w: width, h: 7 })));
        y += 7;
    }
    return {
        title: `tcp-platform ${monitoring.stack}: TCP apps`,
        uid: `tcp-platform-${monitoring.stack}`.slice(0, 40),
        tags: ["tcp-platform", "traefik"],
        timezone: "browser",
        schemaVersion: 39,
        version: 1,
        editable: false,
        time: { from: "now-1h", to: "now" },
        refresh: `${Math.max(Math.ceil(monitoring.scrapeInterval), 5)}s`,
        templating: { list: [{ name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus" }] },
        panels,
    };
}
