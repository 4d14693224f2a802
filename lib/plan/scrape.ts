/**
 * How Prometheus finds Traefik's metrics: a PodMonitor where the Prometheus Operator's CRDs are on
 * the cluster, else a scrape config for a Prometheus of its own (Kubernetes pod discovery, the
 * same pods, port and labels). Both give Traefik's series the same `job`, `namespace` and `pod`
 * labels, which the alerts and the dashboard select by. Pure.
 */
import type { PodMonitorSpec } from "../crds/prometheusOperator";
import type { PlannedMonitoring } from "../traefikModel";
import { durationText } from "./durations";

/** A Prometheus scrape config (prometheus.yml's `scrape_configs` entry), as far as the program writes one. */
export interface ScrapeConfig {
    job_name: string;
    scrape_interval: string;
    metrics_path: string;
    kubernetes_sd_configs: { role: "pod"; namespaces: { names: string[] }; selectors: { role: "pod"; label: string }[] }[];
    relabel_configs: Record<string, unknown>[];
}

export const METRICS_PATH = "/metrics";

export function podMonitorSpec(monitoring: PlannedMonitoring): PodMonitorSpec {
    return {
        selector: { matchLabels: monitoring.podSelector },
        namespaceSelector: { matchNames: [monitoring.namespace] },
        podMetricsEndpoints: [{ port: monitoring.entryPoint, path: METRICS_PATH, interval: durationText(monitoring.scrapeInterval) }],
    };
}

/**
 * What the operator makes of the PodMonitor, written out: Traefik's pods of this release, their
 * container port named after the metrics entryPoint, not the pods that have ended, labelled
 * with job `<namespace>/<PodMonitor name>`, namespace, pod and container.
 */
export function scrapeConfig(monitoring: PlannedMonitoring): ScrapeConfig {
    const selector = Object.entries(monitoring.podSelector).map(([key, value]) => `${key}=${value}`).join(",");
    return {
        job_name: monitoring.job,
        scrape_interval: durationText(monitoring.scrapeInterval),
        metrics_path: METRICS_PATH,
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [monitoring.namespace] }, selectors: [{ role: "pod", label: selector }] }],
        relabel_configs: [
            { source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: monitoring.entryPoint, action: "keep" },
            { source_labels: ["__meta_kubernetes_pod_phase"], regex: "Succeeded|Failed", action: "drop" },
            { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
            { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
            { source_labels: ["__meta_kubernetes_pod_container_name"], target_label: "container" },
        ],
    };
}
