/**
 * The port tables, views over the valid plan: Traefik's entryPoints (a stack output), the seed's
 * per-app table and the port pool's, which spare entryPoints are claimed and which are free
 * (`npm run ports`).
 */
import { PlannedApp, PlatformPlan } from "../model";
import { PlannedEntryPoint } from "../traefikModel";
import type { ChartProfile } from "../traefik/profile";
import { hostMatcher, sniMatcher } from "./matchers";

/** A row of the seed's port table: the app, its entryPoint's ports, the rule, the backend. */
export interface PortTableRow {
    app: string;
    entryPoint: string;
    /** Port inside the Traefik pod, and on the Traefik Service. */
    traefikPort: number;
    exposedPort: number;
    nodePort?: number;
    /** `service:port` the route sends traffic to. */
    backend: string;
    /** The route's rule: HostSNI for TCP, Host for HTTP, none for UDP. */
    match: string;
    /** Set for a UDP entryPoint only. */
    protocol?: "UDP";
}

/** A row of the entryPoint table a stack outputs: name, Traefik port, Service port, NodePort and apps. */
export type EntryPointRow = { entryPoint: string; protocol?: "UDP" } & Pick<PlannedEntryPoint, "port" | "exposedPort" | "nodePort" | "apps">;

function matchOf(app: PlannedApp, profile: ChartProfile): string {
    switch (app.kind) {
        case "tcp":
            return app.route?.kind === "IngressRouteTCP" ? app.route.spec.routes[0].match : sniMatcher(app.host, profile);
        case "udp":
            return "every datagram (UDP has no matcher)";
        case "http":
            return app.host ? hostMatcher(app.host) : "any host";
    }
}

/** The seed's port table (its appendix A): one row per app, with the entryPoint and backend it is reached by. */
export function portTable({ apps, traefik: { entryPoints }, profile }: PlatformPlan): PortTableRow[] {
    return apps.map((app) => {
        const name = app.kind === "http" ? "web" : app.entryPoint ?? "";
        const own = entryPoints.find((ep) => ep.name === name);
        const builtin = profile.builtinEntryPoints.find((b) => b.name === name);
        return {
            app: app.id,
            entryPoint: name,
            traefikPort: own?.port ?? builtin?.port ?? 0,
            exposedPort: own?.exposedPort ?? builtin?.exposedPort ?? 0,
            nodePort: own?.nodePort,
            backend: `${app.names.service}:${app.servicePort}`,
            match: matchOf(app, profile),
            ...(app.protocol === "UDP" ? { protocol: "UDP" as const } : {}),
        };
    });
}

/** A spare entryPoint of the port pool, and the app that claims it (none: free). */
export interface PoolRow {
    entryPoint: string;
    traefikPort: number;
    nodePort?: number;
    claimedBy?: string;
}

export function poolTable({ traefik: { entryPoints } }: PlatformPlan): PoolRow[] {
    return entryPoints.filter((ep) => ep.pool).map((ep) => ({
        entryPoint: ep.name, traefikPort: ep.port,
        ...(ep.nodePort !== undefined ? { nodePort: ep.nodePort } : {}),
        ...(ep.apps.length > 0 ? { claimedBy: ep.apps.join(", ") } : {}),
    }));
}

const markdownRow = (cells: string[]) => `| ${cells.join(" | ")} |`;

/** The pool's table as Markdown (empty without a pool). */
export function poolTableMarkdown(rows: PoolRow[]): string {
    if (rows.length === 0) {
        return "";
    }
    const header = ["pool entryPoint", "Traefik port", "NodePort", "claimed by"];
    const lines = rows.map((r) => [r.entryPoint, String(r.traefikPort), r.nodePort === undefined ? "(none: ClusterIP)" : String(r.nodePort), r.claimedBy ?? "(free)"]);
    return [markdownRow(header), markdownRow(header.map(() => "---")), ...lines.map(markdownRow)].join("\n") + "\n";
}

/** The port table as Markdown, like the seed's appendix A. */
export function portTableMarkdown(rows: PortTableRow[]): string {
    const header = ["app", "entryPoint", "Traefik port", "Service port", "NodePort", "match", "backend service:port"];
    const port = (r: PortTableRow, n: number) => (r.protocol ? `${n}/udp` : String(n));
    const lines = rows.map((r) => [r.app, r.entryPoint, port(r, r.traefikPort), port(r, r.exposedPort), r.nodePort === undefined ? "(assigned by Kubernetes)" : String(r.nodePort), r.match, r.backend]);
    return [markdownRow(header), markdownRow(header.map(() => "---")), ...lines.map(markdownRow)].join("\n") + "\n";
}

export function entryPointRows(entryPoints: PlannedEntryPoint[]): EntryPointRow[] {
    return entryPoints.map((ep) => ({
        entryPoint: ep.name,
        port: ep.port,
        exposedPort: ep.exposedPort,
        ...(ep.nodePort !== undefined ? { nodePort: ep.nodePort } : {}),
        apps: ep.apps,
        ...(ep.protocol === "UDP" ? { protocol: "UDP" as const } : {}),
    }));
}
