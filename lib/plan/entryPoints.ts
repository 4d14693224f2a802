/**
 * Traefik's extra entryPoints, derived from the stack once: the spare ones of its port pool, the
 * ones apps declare (with a port), the apps that share or claim each by referring to its name,
 * and why a declaration cannot stand.
 */
import { Catalog, catalogEntry } from "../catalog";
import { StackConfig } from "../config/schema";
import { PROJECT } from "../constants";
import { EntryPointDeclaration } from "../model";
import { PlannedEntryPoint } from "../traefikModel";
import { ChartProfile } from "../traefik/profile";

/** The name of the pool's entryPoint on `port`. */
export function poolEntryPointName(port: number): string {
    return `pool-${port}`;
}

/** The stack's spare entryPoints (`traefik.portPool`): `size` consecutive ports and NodePorts, claimed by no app yet. */
export function poolEntryPoints(pool: StackConfig["traefik"]["portPool"]): EntryPointDeclaration[] {
    return Array.from({ length: pool?.size ?? 0 }, (_, i) => ({
        name: poolEntryPointName(pool!.port + i), port: pool!.port + i, exposedPort: pool!.port + i,
        ...(pool!.nodePort !== undefined ? { nodePort: pool!.nodePort + i } : {}),
        protocol: "TCP" as const, apps: [], path: `${PROJECT}:traefik.portPool`, pool: true as const,
    }));
}

/** Every declaration: the pool's, then the apps' in app order; sharing and claiming apps join the first declaration of the name that stands. */
export function planEntryPoints(config: Pick<StackConfig, "apps"> & { traefik?: Pick<StackConfig["traefik"], "portPool"> }, profile: ChartProfile, catalog: Catalog): EntryPointDeclaration[] {
    const builtin = new Set(profile.builtinEntryPoints.map((b) => b.name));
    const declarations: EntryPointDeclaration[] = poolEntryPoints(config.traefik?.portPool);
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
            ...(builtin.has(ep.name) ? { clash: { builtin: true } } : earlier?.pool ? { clash: { pool: true } } : earlier ? { clash: { app: earlier.apps[0] } } : {}),
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
export function standingEntryPoints(declarations: EntryPointDeclaration[]): PlannedEntryPoint[] {
    return declarations.filter((d) => !d.clash);
}
