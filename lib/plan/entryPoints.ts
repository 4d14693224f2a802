/**
 * Traefik's extra entryPoints, derived from the apps once: the ones apps declare (with a port),
 * the apps that share each by referring to its name, and why a declaration cannot stand.
 */
import { Catalog, catalogEntry } from "../catalog";
import { StackConfig } from "../config/schema";
import { PROJECT } from "../constants";
import { EntryPointDeclaration, PlannedEntryPoint } from "../model";
import { ChartProfile } from "../traefik/profile";

/** Every declaration, in app order; sharing apps join the first declaration of the name that stands. */
export function planEntryPoints(config: Pick<StackConfig, "apps">, profile: ChartProfile, catalog: Catalog): EntryPointDeclaration[] {
    const builtin = new Set(profile.builtinEntryPoints.map((b) => b.name));
    const declarations: EntryPointDeclaration[] = [];
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
export function standingEntryPoints(declarations: EntryPointDeclaration[]): PlannedEntryPoint[] {
    return declarations.filter((d) => !d.clash);
}
