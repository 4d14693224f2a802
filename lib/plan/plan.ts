/**
 * Planning: from the catalog and a configuration that passed the schema to exactly what each
 * component creates, every derived fact resolved once. Pure: tested without Pulumi.
 */
import { Catalog, catalogEntry } from "../catalog";
import { StackConfig } from "../config/schema";
import { PROJECT } from "../constants";
import { TRAEFIK_API_VERSION } from "../crds/kind";
import { AppDraft, ObjectRef, PlanDraft } from "../model";
import { PlannedEntryPoint, PlannedGateway, PlannedMonitoring, PlannedShutdown, PlannedTraefik } from "../traefikModel";
import { chartProfile, ChartProfile, TRAEFIK_DRAIN_SECONDS } from "../traefik/profile";
import { planApp, stackLabels } from "./apps";
import { planEntryPoints, standingEntryPoints } from "./entryPoints";
import { planMonitoring } from "./monitoring";
import { GATEWAY_GROUP, gatewayClassName, planGatewayRoute, planListener } from "./gateway";
import { closesAfterSeconds, planAvailability, planReadiness } from "./traefikPods";


/** Seconds the pod's grace keeps beyond Traefik's own shutdown, for the process to exit. */
export const SHUTDOWN_MARGIN_SECONDS = 5;

function planShutdown(grace: StackConfig["traefik"]["gracePeriod"]): PlannedShutdown | undefined {
    if (!grace) {
        return undefined;
    }
    const requestAcceptGraceTimeout = grace.requestAcceptGraceTimeout ?? 0;
    const graceTimeOut = grace.graceTimeOut;
    const needed = TRAEFIK_DRAIN_SECONDS + requestAcceptGraceTimeout + graceTimeOut;
    return { requestAcceptGraceTimeout, graceTimeOut, needed, terminationGracePeriodSeconds: grace.terminationGracePeriodSeconds ?? Math.ceil(needed) + SHUTDOWN_MARGIN_SECONDS };
}

/**
 * Everything the program will create, derived once from a configuration that passed the schema:
 * the rules check this draft, and the components build the plan validation makes of it.
 */
export function planPlatform(config: StackConfig, catalog: Catalog): PlanDraft {
    const profile = chartProfile(config.traefik.chart.version);
    const entryPoints = planEntryPoints(config, profile, catalog);
    const { traefik } = config;
    const traefikNamespace = traefik.namespace ?? `traefik${config.namespaceSuffix}`;
    // The schema pass refused ids that are not in the catalog.
    let apps = Object.keys(config.apps).flatMap((id) => {
        const spec = catalogEntry(catalog, id);
        return spec ? [planApp(id, spec, config, profile)] : [];
    });
    let gateway: PlannedGateway | undefined;
    if (traefik.routing === "gateway") {
        gateway = planGateway(apps, standingEntryPoints(entryPoints), profile, traefikNamespace, traefik.releaseName, stackLabels(config));
        const { name, namespace } = gateway;
        // The Gateway API route replaces the IngressRouteTCP, and the Traefik objects only it refers to.
        apps = apps.map((app) => (app.kind === "tcp" && app.entryPoint ? { ...app, route: planGatewayRoute(app, { name, namespace }), traefikObjects: [] } : app));
    }
    const namespaces = [...new Set(apps.map((a) => a.namespace))].sort();
    const shutdown = traefik.gracePeriod ? planShutdown(traefik.gracePeriod) : undefined;
    const plannedTraefik: PlannedTraefik = {
        chart: traefik.chart,
        installer: traefik.installer,
        routing: traefik.routing,
        ...(gateway ? { gateway } : {}),
        namespace: traefikNamespace,
        releaseName: traefik.releaseName,
        serviceType: traefik.serviceType,
        resources: traefik.resources,
        watchNamespaces: namespaces,
        profile,
        entryPoints: standingEntryPoints(entryPoints),
        labels: stackLabels(config),
        ...(shutdown ? { shutdown } : {}),
        availability: planAvailability(traefik, traefikNamespace),
        readiness: planReadiness(traefik.releaseName, profile),
        closesAfterSeconds: closesAfterSeconds(shutdown),
    };
    const monitoring = planMonitoring(config, profile, traefikNamespace, plannedTraefik.availability, config.identity);
    if (monitoring) {
        plannedTraefik.monitoring = monitoring;
    }
    return {
        config,
        catalog,
        identity: config.identity,
        labels: stackLabels(config),
        apps,
        entryPoints,
        profile,
        namespaces,
        traefik: plannedTraefik,
        objects: [...plannedObjects(apps, namespaces, plannedTraefik.namespace, gateway), ...(monitoring ? monitoringObjects(monitoring) : [])],
    };
}

/** The stack's Gateway: a listener for each TCP app whose entryPoint Traefik has (the rules refuse the others). */
function planGateway(apps: AppDraft[], entryPoints: PlannedEntryPoint[], profile: ChartProfile, namespace: string, releaseName: string, labels: Record<string, string>): PlannedGateway {
    const listeners = apps.flatMap((app) => (app.kind === "tcp" ? [planListener(app, entryPoints, profile)] : [])).filter((l) => l !== undefined);
    return { name: `${releaseName}-gateway`, namespace, className: gatewayClassName(namespace), classLabels: labels, listeners };
}

/** The objects of `apps`, their namespaces and Traefik's, named as the components name them. */
function plannedObjects(apps: AppDraft[], namespaces: string[], traefikNamespace: string, gateway: PlannedGateway | undefined): ObjectRef[] {
    const objects: ObjectRef[] = [{ apiVersion: "v1", kind: "Namespace", name: traefikNamespace, path: `${PROJECT}:traefik.namespace` }];
    if (gateway) {
        objects.push({ apiVersion: `${GATEWAY_GROUP}/v1`, kind: "Gateway", namespace: gateway.namespace, name: gateway.name, path: `${PROJECT}:traefik.routing` });
    }
    for (const namespace of namespaces) {
        const path = `${PROJECT}:namespaceSuffix`;
        objects.push({ apiVersion: "v1", kind: "Namespace", name: namespace, path }, { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespace, name: "default-deny-ingress", path });
    }
    for (const app of apps) {
        const { namespace, names } = app;
        const path = `${PROJECT}:apps.${app.id}`;
        const of = (apiVersion: string, kind: string, name: string, key = path) => objects.push({ apiVersion, kind, namespace, name, path: key });
        if (app.secretEnv.length > 0) {
            of("v1", "Secret", names.secret);
        }
        if (app.serverTls?.issuer) {
            of("cert-manager.io/v1", "Certificate", names.certificate, `${path}.tls.certificate.issuer`);
        }
        app.storage?.claims.forEach((claim) => of("v1", "PersistentVolumeClaim", claim));
        of("apps/v1", app.storage ? "StatefulSet" : "Deployment", names.deployment);
        of("v1", "Service", names.service);
        of("networking.k8s.io/v1", "NetworkPolicy", names.networkPolicy);
        if (app.canary) {
            const canary = { apiVersion: "", kind: "", namespace, path: app.canary.path };
            const { names: own } = app.canary.app;
            objects.push({ ...canary, apiVersion: "apps/v1", kind: "Deployment", name: own.deployment }, { ...canary, apiVersion: "v1", kind: "Service", name: own.service },
                { ...canary, apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", name: own.networkPolicy });
        }
        if (app.kind === "http") {
            of(TRAEFIK_API_VERSION, "IngressRoute", names.route);
            continue;
        }
        app.traefikObjects.forEach((object) => of(TRAEFIK_API_VERSION, object.kind, object.name));
        if (app.route) {
            of(app.route.kind === "TCPRoute" || app.route.kind === "TLSRoute" ? `${GATEWAY_GROUP}/v1` : TRAEFIK_API_VERSION, app.route.kind, app.route.name);
        }
    }
    return objects;
}


/** What the program ships for monitoring (the PodMonitor or the scrape ConfigMap, as the cluster decides; both are checked). */
function monitoringObjects(monitoring: PlannedMonitoring): ObjectRef[] {
    const { namespace, names, path } = monitoring;
    return [
        { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", namespace, name: names.networkPolicy, path },
        { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", namespace, name: names.podMonitor, path, scrape: "operator" },
        { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", namespace, name: names.rules, path, scrape: "operator" },
        { apiVersion: "v1", kind: "ConfigMap", namespace, name: names.scrapeConfig, path, scrape: "plain" },
        { apiVersion: "v1", kind: "ConfigMap", namespace: monitoring.dashboardNamespace, name: names.dashboard, path },
    ];
}

/** The objects an up registers, where the cluster was found to scrape as `scrape` says (offline: the operator's way). */
export function registeredObjects(objects: ObjectRef[], scrape: "operator" | "plain" = "operator"): ObjectRef[] {
    return objects.filter((ref) => ref.scrape === undefined || ref.scrape === scrape);
}
