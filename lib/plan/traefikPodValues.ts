/**
 * The chart values that make Traefik a traffic plane (both chart lines take them under the same
 * keys: checked against each chart's templates and 41's values.schema.json): replicas or an
 * autoscaler, the PodDisruptionBudget, spread across nodes and zones, a rolling update that never
 * has fewer ready pods than asked, and a startup gate on the routes being loaded. And the record
 * of Traefik's static configuration that its pods carry, which the preview compares (lib/live).
 */
import { createHash } from "crypto";
import { ingressRouteKind, IngressRouteSpec } from "../crds/ingressRoute";
import type { PlannedTraefik } from "../traefikModel";

/** The pod annotation that records Traefik's static configuration (what only a restart changes). */
export const STATIC_CONFIG_ANNOTATION = "tcp-platform/static-config";

/** The annotation by which Pulumi's Chart (as cli-utils appliers do) creates an object only after others of the chart. */
export const DEPENDS_ON_ANNOTATION = "config.kubernetes.io/depends-on";

/**
 * The Deployment's annotation that makes Pulumi create Traefik's pods only once the CRDs its
 * provider watches are established. Started before, the provider's informers back off (0.8 s,
 * doubling up to 30 s) and a new pod's startup gate waits on them: 12 s on the real node, while
 * the apiserver was still adding the chart's 25 CRDs. The Deployment's metadata only: no restart.
 */
export function startAfterCrds(crds: readonly string[]): Record<string, string> {
    return { [DEPENDS_ON_ANNOTATION]: crds.map((name) => `apiextensions.k8s.io/CustomResourceDefinition/${name}`).join(",") };
}

/** The values that make and keep Traefik's pods available, and gate a new one's readiness. */
export function availabilityValues({ availability, readiness, namespace, labels }: PlannedTraefik): Record<string, unknown> {
    const { replicas, autoscaling, disruptionBudget, podSelector } = availability;
    const spread = (topologyKey: string, whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway") => ({
        maxSkew: 1, topologyKey, whenUnsatisfiable,
        labelSelector: { matchLabels: podSelector },
        // Counted per revision: a rolling update's new pods spread among themselves.
        matchLabelKeys: ["pod-template-hash"],
        // A cordoned node (a drain) is not a domain to balance against.
        nodeTaintsPolicy: "Honor",
    });
    const gate: IngressRouteSpec = {
        entryPoints: ["traefik"],
        routes: [{ kind: "Rule", match: `Path(\`${readiness.path}\`)`, services: [{ name: "ping@internal", kind: "TraefikService" }] }],
    };
    return {
        // The chart leaves spec.replicas out when autoscaling is on: the autoscaler owns it.
        deployment: replicas !== undefined ? { replicas } : {},
        autoscaling: autoscaling
            ? { enabled: true, minReplicas: autoscaling.min, maxReplicas: autoscaling.max, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: autoscaling.cpu } } }] }
            : { enabled: false },
        podDisruptionBudget: disruptionBudget ? { enabled: true, ...disruptionBudget } : { enabled: false },
        // Always, one pod or many: scaling then never changes the pod template (which would roll Traefik).
        // Nodes: never two pods on one node while another can take one; zones: where nodes have them
        // (DoNotSchedule would refuse every node without the label).
        topologySpreadConstraints: [spread("kubernetes.io/hostname", "DoNotSchedule"), spread("topology.kubernetes.io/zone", "ScheduleAnyway")],
        // The chart's default too; written so that a chart upgrade cannot change it.
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        // A new pod is Ready only once the CRD provider answers the gate's route; then the chart's
        // readiness probe (/ping) takes over. A pod that never loads its routes is restarted
        // after 2 min, and the rollout waits with the old pods serving (maxUnavailable: 0).
        startupProbe: { httpGet: { path: readiness.path, port: readiness.port }, periodSeconds: 1, failureThreshold: 120, timeoutSeconds: 2 },
        extraObjects: [{ apiVersion: ingressRouteKind.apiVersion, kind: ingressRouteKind.kind, metadata: { name: readiness.routeName, namespace, labels }, spec: gate }],
    };
}

/** Keys of the values outside Traefik's pod template: changing them never restarts Traefik. */
const OUTSIDE_POD = ["service", "ingressRoute", "rbac", "ingressClass", "gateway", "gatewayClass", "autoscaling", "podDisruptionBudget", "updateStrategy", "extraObjects"];
/** Keys of an entryPoint's values that are the Service's only. */
const SERVICE_ONLY_PORT_KEYS = ["expose", "exposedPort", "nodePort"];

/**
 * Traefik's static configuration as far as this program sets it: the chart's version and every
 * value that reaches the pod template (entryPoints and their settings, providers, arguments,
 * resources, probes, labels, shutdown), and nothing that does not (Service ports, NodePorts,
 * replicas, the budget): so it changes exactly when Traefik's pods are replaced.
 */
export function staticConfig(values: Record<string, unknown>, chartVersion: string): Record<string, unknown> {
    const record: Record<string, unknown> = { chart: chartVersion };
    for (const [key, value] of Object.entries(values)) {
        if (OUTSIDE_POD.includes(key)) {
            continue;
        }
        if (key === "ports") {
            record.ports = Object.fromEntries(Object.entries(value as Record<string, Record<string, unknown>>).map(([name, port]) =>
                [name, Object.fromEntries(Object.entries(port).filter(([k]) => !SERVICE_ONLY_PORT_KEYS.includes(k)))]));
        } else if (key === "deployment") {
            // The Deployment's own annotations are not in its pod template.
            const { replicas: _replicas, podAnnotations: _podAnnotations, annotations: _annotations, ...pod } = value as Record<string, unknown>;
            record.deployment = pod;
        } else {
            record[key] = value;
        }
    }
    return record;
}

/**
 * What the pods carry of the record (short, and readable in a diff): the chart version, the
 * entryPoints Traefik listens on, and a digest of every other static setting.
 */
export interface StaticConfigSummary {
    chart: string;
    /** `name=port/protocol`, and the entryPoint's other settings (shutdown, PROXY protocol) when it has any; sorted. */
    entryPoints: string[];
    settings: string;
}

export function summarizeStaticConfig(record: Record<string, unknown>): StaticConfigSummary {
    const { chart, ports, ...rest } = record as { chart: string; ports?: Record<string, { port?: number; protocol?: string } & Record<string, unknown>> };
    const entryPoints: string[] = [];
    // The chart's own entryPoints (no port written: the chart's) count among the settings.
    const builtins: Record<string, unknown> = {};
    for (const [name, { port, protocol, ...settings }] of Object.entries(ports ?? {})) {
        if (port === undefined) {
            builtins[name] = settings;
        } else {
            entryPoints.push(`${name}=${port}/${protocol ?? "TCP"}${Object.keys(settings).length > 0 ? ` ${JSON.stringify(settings)}` : ""}`);
        }
    }
    const settings = createHash("sha256").update(JSON.stringify({ ...rest, ports: builtins })).digest("hex").slice(0, 16);
    return { chart, entryPoints: entryPoints.sort(), settings };
}
