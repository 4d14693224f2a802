/**
 * The stack's alerts, generated from the valid plan as one Prometheus rule group: an app whose
 * Service has no ready endpoint (kube-state-metrics), Traefik with fewer pods answering than the
 * stack asks for (Prometheus's own `up` of the scrape), an entryPoint at the app's maxConnections
 * (Traefik v3's open connections), a TLS app's certificate close to expiry (cert-manager's
 * metrics for the certificates it issues, Traefik's for the ones it serves). Each carries a
 * runbook link to its section of docs/monitoring.md. Pure.
 */
import type { AlertingRule, RuleGroup } from "../crds/prometheusOperator";
import type { PlannedApp, PlannedAppBase, PlatformPlan } from "../model";
import type { PlannedMonitoring } from "../traefikModel";
import { literalRegex, selector } from "./promql";

/** The alerts, by name: the heading of each one's runbook in docs/monitoring.md. */
export const ALERTS = {
    noEndpoint: "AppNoReadyEndpoint",
    traefikPods: "TraefikPodsNotReady",
    maxConnections: "EntryPointAtMaxConnections",
    certificate: "CertificateExpiresSoon",
} as const;

/** Where each alert's series come from: what the cluster's Prometheus must scrape for it to fire. */
export const ALERT_SOURCES: Record<(typeof ALERTS)[keyof typeof ALERTS], string> = {
    AppNoReadyEndpoint: "kube-state-metrics",
    TraefikPodsNotReady: "Prometheus (up of the Traefik scrape)",
    EntryPointAtMaxConnections: "Traefik",
    CertificateExpiresSoon: "cert-manager or Traefik",
};

/** GitHub's anchor of a heading that is one word: lowercased. */
export function runbookUrl(monitoring: PlannedMonitoring, alert: string): string {
    return `${monitoring.runbookBase}#${alert.toLowerCase()}`;
}

function rule(monitoring: PlannedMonitoring, alert: string, expr: string, duration: string | undefined, labels: Record<string, string>, summary: string, description: string): AlertingRule {
    return {
        alert,
        expr,
        ...(duration ? { for: duration } : {}),
        labels: { severity: labels.severity ?? "warning", stack: monitoring.stack, ...labels },
        annotations: { summary, description, runbook_url: runbookUrl(monitoring, alert) },
    };
}

/** Services an app asks to have ready pods behind: its own, and a canary's with replicas. */
function servicesOf(app: PlannedAppBase): { service: string; replicas: number }[] {
    return [
        { service: app.names.service, replicas: app.replicas },
        ...(app.canary ? [{ service: app.canary.app.names.service, replicas: app.canary.app.replicas }] : []),
    ].filter((s) => s.replicas > 0);
}

function endpointRules(monitoring: PlannedMonitoring, app: PlannedApp): AlertingRule[] {
    return servicesOf(app).map(({ service }) => {
        const where = { namespace: app.namespace, endpoint: service };
        // kube_endpoint_info is there while the Service is: no ready address then means none is ready, and
        // a Prometheus that does not scrape kube-state-metrics fires nothing rather than everything.
        const expr = `${selector("kube_endpoint_info", where)} unless on (namespace, endpoint) ${selector("kube_endpoint_address", { ...where, ready: "true" })}`;
        return rule(monitoring, ALERTS.noEndpoint, expr, "2m", { severity: "critical", app: app.id, namespace: app.namespace, service },
            `${app.id}: Service ${app.namespace}/${service} has no ready endpoint`,
            `Traefik routes ${app.id}'s connections to Service ${app.namespace}/${service}, which has had no ready pod for 2 minutes: clients are accepted and closed.`);
    });
}

function traefikPodsRule(monitoring: PlannedMonitoring): AlertingRule {
    const up = selector("up", { job: monitoring.job });
    return rule(monitoring, ALERTS.traefikPods, `(count(${up} == 1) or vector(0)) < ${monitoring.replicas}`, "1m", { severity: "critical", namespace: monitoring.namespace },
        `Fewer Traefik pods answer than the stack asks for (${monitoring.replicas})`,
        `Fewer than ${monitoring.replicas} Traefik pod(s) of ${monitoring.namespace} have answered the metrics scrape (job ${monitoring.job}) for a minute: every TCP app's entryPoint runs on them.`);
}

/**
 * maxConnections is the route's (a MiddlewareTCP per client address); on an entryPoint the app has
 * to itself, the entryPoint's open connections reaching it mean one client may be refused. Traefik
 * v2 counts no TCP connections, and a shared entryPoint's count is not one app's.
 */
function maxConnectionsRules(monitoring: PlannedMonitoring, plan: PlatformPlan): AlertingRule[] {
    if (plan.profile.traefikMajor < 3) {
        return [];
    }
    return plan.apps.flatMap((app) => {
        if (app.kind !== "tcp" || app.maxConnections === undefined || plan.apps.some((other) => other !== app && other.kind !== "http" && other.entryPoint === app.entryPoint)) {
            return [];
        }
        const open = selector("traefik_open_connections", { job: monitoring.job, entrypoint: app.entryPoint, protocol: "TCP" });
        return [rule(monitoring, ALERTS.maxConnections, `${open} >= ${app.maxConnections}`, "1m", { app: app.id, entrypoint: app.entryPoint },
            `${app.id}: entryPoint ${app.entryPoint} holds ${app.maxConnections} connections, its maxConnections`,
            `A Traefik pod has held ${app.maxConnections} or more open connections on ${app.entryPoint} for a minute: a client with that many open is refused its next (maxConnections counts per client address).`)];
    });
}

function certificateRules(monitoring: PlannedMonitoring, plan: PlatformPlan): AlertingRule[] {
    const within = `time() + ${monitoring.certificateExpiryDays * 86400}`;
    const days = `${monitoring.certificateExpiryDays} days`;
    return plan.apps.flatMap((app) => {
        if (app.kind !== "tcp") {
            return [];
        }
        if (app.serverTls?.issuer) {
            const expiry = selector("certmanager_certificate_expiration_timestamp_seconds", { namespace: app.namespace, name: app.serverTls.secretName });
            return [rule(monitoring, ALERTS.certificate, `${expiry} < ${within}`, undefined, { app: app.id, namespace: app.namespace, certificate: app.serverTls.secretName },
                `${app.id}: certificate ${app.namespace}/${app.serverTls.secretName} expires within ${days}`,
                `cert-manager's Certificate for ${app.host ?? app.id} expires within ${days} and has not been renewed: its server will present an expired certificate.`)];
        }
        if (app.tls && "secretName" in app.tls && app.host) {
            // Traefik serves this certificate (it terminates TLS): its SANs, sorted and comma-joined, include the host.
            const sans = { regex: `(.*,)?${literalRegex(app.host)}(,.*)?` };
            const notAfter = `min by (cn, sans) (${selector("traefik_tls_certs_not_after", { job: monitoring.job, sans })})`;
            return [rule(monitoring, ALERTS.certificate, `${notAfter} < ${within}`, undefined, { app: app.id, namespace: app.namespace, certificate: app.tls.secretName },
                `${app.id}: the certificate Traefik serves for ${app.host} expires within ${days}`,
                `Traefik terminates TLS for ${app.host} with Secret ${app.namespace}/${app.tls.secretName}, whose certificate expires within ${days}.`)];
        }
        return [];
    });
}

/** The stack's rule group (the PrometheusRule's spec.groups, or a rule file's groups). */
export function alertRules(plan: PlatformPlan): RuleGroup[] {
    const monitoring = plan.traefik.monitoring;
    if (!monitoring) {
        return [];
    }
    const rules = [
        traefikPodsRule(monitoring),
        ...plan.apps.flatMap((app) => endpointRules(monitoring, app)),
        ...maxConnectionsRules(monitoring, plan),
        ...certificateRules(monitoring, plan),
    ];
    return [{ name: `tcp-platform-${monitoring.stack}`, rules }];
}
