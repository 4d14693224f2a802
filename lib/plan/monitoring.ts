/**
 * Monitoring planned from `tcp-platform:monitoring`: Traefik's metrics entryPoint (the chart's,
 * never exposed), the scrape job and the pods it selects, the scraper admitted to the port, the
 * names of the objects the program ships (lib/plan/scrape.ts, alerts.ts and dashboard.ts make
 * their contents from the valid plan). Pure.
 */
import type { StackConfig } from "../config/schema";
import { PROJECT } from "../constants";
import type { PlannedAvailability, PlannedMonitoring } from "../traefikModel";
import type { StackIdentity } from "../ownership";
import { ChartProfile } from "../traefik/profile";
import { chartFullname } from "../traefik/profile";

/** Where the alerts' runbooks are: a section per alert (docs/monitoring.md). */
export const RUNBOOK_DOC = "docs/monitoring.md";

/** Monitoring of the Traefik whose pods `availability` says (their selector and the fewest the stack keeps). */
export function planMonitoring(config: StackConfig, profile: ChartProfile, namespace: string, availability: PlannedAvailability, identity: StackIdentity): PlannedMonitoring | undefined {
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
    return {
        entryPoint: metrics.name,
        port: metrics.port,
        job: `${namespace}/${names.podMonitor}`,
        namespace,
        podSelector: availability.podSelector,
        scraper: monitoring.scraper,
        scrapeInterval: monitoring.scrapeInterval,
        selectorLabels: monitoring.selectorLabels,
        dashboardNamespace: monitoring.dashboardNamespace ?? namespace,
        names,
        replicas: availability.floor,
        certificateExpiryDays: monitoring.certificateExpiryDays,
        runbookBase: monitoring.runbookBaseUrl ? `${monitoring.runbookBaseUrl.replace(/\/$/, "")}/${RUNBOOK_DOC}` : RUNBOOK_DOC,
        stack: identity.stack,
        path: `${PROJECT}:monitoring`,
    };
}
