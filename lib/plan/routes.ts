/**
 * A TCP or UDP app's route, and the Traefik objects it refers to, as the stack's chart line takes
 * them: the rule (HostSNI, a wildcard, ALPN), the weighted services of a canary, middlewares for
 * who may connect and how many at once, the PROXY protocol towards the backend, TLS options.
 */
import type { TlsOptionsConfig } from "../config/schema";
import type { IngressRouteTCPSpec } from "../crds/ingressRouteTcp";
import type { TLSOptionSpec } from "../crds/tlsOption";
import type { PlannedTraefikObject, TcpAppDraft, UdpAppDraft } from "../model";
import { ChartProfile } from "../traefik/profile";
import { tcpRule } from "./matchers";

interface RouteService {
    name: string;
    port: number;
    weight?: number;
    proxyProtocol?: { version: number };
    serversTransport?: string;
}

/** The stable Service, and with a canary both, weighted by the canary's share. */
function backends(app: TcpAppDraft | UdpAppDraft): RouteService[] {
    const stable = { name: app.names.service, port: app.servicePort };
    if (!app.canary) {
        return [stable];
    }
    return [{ ...stable, weight: 100 - app.canary.weight }, { name: app.canary.app.names.service, port: app.servicePort, weight: app.canary.weight }];
}

function tlsOptionsSpec({ minVersion, clientAuth }: TlsOptionsConfig): TLSOptionSpec {
    return {
        ...(minVersion ? { minVersion: `VersionTLS1${minVersion.slice(2)}` } : {}),
        ...(clientAuth ? { clientAuth: { ...(clientAuth.secretNames ? { secretNames: clientAuth.secretNames } : {}), clientAuthType: clientAuth.mode } } : {}),
    };
}

/** The app with its route and the Traefik objects the route refers to. */
export function planRoute<A extends TcpAppDraft | UdpAppDraft>(app: A, profile: ChartProfile): A {
    if (!app.entryPoint) {
        return app;
    }
    const entryPoints = [app.entryPoint];
    if (app.kind === "udp") {
        return { ...app, route: { kind: "IngressRouteUDP", name: app.names.route, spec: { entryPoints, routes: [{ services: backends(app) }] } } };
    }
    const objects: PlannedTraefikObject[] = [];
    const { names } = app;
    if (app.ipAllowList) {
        objects.push({ kind: "MiddlewareTCP", name: names.ipAllowList, role: "ip-allow-list", spec: { [profile.ipAllowListKey]: { sourceRange: app.ipAllowList } } });
    }
    if (app.maxConnections !== undefined) {
        objects.push({ kind: "MiddlewareTCP", name: names.maxConnections, role: "max-connections", spec: { inFlightConn: { amount: app.maxConnections } } });
    }
    const middlewares = objects.map(({ name }) => ({ name }));
    let services = backends(app);
    if (app.proxyProtocol && profile.proxyProtocolInTransport) {
        objects.push({ kind: "ServersTransportTCP", name: names.transport, role: "transport", spec: { proxyProtocol: app.proxyProtocol } });
        services = services.map((s) => ({ ...s, serversTransport: names.transport }));
    } else if (app.proxyProtocol) {
        services = services.map((s) => ({ ...s, proxyProtocol: app.proxyProtocol }));
    }
    const terminated = app.tls && "secretName" in app.tls ? app.tls : undefined;
    if (terminated && app.tlsOptions) {
        objects.push({ kind: "TLSOption", name: names.tlsOptions, role: "tls-options", spec: tlsOptionsSpec(app.tlsOptions) });
    }
    const match = tcpRule(app.host, app.alpn, profile);
    const tls = terminated && app.tlsOptions ? { ...terminated, options: { name: names.tlsOptions } } : app.tls;
    const spec: IngressRouteTCPSpec = {
        entryPoints,
        routes: [{ match, services, ...(middlewares.length > 0 ? { middlewares } : {}) }],
        ...(tls ? { tls } : {}),
    };
    return { ...app, route: { kind: "IngressRouteTCP", name: names.route, spec }, traefikObjects: objects };
}
