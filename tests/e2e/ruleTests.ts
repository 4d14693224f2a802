/**
 * promtool's rule unit tests for a stack's generated alerts: for every rule, input series that
 * make it fire and then clear (the series its expression reads, shaped as their exporters write
 * them), and the alerts expected at a time before, during and after. One test case per rule, so
 * each rule's series are the only ones (several rules share an alert name, one per app).
 */
import type { AlertingRule, RuleGroup } from "../../lib/crds/prometheusOperator";
import { ALERTS } from "../../lib/plan/alerts";
import type { PlatformPlan } from "../../lib/model";

interface InputSeries {
    series: string;
    values: string;
}

interface Case {
    /** What the test case is about, for messages. */
    name: string;
    input: InputSeries[];
    /** Labels the firing alert has besides the rule's: those of the series its expression keeps. */
    seriesLabels: Record<string, string>;
    /** Evaluation minutes: before the condition holds, while it fires, after it cleared. */
    before: number;
    during: number;
    after: number;
}

/** `name{a="x",...}` in promtool's series notation. */
function series(name: string, labels: Record<string, string>): string {
    return `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`;
}

/** One value per minute from minute 0. */
const perMinute = (...values: (number | string)[]) => values.join(" ");

function caseOf(rule: AlertingRule, plan: PlatformPlan): Case {
    const monitoring = plan.traefik.monitoring!;
    const { labels } = rule;
    switch (rule.alert) {
        case ALERTS.traefikPods: {
            const pod = (i: number) => ({ job: monitoring.job, namespace: monitoring.namespace, pod: `traefik-${i}` });
            // As many pods as the stack asks for; the first answers for 3 minutes, then not for 4 (for: 1m), then again.
            const others = Array.from({ length: monitoring.replicas - 1 }, (_, i) => ({ series: series("up", pod(i + 1)), values: perMinute(...Array<number>(10).fill(1)) }));
            return { name: rule.alert, input: [{ series: series("up", pod(0)), values: perMinute(1, 1, 1, 0, 0, 0, 0, 1, 1, 1) }, ...others], seriesLabels: {}, before: 2, during: 5, after: 8 };
        }
        case ALERTS.noEndpoint: {
            const endpoint = { namespace: labels.namespace, endpoint: labels.service };
            // kube-state-metrics' series of the Service's Endpoints: its one address ready, not ready from minute 3 to 7 (for: 2m), ready again.
            return {
                name: `${rule.alert} ${labels.service}`,
                input: [
                    { series: series("kube_endpoint_info", endpoint), values: perMinute(...Array<number>(10).fill(1)) },
                    { series: series("kube_endpoint_address", { ...endpoint, ip: "10.1.0.5", ready: "true" }), values: perMinute(1, 1, 1, "stale", "_", "_", "_", "_", 1, 1) },
                    { series: series("kube_endpoint_address", { ...endpoint, ip: "10.1.0.5", ready: "false" }), values: perMinute("_", "_", "_", 1, 1, 1, 1, 1, "stale", "_") },
                ],
                seriesLabels: endpoint, before: 2, during: 6, after: 9,
            };
        }
        case ALERTS.maxConnections: {
            const app = plan.apps.find((a) => a.id === labels.app);
            const limit = app?.kind === "tcp" ? app.maxConnections : undefined;
            if (limit === undefined) {
                throw new Error(`${rule.alert} for ${labels.app}, which has no maxConnections`);
            }
            const open = { job: monitoring.job, entrypoint: labels.entrypoint, protocol: "TCP", pod: "traefik-0" };
            // At the limit from minute 2 to 5 (for: 1m), then below.
            return { name: `${rule.alert} ${labels.entrypoint}`, input: [{ series: series("traefik_open_connections", open), values: perMinute(0, limit - 1, limit, limit, limit, limit, limit - 1, 0, 0, 0) }], seriesLabels: open, before: 1, during: 4, after: 7 };
        }
        case ALERTS.certificate: {
            const days = monitoring.certificateExpiryDays * 86400;
            // Expiry far off, within the warning from minute 3 (no for), renewed at minute 6. time() is the test's clock, from 0.
            const expiry = perMinute(...[1, 1, 1, 0, 0, 0, 1, 1, 1, 1].map((far) => (far ? 3 * days : days / 2)));
            const app = plan.apps.find((a) => a.id === labels.app);
            if (app?.kind === "tcp" && app.serverTls?.issuer) {
                const certificate = { namespace: labels.namespace, name: labels.certificate, issuer_name: app.serverTls.issuer.name, issuer_kind: app.serverTls.issuer.kind, issuer_group: "cert-manager.io" };
                return { name: `${rule.alert} ${labels.certificate}`, input: [{ series: series("certmanager_certificate_expiration_timestamp_seconds", certificate), values: expiry }], seriesLabels: certificate, before: 2, during: 4, after: 7 };
            }
            const host = app && app.kind === "tcp" ? app.host : undefined;
            if (!host) {
                throw new Error(`${rule.alert} for ${labels.app}, which has no host`);
            }
            // Traefik's gauge: SANs sorted and comma-joined; another name beside the host.
            const sans = [host, "other.example.org"].sort().join(",");
            const cert = { job: monitoring.job, cn: host, serial: "1234", sans, pod: "traefik-0" };
            return { name: `${rule.alert} ${host}`, input: [{ series: series("traefik_tls_certs_not_after", cert), values: expiry }], seriesLabels: { cn: host, sans }, before: 2, during: 4, after: 7 };
        }
        default:
            throw new Error(`no rule test for alert ${rule.alert}`);
    }
}

/** A promtool test file for `groups` in `ruleFile` (relative to the test file). */
export function ruleTestFile(groups: RuleGroup[], plan: PlatformPlan, ruleFile: string): { file: Record<string, unknown>; cases: string[] } {
    const rules = groups.flatMap((g) => g.rules);
    const cases = rules.map((rule) => ({ rule, c: caseOf(rule, plan) }));
    const tests = cases.map(({ rule, c }) => {
        const alert = { exp_labels: { ...c.seriesLabels, ...rule.labels }, exp_annotations: rule.annotations };
        return {
            name: c.name,
            interval: "1m",
            input_series: c.input,
            alert_rule_test: [
                { eval_time: `${c.before}m`, alertname: rule.alert, exp_alerts: [] },
                { eval_time: `${c.during}m`, alertname: rule.alert, exp_alerts: [alert] },
                { eval_time: `${c.after}m`, alertname: rule.alert, exp_alerts: [] },
            ],
        };
    });
    return { file: { rule_files: [ruleFile], evaluation_interval: "1m", tests }, cases: cases.map(({ c }) => c.name) };
}
