/**
 * Gateway routing (`traefik.routing: gateway`): the chart line's Traefik reads the Gateway API
 * release the program installs; each TCP app's route has a listener, on the port of one of
 * Traefik's TCP entryPoints; a TCP listener carries no host and a TLS listener one; and the app
 * asks for nothing that a TCPRoute or TLSRoute cannot say.
 */
import { PROJECT } from "../constants";
import { PlanDraft, TcpAppDraft } from "../model";
import { PlannedListener } from "../traefikModel";
import { Problem } from "../problems";

/** What an app may set under IngressRouteTCPs that a Gateway API route (in Traefik 3.7) cannot carry, and where to find it. */
const ingressRouteOnly = [
    { key: "ipAllowList", what: "an allow-list (a MiddlewareTCP): TCPRoutes and TLSRoutes take no filters" },
    { key: "maxConnections", what: "a connection limit (a MiddlewareTCP): TCPRoutes and TLSRoutes take no filters" },
    { key: "proxyProtocol", what: "the PROXY protocol towards the app (a ServersTransportTCP), which Gateway API routes cannot refer to" },
    { key: "alpn", what: "an ALPN matcher: a TLSRoute matches by SNI host only" },
] as const;

function featureProblems(app: TcpAppDraft): Problem[] {
    const at = `${PROJECT}:apps.${app.id}`;
    const problems: Problem[] = ingressRouteOnly.filter(({ key }) => app[key] !== undefined).map(({ key, what }) => ({
        path: `${at}.${key}`, value: app[key], problem: `is ${what}`, fix: `remove ${key} from ${app.id}, or keep traefik.routing: ingressRoute`,
    }));
    if (app.tls && !("passthrough" in app.tls)) {
        problems.push({
            path: `${at}.tls`, value: app.tls,
            problem: "terminates TLS in Traefik; gateway routing gives SNI apps TLS listeners in passthrough mode only (Traefik 3.7 attaches no TCPRoute to a terminating TLS listener)",
            fix: "pass TLS through to the app (tls: {passthrough: true, certificate: ...}), or keep traefik.routing: ingressRoute",
        });
    }
    if (app.tls && !app.host) {
        problems.push({
            path: `${at}.host`, value: undefined, problem: "is required in gateway routing: a TLSRoute matches at least one SNI host name",
            fix: "set host to the name its TLS clients send, e.g. db.example.com",
        });
    }
    return problems;
}

/** The Gateway's listeners against Traefik's entryPoints, and each other. */
function listenerProblems(plan: PlanDraft, listeners: PlannedListener[]): Problem[] {
    const problems: Problem[] = [];
    const tcpPorts = new Map([
        ...plan.profile.builtinEntryPoints.map((b) => [b.port, b.name] as const),
        ...plan.traefik.entryPoints.filter((ep) => ep.protocol === "TCP").map((ep) => [ep.port, ep.name] as const),
    ]);
    const seen = new Map<number, PlannedListener[]>();
    for (const listener of listeners) {
        if (!tcpPorts.has(listener.port)) {
            problems.push({
                path: listener.path, value: listener.port, problem: `has a listener on port ${listener.port}, which is not the port of one of Traefik's TCP entryPoints: Traefik would not program it`,
                fix: "route the app through a declared entryPoint: entryPoint: {name, port, nodePort}",
            });
        }
        if (listener.protocol === "TCP" && listener.hostname) {
            problems.push({
                path: `${listener.path}.host`, value: listener.hostname, problem: "is a host name on a TCP listener: a TCP listener matches every connection on its port, with no SNI to tell hosts apart",
                fix: "remove host, or pass TLS through (tls: {passthrough: true, ...}) for a TLS listener of that host",
            });
        }
        const others = seen.get(listener.port) ?? [];
        const clash = others.find((o) => o.protocol !== listener.protocol || (o.hostname ?? "") === (listener.hostname ?? ""));
        if (clash) {
            problems.push({
                path: listener.path, value: listener.port,
                problem: `has a listener on port ${listener.port} that conflicts with app ${clash.app}'s (${clash.protocol}${clash.hostname ? ` ${clash.hostname}` : ""}): listeners sharing a port need the same protocol and distinct host names`,
                fix: "give the app an entryPoint of its own",
            });
        }
        seen.set(listener.port, [...others, listener]);
    }
    return problems;
}

export function gatewayProblems(plan: PlanDraft): Problem[] {
    const { gateway } = plan.traefik;
    if (!gateway) {
        return [];
    }
    if (plan.profile.noGatewayRouting) {
        return [{
            path: `${PROJECT}:traefik.routing`, value: "gateway", problem: `cannot be used with this Traefik: ${plan.profile.noGatewayRouting}`,
            fix: "install chart 41.3.0 or later (traefik.chart.version, or traefik.chart.path: ../shared/charts/traefik-41.3.0.tgz), or keep traefik.routing: ingressRoute",
        }];
    }
    const listenerNames = new Set(gateway.listeners.map((l) => l.name));
    const known = new Set([...plan.profile.builtinEntryPoints.map((b) => b.name), ...plan.traefik.entryPoints.map((ep) => ep.name)]);
    const routeProblems = plan.apps.flatMap((app) => {
        if (app.kind !== "tcp" || (app.route?.kind !== "TCPRoute" && app.route?.kind !== "TLSRoute")) {
            return [];
        }
        // An unknown entryPoint is reported by the route rules; its route has no listener for that reason alone.
        const unbound = app.route.spec.parentRefs?.filter((ref) => !ref.sectionName || !listenerNames.has(ref.sectionName)) ?? [];
        return unbound.length > 0 && known.has(app.entryPoint ?? "") ? [{
            path: `${PROJECT}:apps.${app.id}`, value: app.route.name, problem: `has a ${app.route.kind} without a listener of the Gateway (sectionName ${unbound.map((r) => r.sectionName ?? "unset").join(", ")}): no traffic would reach it`,
            fix: "route the app through one of Traefik's TCP entryPoints",
        }] : [];
    });
    return [...plan.apps.flatMap((app) => (app.kind === "tcp" ? featureProblems(app) : [])), ...listenerProblems(plan, gateway.listeners), ...routeProblems];
}
