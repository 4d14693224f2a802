/**
 * The Prometheus Operator's PodMonitor and PrometheusRule (monitoring.coreos.com/v1), typed by hand
 * for the fields the program sets: the operator's CRDs are the cluster's, not a chart's.
 */
import type { CrdKind } from "./kind";

/** Pods to scrape, by label, in the listed namespaces, on a named container port. */
export interface PodMonitorSpec {
    selector: { matchLabels: Record<string, string> };
    namespaceSelector: { matchNames: string[] };
    podMetricsEndpoints: { port: string; path: string; interval: string }[];
}

/** One alerting rule, as Prometheus's rule files have it. */
export interface AlertingRule {
    alert: string;
    expr: string;
    for?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

export interface RuleGroup {
    name: string;
    rules: AlertingRule[];
}

/** Rule groups, as in a Prometheus rule file's `groups`. */
export interface PrometheusRuleSpec {
    groups: RuleGroup[];
}

export const podMonitorKind: CrdKind<PodMonitorSpec> = { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor" };
export const prometheusRuleKind: CrdKind<PrometheusRuleSpec> = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule" };
