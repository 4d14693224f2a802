/**
 * Routes: each TCP app's entryPoint exists; a plain-TCP route (no TLS, no SNI) is the only route
 * on its entryPoint; SNI routes have TLS, a host, and a host of their own.
 */
import { closest } from "fastest-levenshtein";
import { PROJECT } from "../constants";
import { PlannedTcpApp, PlatformPlan } from "../plan/plan";
import { Problem } from "../problems";

export function routeProblems(plan: PlatformPlan): Problem[] {
    const problems: Problem[] = [];
    const add = (path: string, value: unknown, problem: string, fix: string) => problems.push({ path, value, problem, fix });
    const builtin = new Set(plan.profile.builtinEntryPoints.map((b) => b.name));
    const declarer = new Map(plan.traefik.entryPoints.map((ep) => [ep.name, ep.apps[0]]));
    // A refused declaration is reported once, by the port rules: its route is not checked again.
    const refused = new Set(plan.entryPoints.filter((ep) => ep.clash).map((ep) => ep.apps[0]));
    const catchAll = new Map<string, string>();
    const hosts = new Map<string, string>();
    const tcpApps = plan.apps.filter((app): app is PlannedTcpApp => app.kind === "tcp" && !refused.has(app.id));
    for (const { id, entryPoint, entryPointPath: epPath, host, tls } of tcpApps) {
        const at = `${PROJECT}:apps.${id}`;
        if (!entryPoint) {
            continue;
        }
        if (!builtin.has(entryPoint) && !declarer.has(entryPoint)) {
            const known = [...builtin, ...declarer.keys()];
            add(epPath, entryPoint, "is not an entryPoint of Traefik, which would silently ignore the route", `use one of ${known.join(", ")} (did you mean "${closest(entryPoint, known)}"?), or declare it with entryPoint.port`);
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
            const key = `${entryPoint}/${host}`;
            if (hosts.has(key)) {
                add(`${at}.host`, host, `is already routed on "${entryPoint}" by app ${hosts.get(key)}`, "use a different host name");
            } else {
                hosts.set(key, id);
            }
        }
    }
    return problems;
}
