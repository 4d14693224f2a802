/**
 * Monitoring planned from `tcp-platform:monitoring`: Traefik's metrics entryPoint (the chart's,
 * never exposed), the scrape job and the pods it selects, the scraper admitted to the port, the
 * names of the objects the program ships (lib/plan/scrape.ts, alerts.ts and dashboard.ts make
 * their contents from the valid plan). Pure.
 */
import type { StackConfig } from "../config/schema";
import { PROJECT } from "../constants";
import type { PlannedMonitoring } from "../model";
import type { StackIdentity } from "../ownership";
import { ChartProfile, traefikSelectorKeys } from "../traefik/profile";
import { seconds } from "./durations";
import { chartFullname, chartInstance } from "./names";

/** Where the alerts' runbooks are: a section per alert (docs/monitoring.md). */
export const RUNBOOK_DOC = "docs/monitoring.md";

/** The chart's own default replica count (`deployment.replicas`, 1 on both lines): the program sets none. */
export const CHART_DEFAULT_REPLICAS = 1;

export function planMonitoring(config: StackConfig, profile: ChartProfile, namespace: string, identity: StackIdentity): PlannedMonitoring | undefined {
    const { monitoring } = config;
    if (!monitoring) {
        return undefined;
    }
    const metrics = profile.builtinEntryPoints.find((b) => b.name === "metrics");
    if (!metrics) {
        throw new Error(`chart ${profile.version}: no metrics entryPoint in its profile`);
    }
    const fullname = chartFullname(config.traefik.releaseName);
    const names = {
        networkPolicy: `${fullname}-ingress`,
        podMonitor: `${fullname}-metrics`,
        scrapeConfig: `${fullname}-prometheus`,
        rules: `${fullname}-alerts`,
        dashboard: `${fullname}-dashboard`,
    };
    const [nameKey, instanceKey] = traefikSelectorKeys;
    return {
        entryPoint: metrics.name,
        port: metrics.port,
        job: `${namespace}/${names.podMonitor}`,
        namespace,
        podSelector: { [nameKey]: "traefik", [instanceKey]: chartInstance(config.traefik.releaseName, namespace) },
        scraper: monitoring.scraper,
        scrapeInterval: seconds(monitoring.scrapeInterval),
        selectorLabels: monitoring.selectorLabels,
        dashboardNamespace: monitoring.dashboardNamespace ?? namespace,
        names,
        replicas: CHART_DEFAULT_REPLICAS,
        certificateExpiryDays: monitoring.certificateExpiryDays,
        runbookBase: monitoring.runbookBaseUrl ? `${monitoring.runbookBaseUrl.replace(/\/$/, "")}/${RUNBOOK_DOC}` : RUNBOOK_DOC,
        stack: identity.stack,
        path: `${PROJECT}:monitoring`,
    };
}
