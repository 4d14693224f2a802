/**
 * The schema of `tcp-platform:monitoring`: who scrapes Traefik's metrics, how often, what the
 * operator's Prometheus selects the program's PodMonitor and PrometheusRule by, where the dashboard
 * goes, and the thresholds of the alerts. Absent: nothing of monitoring is deployed.
 */
import { z } from "zod";
import { labelsSchema, peerSchema } from "./appSchema";
import { dnsLabel, duration, matching } from "./primitives";

export const monitoringSchema = z.strictObject({
    /** The Prometheus that scrapes Traefik: its namespace (and pods), the only peer admitted to the metrics port. */
    scraper: peerSchema,
    /** Time between two scrapes of Traefik. */
    scrapeInterval: duration.default(30),
    /** Labels on the PodMonitor and PrometheusRule, for the operator's Prometheus selectors (kube-prometheus-stack: `release`). */
    selectorLabels: labelsSchema.default({}),
    /** Namespace of the dashboard's ConfigMap (one Grafana's sidecar watches); default Traefik's. */
    dashboardNamespace: matching(dnsLabel, "is not a namespace name", "use lowercase letters, digits and '-'").optional(),
    /** Days before a certificate expires at which its alert fires. */
    certificateExpiryDays: z.number().int().min(1).max(365).default(14),
    /** Where alerts' runbook links point: this repository's files at that address (default: the path in the repository). */
    runbookBaseUrl: z.string().url().optional(),
});

/** `{}` (Pulumi.yaml's default, the key unset) is monitoring off, as an absent key. */
export const monitoringKey = z.preprocess(
    (value) => (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0 ? undefined : value),
    monitoringSchema.optional(),
);
