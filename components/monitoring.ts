/**
 * What the program ships so that every TCP app can be seen (`tcp-platform:monitoring`): the
 * NetworkPolicy of Traefik's pods (the scraper alone on the metrics port), a PodMonitor and a
 * PrometheusRule where the Prometheus Operator's CRDs are on the cluster, else a ConfigMap with
 * the equivalent scrape config and rule file for a Prometheus of its own, and the dashboard's
 * ConfigMap for Grafana's sidecar.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { portableYaml } from "../lib/portableYaml";
import { PlatformPlan } from "../lib/model";
import { alertRules } from "../lib/plan/alerts";
import { grafanaDashboard } from "../lib/plan/dashboard";
import { podMonitorSpec, scrapeConfig } from "../lib/plan/scrape";
import { PodMonitorSpec, podMonitorKind, PrometheusRuleSpec, prometheusRuleKind } from "../lib/crds/prometheusOperator";
import { TypedCustomResource } from "./k8s/customResources";
import { ownershipAnnotations } from "./k8s/metadata";
import { traefikIngressSpec } from "./k8s/networkPolicy";

/** The label Grafana's dashboard sidecar finds ConfigMaps by (its default `sidecar.dashboards.label`). */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" };

/** The data keys of the scrape ConfigMap: a file for `scrape_config_files`, and a rule file. */
export const SCRAPE_FILES = { scrapeConfigs: "scrape-configs.yaml", rules: "rules.yaml" } as const;

export interface TraefikMonitoringArgs {
    /** The valid plan; its `traefik.monitoring` is set. */
    plan: PlatformPlan;
    /** Traefik's namespace; pass the Namespace resource's output so it is created first. */
    namespace: pulumi.Input<string>;
    /** `operator`: a PodMonitor and a PrometheusRule; `plain`: the scrape ConfigMap. Unset (render, tests): the operator's. */
    scrape?: "operator" | "plain";
}

export class TraefikMonitoring extends pulumi.ComponentResource {
    public readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
    public readonly podMonitor?: TypedCustomResource<PodMonitorSpec>;
    public readonly rules?: TypedCustomResource<PrometheusRuleSpec>;
    /** The scrape config and rule file, where no operator reads the CRDs. */
    public readonly scrapeConfig?: k8s.core.v1.ConfigMap;
    public readonly dashboard: k8s.core.v1.ConfigMap;

    constructor(name: string, args: TraefikMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tcp-platform:monitoring:TraefikMonitoring", name, {}, opts);
        const self = { parent: this };
        const { plan, namespace } = args;
        const monitoring = plan.traefik.monitoring;
        if (!monitoring) {
            throw new Error("TraefikMonitoring needs a plan with traefik.monitoring");
        }
        const { names } = monitoring;
        const metadata = (objectName: string, extra: Record<string, string> = {}, ns: pulumi.Input<string> = namespace) =>
            ({ name: objectName, namespace: ns, labels: { ...plan.labels, ...extra }, annotations: ownershipAnnotations });

        this.networkPolicy = new k8s.networking.v1.NetworkPolicy(`${name}-network-policy`, {
            metadata: metadata(names.networkPolicy), spec: traefikIngressSpec(plan.traefik, monitoring),
        }, self);

        const groups = alertRules(plan);
        if ((args.scrape ?? "operator") === "operator") {
            this.podMonitor = new TypedCustomResource(podMonitorKind, `${name}-pod-monitor`, { metadata: metadata(names.podMonitor, monitoring.selectorLabels), spec: podMonitorSpec(monitoring) }, self);
            this.rules = new TypedCustomResource(prometheusRuleKind, `${name}-rules`, { metadata: metadata(names.rules, monitoring.selectorLabels), spec: { groups } }, self);
        } else {
            this.scrapeConfig = new k8s.core.v1.ConfigMap(`${name}-scrape-config`, {
                metadata: metadata(names.scrapeConfig),
                data: {
                    [SCRAPE_FILES.scrapeConfigs]: portableYaml({ scrape_configs: [scrapeConfig(monitoring)] }),
                    [SCRAPE_FILES.rules]: portableYaml({ groups }),
                },
            }, self);
        }

        const dashboard = grafanaDashboard(plan);
        // The Traefik namespace is the stack's; another (Grafana's) exists already.
        const dashboardNamespace = monitoring.dashboardNamespace === monitoring.namespace ? namespace : monitoring.dashboardNamespace;
        this.dashboard = new k8s.core.v1.ConfigMap(`${name}-dashboard`, {
            metadata: metadata(names.dashboard, GRAFANA_DASHBOARD_LABEL, dashboardNamespace),
            data: { [`tcp-platform-${monitoring.stack}.json`]: JSON.stringify(dashboard) },
        }, self);

        this.registerOutputs({
            networkPolicy: this.networkPolicy.metadata.name,
            dashboard: this.dashboard.metadata.name,
            ...(this.podMonitor ? { podMonitor: this.podMonitor.metadata.name } : {}),
            ...(this.scrapeConfig ? { scrapeConfig: this.scrapeConfig.metadata.name } : {}),
        });
    }
}
