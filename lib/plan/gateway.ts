/**
 * Gateway routing (`traefik.routing: gateway`): a Gateway of the stack's GatewayClass with one
 * listener per TCP app, on the port of the entryPoint the app's route binds to, and a TCPRoute
 * (plain TCP) or TLSRoute (SNI, TLS passed through) per app bound to its listener by sectionName.
 * Derived from the same app list as the entryPoints: no second list of listeners to keep.
 */
import type { PlannedGatewayRoute, TcpAppDraft } from "../model";
import type { GatewayListener, PlannedEntryPoint, PlannedGateway, PlannedListener } from "../traefikModel";
import { ChartProfile } from "../traefik/profile";
import { gatewayHostnames } from "./matchers";

export const GATEWAY_GROUP = "gateway.networking.k8s.io";

/** The controller Traefik's Gateway provider answers for (the chart's GatewayClass names it). */
export const TRAEFIK_GATEWAY_CONTROLLER = "traefik.io/gateway-controller";

/** Kubernetes' own label on every namespace: listeners admit routes of their app's namespace by it. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The GatewayClass of a stack's Traefik: one per Traefik namespace, which no two stacks share. */
export function gatewayClassName(traefikNamespace: string): string {
    return `tcp-platform-${traefikNamespace}`;
}

/** The Traefik port of an entryPoint: an app's declaration, or one of the chart's own. */
function entryPointPort(name: string, entryPoints: PlannedEntryPoint[], profile: ChartProfile): number | undefined {
    return entryPoints.find((ep) => ep.name === name && ep.protocol === "TCP")?.port ?? profile.builtinEntryPoints.find((b) => b.name === name)?.port;
}

/** The listener of a TCP app that routes through an entryPoint. */
export function planListener(app: TcpAppDraft, entryPoints: PlannedEntryPoint[], profile: ChartProfile): PlannedListener | undefined {
    if (!app.entryPoint) {
        return undefined;
    }
    const port = entryPointPort(app.entryPoint, entryPoints, profile);
    if (port === undefined) {
        return undefined;
    }
    return {
        name: app.id, port, protocol: app.tls ? "TLS" : "TCP", ...(app.host ? { hostname: gatewayHostnames(app.host)[0] } : {}),
        entryPoint: app.entryPoint, app: app.id, namespace: app.namespace, path: `tcp-platform:apps.${app.id}`,
    };
}

/** The Gateway's listeners as its spec has them: each admits one route kind, from its app's namespace only. */
export function gatewayListeners(listeners: PlannedListener[]): GatewayListener[] {
    return listeners.map((l) => ({
        name: l.name,
        port: l.port,
        protocol: l.protocol,
        ...(l.hostname ? { hostname: l.hostname } : {}),
        ...(l.protocol === "TLS" ? { tls: { mode: "Passthrough" as const } } : {}),
        allowedRoutes: {
            namespaces: { from: "Selector" as const, selector: { matchLabels: { [NAMESPACE_NAME_LABEL]: l.namespace } } },
            kinds: [{ group: GATEWAY_GROUP, kind: l.protocol === "TLS" ? "TLSRoute" : "TCPRoute" }],
        },
    }));
}

/** The app's route: bound to its listener by sectionName, to its Service (and a canary's, weighted). */
export function planGatewayRoute(app: TcpAppDraft, gateway: Pick<PlannedGateway, "name" | "namespace">): PlannedGatewayRoute {
    const parentRefs = [{ group: GATEWAY_GROUP, kind: "Gateway", name: gateway.name, namespace: gateway.namespace, sectionName: app.id }];
    const stable = { name: app.names.service, port: app.servicePort };
    const backendRefs = app.canary
        ? [{ ...stable, weight: 100 - app.canary.weight }, { name: app.canary.app.names.service, port: app.servicePort, weight: app.canary.weight }]
        : [stable];
    const rules = [{ backendRefs }];
    return app.tls
        ? { kind: "TLSRoute", name: app.names.route, spec: { parentRefs, hostnames: gatewayHostnames(app.host), rules } }
        : { kind: "TCPRoute", name: app.names.route, spec: { parentRefs, rules } };
}
