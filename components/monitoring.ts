/**
 * What the program ships so that every TCP app can be seen (`tcp-platform:monitoring`): the
 * NetworkPolicy of Traefik's pods (the scraper alone on the metrics port), a PodMonitor and a
 * PrometheusRule where the Prometheus Operator's CRDs are on the cluster, else a ConfigMap with
 * the equivalent scrape config and rule file for a Prometheus of its own, and the dashboard's
 * ConfigMap for Grafana's sidecar; each as lib/objects/platformObjects.ts builds it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformPlan } from "../lib/model";
import { monitoringManifests } from "../lib/objects/platformObjects";
import { PodMonitorSpec, podMonitorKind, PrometheusRuleSpec, prometheusRuleKind } from "../lib/crds/prometheusOperator";
import { TypedCustomResource } from "./k8s/customResources";

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
        // The Traefik namespace is the stack's; another (Grafana's) exists already.
        const dashboardNamespace = monitoring.dashboardNamespace === monitoring.namespace ? namespace : monitoring.dashboardNamespace;
        const objects = monitoringManifests(plan, monitoring, namespace, dashboardNamespace);
        const { networkPolicy, podMonitor, rules, scrapeConfig, dashboard } = objects;

        this.networkPolicy = new k8s.networking.v1.NetworkPolicy(`${name}-network-policy`, { metadata: networkPolicy.metadata, spec: networkPolicy.spec }, self);
        if ((args.scrape ?? "operator") === "operator") {
            this.podMonitor = new TypedCustomResource(podMonitorKind, `${name}-pod-monitor`, { metadata: podMonitor.metadata, spec: podMonitor.spec }, self);
            this.rules = new TypedCustomResource(prometheusRuleKind, `${name}-rules`, { metadata: rules.metadata, spec: rules.spec }, self);
        } else {
            this.scrapeConfig = new k8s.core.v1.ConfigMap(`${name}-scrape-config`, { metadata: scrapeConfig.metadata, data: scrapeConfig.data }, self);
        }
        this.dashboard = new k8s.core.v1.ConfigMap(`${name}-dashboard`, { metadata: dashboard.metadata, data: dashboard.data }, self);

        this.registerOutputs({
            networkPolicy: this.networkPolicy.metadata.name,
            dashboard: this.dashboard.metadata.name,
            ...(this.podMonitor ? { podMonitor: this.podMonitor.metadata.name } : {}),
            ...(this.scrapeConfig ? { scrapeConfig: this.scrapeConfig.metadata.name } : {}),
        });
    }
}
