/**
 * Routes: each TCP or UDP app's entryPoint exists and speaks its protocol; a plain-TCP route (no
 * TLS, no SNI) and a UDP route are the only route on their entryPoint; SNI routes have TLS, a
 * host, and match what no other route on their entryPoint matches (host patterns and ALPN).
 */
import { closest } from "fastest-levenshtein";
import { PROJECT } from "../constants";
import { PlanDraft, TcpAppDraft, UdpAppDraft } from "../model";
import { Problem } from "../problems";

/** Whether two SNI host patterns (a name, or `*.` and one label of any name) match a common name. */
export function hostsOverlap(a: string, b: string): boolean {
    if (a === b) {
        return true;
    }
    const covers = (wildcard: string, name: string) => wildcard.startsWith("*.") && !name.startsWith("*.") && name.slice(name.indexOf(".") + 1) === wildcard.slice(2);
    return covers(a, b) || covers(b, a);
}

/** Whether two ALPN matchers (absent: any protocol) accept a common protocol. */
function alpnOverlap(a: string[] | undefined, b: string[] | undefined): boolean {
    return !a || !b || a.some((p) => b.includes(p));
}

/** A TCP app routed by its SNI host. */
type SniApp = TcpAppDraft & { host: string };

/** An SNI route against the earlier SNI routes on its entryPoint. */
function sniProblem(app: SniApp, earlier: SniApp[]): Problem | undefined {
    const other = earlier.find((e) => hostsOverlap(e.host, app.host) && alpnOverlap(e.alpn, app.alpn));
    if (!other) {
        return undefined;
    }
    const path = `${PROJECT}:apps.${app.id}.host`;
    const common = app.alpn?.filter((p) => other.alpn?.includes(p)) ?? [];
    const onBoth = app.alpn && other.alpn ? ` (ALPN ${common.join(", ")} on both)` : "";
    if (other.host === app.host) {
        return { path, value: app.host, problem: `is already routed on "${app.entryPoint}" by app ${other.id}${onBoth}`, fix: onBoth ? "use a different host name, or ALPN protocols of its own" : "use a different host name" };
    }
    return {
        path, value: app.host,
        problem: `overlaps app ${other.id}'s host ${other.host} on "${app.entryPoint}"${onBoth}: a client would match both routes, and Traefik would pick one by the length of its rule, not by intent`,
        fix: "use host names that no other app's pattern covers on this entryPoint, or set alpn to tell them apart",
    };
}

function udpProblems(apps: UdpAppDraft[], declarer: Map<string, string>): Problem[] {
    return apps.filter((app) => app.entryPoint !== undefined && declarer.get(app.entryPoint) !== app.id).map((app) => ({
        path: app.entryPointPath, value: app.entryPoint,
        problem: `is not a UDP entryPoint of ${app.id}'s own: UDP has no host name to tell routes apart, so one UDP entryPoint serves one app`,
        fix: "declare an entryPoint of its own: entryPoint: {name: <name>, port: <1024-65535>, nodePort: <30000-32767>}",
    }));
}

export function routeProblems(plan: PlanDraft): Problem[] {
    const problems: Problem[] = [];
    const add = (path: string, value: unknown, problem: string, fix: string) => problems.push({ path, value, problem, fix });
    const builtin = new Set(plan.profile.builtinEntryPoints.map((b) => b.name));
    const declarer = new Map(plan.traefik.entryPoints.map((ep) => [ep.name, ep.apps[0]]));
    const udpEntryPoints = new Set(plan.traefik.entryPoints.filter((ep) => ep.protocol === "UDP").map((ep) => ep.name));
    // A refused declaration is reported once, by the port rules: its route is not checked again.
    const refused = new Set(plan.entryPoints.filter((ep) => ep.clash).map((ep) => ep.apps[0]));
    const catchAll = new Map<string, string>();
    const sni = new Map<string, SniApp[]>();
    const tcpApps = plan.apps.filter((app): app is TcpAppDraft => app.kind === "tcp" && !refused.has(app.id));
    for (const app of tcpApps) {
        const { id, entryPoint, entryPointPath: epPath, host, tls } = app;
        const at = `${PROJECT}:apps.${id}`;
        if (!entryPoint) {
            continue;
        }
        if (!builtin.has(entryPoint) && !declarer.has(entryPoint)) {
            const known = [...builtin, ...declarer.keys()];
            add(epPath, entryPoint, "is not an entryPoint of Traefik, which would silently ignore the route", `use one of ${known.join(", ")} (did you mean "${closest(entryPoint, known)}"?), or declare it with entryPoint.port`);
            continue;
        }
        if (udpEntryPoints.has(entryPoint)) {
            add(epPath, entryPoint, `is app ${declarer.get(entryPoint)}'s UDP entryPoint: a TCP route cannot bind to it`, "give this app a TCP entryPoint");
            continue;
        }
        const ownEntryPoint = declarer.get(entryPoint) === id;
        if (host && !tls) {
            add(`${at}.host`, host, ownEntryPoint
                ? "is a host name on a plain-TCP route: without TLS there is no SNI, and Traefik refuses it (\"HostSNI matcher, but no TLS on router\")"
                : `names an SNI route on "${entryPoint}" without TLS`, "add tls: {passthrough: true} (or {secretName: ...}), or remove host to match HostSNI(`*`)");
        }
        if (tls && !host && !ownEntryPoint) {
            add(`${at}.host`, undefined, `is required: app ${id} shares entryPoint "${entryPoint}" by SNI`, "set host to the name its TLS clients send, e.g. db.example.com");
        }
        if (!host) {
            if (entryPoint === "web") {
                add(epPath, entryPoint, "would put a plain-TCP catch-all (HostSNI(`*`)) on web and capture all HTTP traffic", "give the app an entryPoint of its own");
            } else if (catchAll.has(entryPoint)) {
                add(epPath, entryPoint, `already carries the catch-all route of app ${catchAll.get(entryPoint)}; plain TCP has no host name, so one entryPoint serves one app`, "give this app an entryPoint of its own");
            } else if (builtin.has(entryPoint) && !tls) {
                add(epPath, entryPoint, "is Traefik's own entryPoint; a plain-TCP catch-all there would take all its traffic", "give the app an entryPoint of its own");
            } else {
                catchAll.set(entryPoint, id);
            }
        } else {
            const earlier = sni.get(entryPoint) ?? [];
            const problem = sniProblem({ ...app, host }, earlier);
            if (problem) {
                problems.push(problem);
            } else {
                sni.set(entryPoint, [...earlier, { ...app, host }]);
            }
        }
    }
    return [...problems, ...udpProblems(plan.apps.filter((app): app is UdpAppDraft => app.kind === "udp" && !refused.has(app.id)), declarer)];
}
