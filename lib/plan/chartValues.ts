/**
 * The Helm values this program gives the Traefik chart, as its version spells them
 * (lib/traefik/profile.ts). Pure: the values are tested for both chart formats without a cluster.
 */
import type { PlannedGateway, PlannedMonitoring, PlannedTraefik } from "../traefikModel";
import { OWNER_LABEL_PREFIX } from "../ownership";
import { TRAEFIK_DRAIN_SECONDS } from "../traefik/profile";
import { availabilityValues, startAfterCrds, STATIC_CONFIG_ANNOTATION, staticConfig, summarizeStaticConfig } from "./traefikPodValues";
import { durationText } from "./durations";

/**
 * The Helm values for Traefik. The entryPoints come only from the apps' plan: no second
 * hand-kept list, and no `--entrypoints.*` arguments (the chart derives them from `ports`).
 * `chartInstallsCrds`: false where the CRDs are adopted (`skipCrds`). Only the v4 Chart then
 * installs them beside Traefik; a Helm release installs a chart's CRDs before the rest.
 */
export function traefikValues(input: PlannedTraefik, chartInstallsCrds = true): Record<string, unknown> {
    const { profile, shutdown } = input;
    const crdsInChart = input.installer === "chart" && chartInstallsCrds;
    const expose = profile.exposeAsObject ? { default: true } : true;
    const lifeCycle = shutdown && { requestAcceptGraceTimeout: durationText(shutdown.requestAcceptGraceTimeout), graceTimeOut: durationText(shutdown.graceTimeOut) };
    const transport = lifeCycle && profile.lifeCycleInPorts ? { transport: { lifeCycle } } : {};
    const ports: Record<string, unknown> = {};
    for (const ep of input.entryPoints) {
        ports[ep.name] = {
            port: ep.port,
            expose,
            exposedPort: ep.exposedPort,
            protocol: ep.protocol,
            ...(ep.nodePort !== undefined && input.serviceType !== "ClusterIP" ? { nodePort: ep.nodePort } : {}),
            ...(ep.proxyProtocol ? { proxyProtocol: ep.proxyProtocol } : {}),
            ...transport,
        };
    }
    if (lifeCycle && profile.lifeCycleInPorts) {
        // Helm merges these into the chart's own entryPoints: only their shutdown changes.
        for (const builtin of profile.builtinEntryPoints) {
            ports[builtin.name] = transport;
        }
    }
    if (input.gateway) {
        // Traefik's Gateway provider adds, as soon as one TLSRoute exists, a TLS router with no
        // entryPoints (`deny-unknown-host`), which Traefik puts on every default entryPoint: all of
        // them unless some are marked. A TLS router on an app's plain-TCP entryPoint makes Traefik
        // wait for the client's first bytes (a ClientHello?) before routing, and a server-first
        // protocol (MySQL's greeting) then hangs. websecure, where the TLS listeners are, is made
        // the only default entryPoint (tests/e2e/gateway.test.ts).
        ports.websecure = { ...(ports.websecure as Record<string, unknown> | undefined), asDefault: true };
    }
    const accessLog = { enabled: true, format: "json" };
    const { deployment: scale, ...availability } = availabilityValues(input);
    const values: Record<string, unknown> = {
        service: {
            ...(profile.serviceTypeInSpec ? { spec: { type: input.serviceType } } : { type: input.serviceType }),
            // The platform is reached on its NodePorts; many clusters never give a load balancer an
            // address, and waiting for one would fail the update after ten minutes.
            ...(input.serviceType === "LoadBalancer" ? { annotations: { "pulumi.com/skipAwait": "true" } } : {}),
        },
        ports,
        // The dashboard stays on the unexposed `traefik` entryPoint, never on a NodePort.
        ingressRoute: { dashboard: { enabled: false } },
        // Chart 26 leaves out the seccomp profile that Pod Security "restricted" requires.
        podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
        // A Traefik pod being replaced stops accepting at SIGTERM; until kube-proxy has taken it out
        // of the Service, new connections would still reach it and be refused. It keeps accepting
        // this long first (the chart's own rollout already surges: maxUnavailable 0, maxSurge 1).
        deployment: {
            ...(scale as Record<string, unknown>),
            ...(crdsInChart ? { annotations: startAfterCrds(profile.providerCrds) } : {}),
            lifecycle: { preStop: { sleep: { seconds: TRAEFIK_DRAIN_SECONDS } } },
            ...(shutdown ? { terminationGracePeriodSeconds: shutdown.terminationGracePeriodSeconds } : {}),
        },
        ...(profile.accessLogKey === "accessLog" ? { accessLog } : { logs: { access: accessLog } }),
        // Traefik sees only its own stack: routes, Services and Secrets of the app namespaces,
        // through Roles there instead of a ClusterRole that reads every Secret of the cluster.
        // HTTP apps are routed by IngressRoutes, so neither the Ingress provider nor a
        // cluster-wide IngressClass (which two releases on one cluster would fight over) is needed.
        rbac: { namespaced: true },
        providers: { kubernetesCRD: { namespaces: crdNamespaces(input) }, kubernetesIngress: { enabled: false } },
        ingressClass: { enabled: false },
        ...(input.gateway ? gatewayValues(input, input.gateway) : {}),
        ...(input.monitoring ? metricsValues(input.monitoring) : {}),
        ...availability,
    };
    if (Object.keys(input.labels).length > 0) {
        values.commonLabels = input.labels;
    }
    if (input.resources) {
        values.resources = input.resources;
    }
    if (lifeCycle && !profile.lifeCycleInPorts) {
        const names = [...profile.builtinEntryPoints.map((b) => b.name), ...input.entryPoints.map((ep) => ep.name)];
        values.additionalArguments = names.flatMap((name) => Object.entries(lifeCycle).map(([key, value]) => `--entryPoints.${name}.transport.lifeCycle.${key}=${value}`));
    }
    // Last: the record is of every other value.
    (values.deployment as Record<string, unknown>).podAnnotations = { [STATIC_CONFIG_ANNOTATION]: JSON.stringify(summarizeStaticConfig(staticConfig(values, profile.version))) };
    return values;
}

/** The namespaces the CRD provider reads: the apps', and Traefik's own, where its readiness gate's route is. */
function crdNamespaces(input: PlannedTraefik): string[] {
    return [...new Set([input.namespace, ...input.watchNamespaces])];
}

/**
 * Gateway routing: Traefik's Gateway provider, reading the experimental channel (Traefik 3.7 lists
 * TCPRoutes only there) from Traefik's namespace, where the Gateway is, and the apps'. The chart's
 * GatewayClass, named for this stack and selected by its ownership labels (commonLabels put them
 * on it), so that two Traefiks on one cluster each program only their own Gateway. The chart's
 * default Gateway is off: the program creates the Gateway, with a listener per app. The provider
 * lists namespaces and watches GatewayClasses, which the chart grants only through a ClusterRole:
 * it refuses `rbac.namespaced` with the Gateway provider.
 */
function gatewayValues(input: PlannedTraefik, gateway: PlannedGateway): Record<string, unknown> {
    const selector = Object.entries(input.labels).filter(([key]) => key.startsWith(OWNER_LABEL_PREFIX)).map(([key, value]) => `${key}=${value}`).join(",");
    return {
        rbac: { namespaced: false },
        providers: {
            kubernetesCRD: { namespaces: crdNamespaces(input) },
            kubernetesIngress: { enabled: false },
            kubernetesGateway: { enabled: true, experimentalChannel: true, namespaces: [...new Set([input.namespace, ...input.watchNamespaces])], labelSelector: selector },
        },
        gateway: { enabled: false },
        gatewayClass: { enabled: true, name: gateway.className },
    };
}

/**
 * Traefik's Prometheus metrics on its metrics entryPoint, labelled by entryPoint (a TCP app's own
 * entryPoint tells it apart) and by service (HTTP apps). Both chart lines keep that entryPoint off
 * the Service (`ports.metrics.expose: false`, tests/unit/monitoring.test.ts reads their values.yaml):
 * the scraper reaches the pods' port, and the NetworkPolicy admits only it. The chart's ServiceMonitor stays off:
 * its pods keep the chart's prometheus.io annotations, and the program's PodMonitor (or scrape
 * config) selects them.
 */
function metricsValues(monitoring: PlannedMonitoring): Record<string, unknown> {
    return { metrics: { prometheus: { entryPoint: monitoring.entryPoint, addEntryPointsLabels: true, addServicesLabels: true } } };
}
