/**
 * Planning: from the catalog and a configuration that passed the schema to exactly what each
 * component creates, every derived fact resolved once. Pure: tested without Pulumi.
 */
import { Catalog, catalogEntry } from "../catalog";
import { Duration, StackConfig } from "../config/schema";
import { PROJECT } from "../constants";
import { StackIdentity } from "../ownership";
import { chartProfile, ChartProfile, ServiceType, TRAEFIK_DRAIN_SECONDS, TraefikResources } from "../traefik/profile";
import { PlannedApp, planApp, stackLabels } from "./apps";
import { PlannedEntryPoint, planEntryPoints, standingEntryPoints } from "./entryPoints";
import { GATEWAY_GROUP, gatewayClassName, PlannedGateway, planGatewayRoute, planListener } from "./gateway";
import { portTable, PortTableRow } from "./portTable";

export * from "./apps";
export * from "./entryPoints";
export * from "./gateway";
export * from "./portTable";
export * from "./routes";

/** How Traefik shuts down: `traefik.gracePeriod`, in seconds, and what the pod then needs. */
export interface PlannedShutdown {
    /** After SIGTERM, Traefik keeps accepting new connections this long. */
    requestAcceptGraceTimeout: number;
    /** Then it serves the open connections this long, and closes them. */
    graceTimeOut: number;
    /** The pod's grace: the stack's, or derived from the three phases and a margin. */
    terminationGracePeriodSeconds: number;
    /** What the three phases take: the preStop drain, accepting, serving. */
    needed: number;
}

/** Seconds of a duration the schema accepted ("1m30s", or a number of seconds). */
export function seconds(d: Duration): number {
    if (typeof d === "number") {
        return d;
    }
    const [, h = "0", m = "0", s = "0"] = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d) ?? [];
    return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** Seconds the pod's grace keeps beyond Traefik's own shutdown, for the process to exit. */
export const SHUTDOWN_MARGIN_SECONDS = 5;

function planShutdown(grace: StackConfig["traefik"]["gracePeriod"]): PlannedShutdown | undefined {
    if (!grace) {
        return undefined;
    }
    const requestAcceptGraceTimeout = seconds(grace.requestAcceptGraceTimeout ?? 0);
    const graceTimeOut = seconds(grace.graceTimeOut);
    const needed = TRAEFIK_DRAIN_SECONDS + requestAcceptGraceTimeout + graceTimeOut;
    return { requestAcceptGraceTimeout, graceTimeOut, needed, terminationGracePeriodSeconds: grace.terminationGracePeriodSeconds ?? needed + SHUTDOWN_MARGIN_SECONDS };
}

/** Traefik as this stack installs it. */
export interface PlannedTraefik {
    chart: StackConfig["traefik"]["chart"];
    installer: "chart" | "release";
    /** How it routes TCP apps: their IngressRouteTCPs, or the Gateway API (`gateway`). */
    routing: "ingressRoute" | "gateway";
    /** Its Gateway, in gateway routing. */
    gateway?: PlannedGateway;
    /** Its namespace: `traefik.namespace`, else `traefik` plus the stack's namespaceSuffix. */
    namespace: string;
    releaseName: string;
    serviceType: ServiceType;
    resources?: TraefikResources;
    /** The only namespaces whose routes it reads (and whose Secrets it may read): the stack's apps'. */
    watchNamespaces: string[];
    /** How its chart version spells the values. */
    profile: ChartProfile;
    /** Its extra entryPoints, from the apps (those that stand). */
    entryPoints: PlannedEntryPoint[];
    /** Labels for every object of the chart: the stack's, and its ownership. */
    labels: Record<string, string>;
    /** Its shutdown, when the stack sets `traefik.gracePeriod` (else the chart's and Traefik's defaults). */
    shutdown?: PlannedShutdown;
}

/** A Kubernetes object the program creates itself, and the config key that names it. */
export interface ObjectRef {
    apiVersion: string;
    kind: string;
    namespace?: string;
    name: string;
    /** Config path that brings the object into being, for messages. */
    path: string;
}

export interface PlatformPlan {
    /** What the plan was made from: the rules read what the stack wrote through it. */
    config: StackConfig;
    catalog: Catalog;
    identity: StackIdentity;
    /** Labels on every object: the stack's own, and its ownership. */
    labels: Record<string, string>;
    apps: PlannedApp[];
    /** Every entryPoint declaration, including those that clash (the rules refuse them). */
    entryPoints: PlannedEntryPoint[];
    profile: ChartProfile;
    portTable: PortTableRow[];
    /** Namespaces the program creates for the apps. */
    namespaces: string[];
    traefik: PlannedTraefik;
    /** Every object the program creates itself (the chart's objects aside). */
    objects: ObjectRef[];
}

/**
 * Everything the program will create, derived once from a configuration that passed the schema:
 * the rules check this, and the components build it.
 */
export function planPlatform(config: StackConfig, catalog: Catalog): PlatformPlan {
    const profile = chartProfile(config.traefik.chart.version);
    const entryPoints = planEntryPoints(config, profile, catalog);
    const { traefik } = config;
    const traefikNamespace = traefik.namespace ?? `traefik${config.namespaceSuffix}`;
    let apps = Object.keys(config.apps).map((id) => planApp(id, catalogEntry(catalog, id)!, config, profile));
    let gateway: PlannedGateway | undefined;
    if (traefik.routing === "gateway") {
        gateway = planGateway(apps, standingEntryPoints(entryPoints), profile, traefikNamespace, traefik.releaseName, stackLabels(config));
        const { name, namespace } = gateway;
        // The Gateway API route replaces the IngressRouteTCP, and the Traefik objects only it refers to.
        apps = apps.map((app) => (app.kind === "tcp" && app.entryPoint ? { ...app, route: planGatewayRoute(app, { name, namespace }), traefikObjects: [] } : app));
    }
    const namespaces = [...new Set(apps.map((a) => a.namespace))].sort();
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
        ...(traefik.gracePeriod ? { shutdown: planShutdown(traefik.gracePeriod) } : {}),
    };
    return {
        config,
        catalog,
        identity: config.identity,
        labels: stackLabels(config),
        apps,
        entryPoints,
        profile,
        portTable: portTable(apps, plannedTraefik.entryPoints, profile),
        namespaces,
        traefik: plannedTraefik,
        objects: plannedObjects(apps, namespaces, plannedTraefik.namespace, gateway),
    };
}

/** The stack's Gateway: a listener for each TCP app whose entryPoint Traefik has (the rules refuse the others). */
function planGateway(apps: PlannedApp[], entryPoints: PlannedEntryPoint[], profile: ChartProfile, namespace: string, releaseName: string, labels: Record<string, string>): PlannedGateway {
    const listeners = apps.flatMap((app) => (app.kind === "tcp" ? [planListener(app, entryPoints, profile)] : [])).filter((l) => l !== undefined);
    return { name: `${releaseName}-gateway`, namespace, className: gatewayClassName(namespace), classLabels: labels, listeners };
}

/** The objects of `apps`, their namespaces and Traefik's, named as the components name them. */
function plannedObjects(apps: PlannedApp[], namespaces: string[], traefikNamespace: string, gateway: PlannedGateway | undefined): ObjectRef[] {
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
        const of = (apiVersion: string, kind: string, name: string) => objects.push({ apiVersion, kind, namespace, name, path });
        if (app.secretEnv.length > 0) {
            of("v1", "Secret", names.secret);
        }
        if (app.serverTls?.issuer) {
            of("cert-manager.io/v1", "Certificate", names.certificate);
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
            of("traefik.io/v1alpha1", "IngressRoute", names.route);
            continue;
        }
        app.traefikObjects.forEach((object) => of("traefik.io/v1alpha1", object.kind, object.name));
        if (app.route) {
            of(app.route.kind === "TCPRoute" || app.route.kind === "TLSRoute" ? `${GATEWAY_GROUP}/v1` : "traefik.io/v1alpha1", app.route.kind, app.route.name);
        }
    }
    return objects;
}

