/**
 * The stack's objects beside its apps' as plain data: the namespaces (with their default-deny
 * policy), the Gateway of gateway routing and what monitoring ships. The components register
 * these; `plannedManifests` lists every object of a plan, each with the config key that brings it,
 * for validation before anything is registered.
 */
import type * as pulumi from "@pulumi/pulumi";
import { gatewayKind, GatewaySpec } from "../crds/gateway";
import { podMonitorKind, prometheusRuleKind } from "../crds/prometheusOperator";
import { PlatformPlan } from "../model";
import { alertRules } from "../plan/alerts";
import { grafanaDashboard } from "../plan/dashboard";
import { gatewayListeners } from "../plan/gateway";
import { podMonitorSpec, scrapeConfig } from "../plan/scrape";
import { portableYaml } from "../portableYaml";
import { PlannedGateway, PlannedMonitoring, PlannedTraefik } from "../traefikModel";
import { Manifest, routeManifests, secretManifest, workloadManifests } from "./appObjects";
import { ownershipAnnotations } from "./metadata";
import { defaultDenyIngressSpec, traefikIngressSpec } from "./networkPolicy";
import { namespaceLabels, PodSecurityLevel } from "./podSecurity";

/** A namespace the program creates: the stack's labels, its Pod Security level. */
export function namespaceManifest(name: string, labels: Record<string, string>, podSecurity: PodSecurityLevel) {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { ...labels, ...namespaceLabels(podSecurity) }, annotations: ownershipAnnotations } };
}

/** The NetworkPolicy that denies all ingress to an app namespace's pods unless an app's own policy admits it. */
export function defaultDenyManifest(namespace: pulumi.Input<string>, labels: Record<string, string>) {
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny-ingress", namespace, labels, annotations: ownershipAnnotations }, spec: defaultDenyIngressSpec() };
}

/** The stack's Gateway: of its Traefik's GatewayClass, a listener per TCP app. */
export function gatewayManifest(planned: PlannedGateway, namespace: pulumi.Input<string>, labels: Record<string, string>): Manifest<{ spec: GatewaySpec }> {
    return {
        apiVersion: gatewayKind.apiVersion, kind: gatewayKind.kind,
        metadata: { name: planned.name, namespace, labels, annotations: ownershipAnnotations },
        spec: { gatewayClassName: planned.className, listeners: gatewayListeners(planned.listeners) },
    };
}

/** The label Grafana's dashboard sidecar finds ConfigMaps by (its default `sidecar.dashboards.label`). */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" };

/** The data keys of the scrape ConfigMap: a file for `scrape_config_files`, and a rule file. */
export const SCRAPE_FILES = { scrapeConfigs: "scrape-configs.yaml", rules: "rules.yaml" } as const;

/**
 * What monitoring ships, both ways of scraping (the component registers the PodMonitor and the
 * PrometheusRule, or the scrape ConfigMap, as the cluster decides). `namespace`: Traefik's;
 * `dashboardNamespace`: the dashboard's (the same Input where it is Traefik's).
 */
export function monitoringManifests(plan: PlatformPlan, monitoring: PlannedMonitoring, namespace: pulumi.Input<string>, dashboardNamespace: pulumi.Input<string>) {
    const { names } = monitoring;
    const metadata = (name: string, extra: Record<string, string> = {}, ns: pulumi.Input<string> = namespace) =>
        ({ name, namespace: ns, labels: { ...plan.labels, ...extra }, annotations: ownershipAnnotations });
    const groups = alertRules(plan);
    return {
        networkPolicy: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: metadata(names.networkPolicy), spec: traefikIngressSpec(plan.traefik, monitoring) },
        podMonitor: { apiVersion: podMonitorKind.apiVersion, kind: podMonitorKind.kind, metadata: metadata(names.podMonitor, monitoring.selectorLabels), spec: podMonitorSpec(monitoring) },
        rules: { apiVersion: prometheusRuleKind.apiVersion, kind: prometheusRuleKind.kind, metadata: metadata(names.rules, monitoring.selectorLabels), spec: { groups } },
        scrapeConfig: {
            apiVersion: "v1", kind: "ConfigMap", metadata: metadata(names.scrapeConfig),
            data: { [SCRAPE_FILES.scrapeConfigs]: portableYaml({ scrape_configs: [scrapeConfig(monitoring)] }), [SCRAPE_FILES.rules]: portableYaml({ groups }) },
        },
        dashboard: {
            apiVersion: "v1", kind: "ConfigMap", metadata: metadata(names.dashboard, GRAFANA_DASHBOARD_LABEL, dashboardNamespace),
            data: { [`tcp-platform-${monitoring.stack}.json`]: JSON.stringify(grafanaDashboard(plan)) },
        },
    };
}

/** An object of the plan, as it is sent, with the config key that brings it. */
export interface PlannedManifest {
    path: string;
    manifest: Manifest;
}

// Stands for what only exists once registered: config secrets and the Secret's resourceVersion.
const UNKNOWN = "[unknown until registered]";

/** Traefik's namespace and Gateway. */
function traefikManifests(traefik: PlannedTraefik, podSecurity: PodSecurityLevel): Manifest[] {
    return [namespaceManifest(traefik.namespace, traefik.labels, podSecurity), ...(traefik.gateway ? [gatewayManifest(traefik.gateway, traefik.namespace, traefik.labels)] : [])];
}

/**
 * Every object of the plan the program registers itself (the chart's are Helm's), both scraping
 * ways of monitoring, each with the config key the plan's inventory (`plan.objects`) gives it.
 */
export function plannedManifests(plan: PlatformPlan): PlannedManifest[] {
    const manifests: Manifest[] = [
        ...traefikManifests(plan.traefik, plan.config.podSecurity),
        ...plan.namespaces.flatMap((name) => [namespaceManifest(name, plan.labels, plan.config.podSecurity), defaultDenyManifest(name, plan.labels)]),
    ];
    for (const app of plan.apps) {
        const secret = secretManifest(app, app.namespace, Object.fromEntries(app.secretEnv.map((s) => [s.env, UNKNOWN])));
        const o = workloadManifests(app, app.namespace, plan.traefik.namespace, secret ? { name: app.names.secret, resourceVersion: UNKNOWN } : undefined);
        const canary = o.canary ? [o.canary.workload, o.canary.service, o.canary.networkPolicy] : [];
        manifests.push(...[secret, o.certificate, ...o.claims, o.statefulSet, o.deployment, o.service, o.networkPolicy, ...canary].filter((m) => m !== undefined),
            ...routeManifests(app, app.namespace));
    }
    const { monitoring } = plan.traefik;
    if (monitoring) {
        manifests.push(...Object.values(monitoringManifests(plan, monitoring, monitoring.namespace, monitoring.dashboardNamespace)));
    }
    return manifests.map((manifest) => ({ manifest, path: keyOf(plan, manifest) }));
}

/** The config key of an object, from the plan's inventory. */
function keyOf(plan: PlatformPlan, manifest: Manifest): string {
    const { kind, metadata } = manifest;
    const ref = plan.objects.find((o) => o.kind === kind && o.name === metadata.name && (o.namespace === undefined || o.namespace === metadata.namespace));
    if (!ref) {
        throw new Error(`${kind} ${metadata.name} is not in the plan's inventory: lib/plan/plan.ts plannedObjects misses it`);
    }
    return ref.path;
}
