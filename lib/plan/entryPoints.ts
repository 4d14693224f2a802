/**
 * Traefik's extra entryPoints, derived from the apps once: the ones apps declare (with a port),
 * the apps that share each by referring to its name, and why a declaration cannot stand.
 */
import { Catalog, catalogEntry } from "../catalog";
import { StackConfig } from "../config/schema";
import { PROJECT } from "../constants";
import { ChartProfile } from "../traefik/profile";

/** An entryPoint an app declares for Traefik. */
export interface PlannedEntryPoint {
    name: string;
    /** Port Traefik listens on inside its pod. */
    port: number;
    /** Port on the Traefik Service. */
    exposedPort: number;
    /** Fixed NodePort, when the stack names one. */
    nodePort?: number;
    /** UDP for a UDP app's entryPoint: a TCP and a UDP entryPoint may share a number. */
    protocol: "TCP" | "UDP";
    /** Addresses (a load balancer) whose PROXY protocol headers it accepts. */
    proxyProtocol?: { trustedIPs: string[] };
    /** App ids routed through it: the declaring app first, then those that refer to its name. */
    apps: string[];
    /** Config path of the declaration. */
    path: string;
    /** Why the declaration cannot stand: the name is one of Traefik's own, or an earlier app's. */
    clash?: { builtin: true } | { app: string };
}

/** Every declaration, in app order; sharing apps join the first declaration of the name that stands. */
export function planEntryPoints(config: Pick<StackConfig, "apps">, profile: ChartProfile, catalog: Catalog): PlannedEntryPoint[] {
    const builtin = new Set(profile.builtinEntryPoints.map((b) => b.name));
    const declarations: PlannedEntryPoint[] = [];
    for (const [id, app] of Object.entries(config.apps)) {
        const ep = app.entryPoint;
        if (ep?.port === undefined) {
            continue;
        }
        const earlier = declarations.find((d) => d.name === ep.name && !d.clash);
        declarations.push({
            name: ep.name, port: ep.port, exposedPort: ep.exposedPort ?? ep.port, nodePort: ep.nodePort, apps: [id],
            protocol: catalogEntry(catalog, id)?.kind === "udp" ? "UDP" : "TCP",
            ...(ep.proxyProtocol ? { proxyProtocol: ep.proxyProtocol } : {}),
            path: `${PROJECT}:apps.${id}.entryPoint`,
            ...(builtin.has(ep.name) ? { clash: { builtin: true } } : earlier ? { clash: { app: earlier.apps[0] } } : {}),
        });
    }
    for (const [id, app] of Object.entries(config.apps)) {
        const ep = app.entryPoint;
        if (ep && ep.port === undefined) {
            declarations.find((d) => d.name === ep.name && !d.clash)?.apps.push(id);
        }
    }
    return declarations;
}

/** The declarations Traefik gets: those that stand (all of them, once validation has passed). */
export function standingEntryPoints(declarations: PlannedEntryPoint[]): PlannedEntryPoint[] {
    return declarations.filter((d) => !d.clash);
}
