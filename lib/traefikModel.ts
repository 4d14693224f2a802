/**
 * What Traefik's part of a plan *is*: its install (chart, namespace, Service), the entryPoints the
 * apps declare, the Gateway of gateway routing, its shutdown, its pods' availability and readiness,
 * and its monitoring. Vocabulary like lib/model.ts (which holds the apps and the plan as a whole):
 * it imports no planner.
 */
import type { PeerConfig, StackConfig } from "./config/schema";
import type { GatewaySpec } from "./crds/gateway";
import type { ChartProfile, ServiceType, TraefikResources } from "./traefik/profile";

/** An entryPoint an app declares for Traefik. */
export interface PlannedEntryPoint {
    name: string;
    /** Port Traefik listens on inside its pod, and its port on the Traefik Service. */
    port: number;
    exposedPort: number;
    /** Fixed NodePort, when the stack names one. */
    nodePort?: number;
    /** UDP for a UDP app's entryPoint: a TCP and a UDP entryPoint may share a number. */
    protocol: "TCP" | "UDP";
    /** Addresses (a load balancer) whose PROXY protocol headers it accepts. */
    proxyProtocol?: { trustedIPs: string[] };
    /** App ids routed through it: the declaring app first, then those that refer to its name (a pool entryPoint's claimers only). */
    apps: string[];
    /** Config path of the declaration. */
    path: string;
    /** One of the stack's spare entryPoints (`traefik.portPool`): Traefik listens on it whether an app claims it or not. */
    pool?: true;
}

/** A listener of the Gateway: one per TCP app. */
export interface PlannedListener {
    /** The listener's name, the app's id: its route's parentRef names it as sectionName. */
    name: string;
    /** The port of the app's entryPoint inside the Traefik pod: Traefik binds the listener to the entryPoint on that port. */
    port: number;
    /** TCP for a plain-TCP app, TLS (passthrough) for an SNI app. */
    protocol: "TCP" | "TLS";
    /** The app's SNI host (TLS listeners only). */
    hostname?: string;
    entryPoint: string;
    /** The app whose route it admits, the namespace that route lives in, and the app's config path. */
    app: string;
    namespace: string;
    path: string;
}

export type GatewayListener = GatewaySpec["listeners"][number];

/** The stack's Gateway and the GatewayClass of its Traefik. */
export interface PlannedGateway {
    name: string;
    /** Traefik's namespace. */
    namespace: string;
    /** The chart's GatewayClass, named for this stack's Traefik: each Traefik reads only its own (by `classLabels`). */
    className: string;
    /** Labels the GatewayClass carries, and Traefik's provider selects it by. */
    classLabels: Record<string, string>;
    listeners: PlannedListener[];
}

/** How Traefik shuts down: `traefik.gracePeriod`, in seconds, and what the pod then needs. */
export interface PlannedShutdown {
    /** After SIGTERM, Traefik keeps accepting new connections this long, then serves the open ones graceTimeOut and closes them. */
    requestAcceptGraceTimeout: number;
    graceTimeOut: number;
    /** The pod's grace: the stack's, or derived from the three phases and a margin. */
    terminationGracePeriodSeconds: number;
    /** What the three phases take: the preStop drain, accepting, serving. */
    needed: number;
}

/** The names of what the program ships for monitoring, in Traefik's namespace (the dashboard's where the stack says). */
export interface MonitoringNames {
    /** The NetworkPolicy of Traefik's pods: every entryPoint on the Service from anywhere, the metrics port from the scraper only. */
    networkPolicy: string;
    /** The PodMonitor (with the Prometheus Operator); the ConfigMap with a scrape config and the rules for a Prometheus without it. */
    podMonitor: string;
    scrapeConfig: string;
    /** The PrometheusRule of the alerts. */
    rules: string;
    /** The ConfigMap Grafana's sidecar loads the dashboard from (`grafana_dashboard` label). */
    dashboard: string;
}

/** Monitoring (`tcp-platform:monitoring`): Traefik's metrics, who scrapes them, the dashboard and the alerts. */
export interface PlannedMonitoring {
    /** Traefik's metrics entryPoint and its port in the pod; it is never on the Service. */
    entryPoint: string;
    port: number;
    /**
     * The scrape job, `<namespace>/<PodMonitor name>`: the `job` label the operator gives Traefik's
     * series, and the job name of the rendered scrape config, so the alerts and the dashboard read
     * the same series either way.
     */
    job: string;
    /** Traefik's namespace, and the chart's selector labels of this release's pods. */
    namespace: string;
    podSelector: Record<string, string>;
    /** The only peer admitted to the metrics port. */
    scraper: PeerConfig;
    /** Seconds between scrapes. */
    scrapeInterval: number;
    /** Labels the operator's Prometheus selects the PodMonitor and PrometheusRule by. */
    selectorLabels: Record<string, string>;
    dashboardNamespace: string;
    names: MonitoringNames;
    /** The fewest Traefik pods the stack keeps (traefik.replicas, or autoscaling.min). */
    replicas: number;
    certificateExpiryDays: number;
    /** Prefix of the alerts' runbook links (`docs/monitoring.md#...` follows). */
    runbookBase: string;
    /** The stack the dashboard is titled after. */
    stack: string;
    /** Config path, for messages. */
    path: string;
}

/** How many Traefik pods run, and what keeps them available. */
export interface PlannedAvailability {
    /** A fixed count; absent when an autoscaler owns it. */
    replicas?: number;
    /** A HorizontalPodAutoscaler on CPU (percent of the request). */
    autoscaling?: { min: number; max: number; cpu: number };
    /** The fewest pods the stack keeps: replicas, or autoscaling.min. */
    floor: number;
    /** The PodDisruptionBudget, when floor >= 2 (else none: one pod cannot be both drained and kept). */
    disruptionBudget?: { maxUnavailable: number } | { minAvailable: number };
    /** The chart's selector labels of Traefik's pods, which the spread constraints count. */
    podSelector: Record<string, string>;
}

/**
 * What gates a new Traefik pod's readiness: a route of the CRD provider (an IngressRoute on the
 * unexposed `traefik` entryPoint, answered by ping@internal). It answers only once that provider
 * has loaded its configuration, every TCP app's route with it (one snapshot of its caches).
 */
export interface PlannedReadiness {
    /** The IngressRoute, in Traefik's namespace. */
    routeName: string;
    path: string;
    /** The `traefik` entryPoint's port inside the pod. */
    port: number;
}

/** Traefik as this stack installs it. */
export interface PlannedTraefik {
    chart: StackConfig["traefik"]["chart"];
    installer: "chart" | "release";
    /** How it routes TCP apps: their IngressRouteTCPs, or the Gateway API (`gateway`). */
    routing: "ingressRoute" | "gateway";
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
    /** Its metrics scraped, a dashboard and alerts, when the stack sets `monitoring`. */
    monitoring?: PlannedMonitoring;
    availability: PlannedAvailability;
    readiness: PlannedReadiness;
    /** Seconds after a pod's deletion begins that its established connections are closed: preStop, accepting, graceTimeOut. */
    closesAfterSeconds: number;
}
