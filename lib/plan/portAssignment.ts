/**
 * Port planning without a hand-kept table: for one plain-TCP app, a free entryPoint of the
 * stack's port pool (claiming it adds a route only: Traefik is not restarted), else a free
 * entryPoint port and NodePort of its own, outside every port the stack reserves (Traefik's own
 * entryPoints, in the pod and on the Service, and the pool's) or uses (every other app's
 * entryPoint port, Service port and NodePort). Deterministic: the same stack gives the same
 * answer, so the stack file stays the one source of truth.
 */
import { Catalog, catalogEntry } from "../catalog";
import { StackConfig } from "../config/schema";
import { NODE_PORT_RANGE, PROJECT } from "../constants";
import { Problem } from "../problems";
import { chartProfile } from "../traefik/profile";
import { planEntryPoints } from "./entryPoints";

/** A free entryPoint port and NodePort for one plain-TCP or UDP app (`npm run ports -- --assign`). */
export interface PortAssignment {
    app: string;
    /** The entryPoint's name: the one the stack gives the app, else one made from the app id. */
    name: string;
    /** Traefik's port, which is also the Service port. */
    port: number;
    nodePort?: number;
    /** Set when it claims a spare entryPoint of the pool (the stack file then names only the entryPoint). */
    pool?: true;
}

/** Where a search for a free entryPoint port starts when the app's own port is taken or privileged. */
export const FIRST_ASSIGNED_PORT = 10000;

/** An entryPoint name from an app id: without a `-demo` suffix, and short enough for a Service port name. */
export function entryPointNameFor(app: string): string {
    return app.replace(/-demo$/, "").replace(/[^a-z0-9-]/g, "").slice(0, 15).replace(/-+$/, "");
}

/**
 * The ports for `app`: its Service port when free (and not privileged), else the first free port
 * from 10000 up; the NodePort the seed's table pairs with it (30000 + port mod 1000, as 9999 →
 * 30999, 6379 → 30379, 3306 → 30306) when free, else the first free NodePort of the range.
 */
export function assignPorts(config: StackConfig, catalog: Catalog, app: string, name?: string): PortAssignment | Problem {
    const path = `${PROJECT}:apps.${app}.entryPoint`;
    const spec = catalogEntry(catalog, app);
    if (!spec) {
        return { path: `${PROJECT}:apps.${app}`, value: app, problem: "is not an app of the catalog", fix: `choose one of: ${Object.keys(catalog).join(", ")}` };
    }
    if (spec.kind === "http") {
        return { path, value: app, problem: `does not apply: HTTP app ${app} is routed on Traefik's "web" entryPoint`, fix: "assign ports to a plain-TCP app" };
    }
    if (spec.kind === "tcp" && (config.apps[app]?.tls ?? spec.tls)) {
        return { path, value: app, problem: `does not apply: TLS app ${app} shares websecure by SNI, with no port of its own`, fix: "give it a host instead (apps.<app>.host)" };
    }
    const others = { traefik: config.traefik, apps: Object.fromEntries(Object.entries(config.apps).filter(([id]) => id !== app)) };
    const profile = chartProfile(config.traefik.chart.version);
    const declared = planEntryPoints(others, profile, catalog);
    // The pool first, unless the stack or --name names the entryPoint: a claim restarts nothing.
    const spare = spec.kind === "tcp" && name === undefined && config.apps[app]?.entryPoint === undefined ? declared.find((d) => d.pool && d.apps.length === 0) : undefined;
    if (spare) {
        return { app, name: spare.name, port: spare.port, ...(spare.nodePort !== undefined ? { nodePort: spare.nodePort } : {}), pool: true };
    }
    const chosen = name ?? config.apps[app]?.entryPoint?.name ?? entryPointNameFor(app);
    const taken = [...profile.builtinEntryPoints.map((b) => b.name), ...declared.map((d) => d.name)];
    if (taken.includes(chosen)) {
        return { path: `${path}.name`, value: chosen, problem: "is already an entryPoint of this stack (Traefik's own or another app's)", fix: "name another one: --name <entryPoint>" };
    }
    const ports = new Set([...profile.builtinEntryPoints.flatMap((b) => [b.port, b.exposedPort ?? b.port]), ...declared.flatMap((d) => [d.port, d.exposedPort])]);
    const nodePorts = new Set(declared.flatMap((d) => (d.nodePort === undefined ? [] : [d.nodePort])));
    const firstFree = (from: number, to: number, used: Set<number>) => {
        for (let p = from; p <= to; p++) {
            if (!used.has(p)) {
                return p;
            }
        }
        return undefined;
    };
    const port = spec.servicePort >= 1024 && !ports.has(spec.servicePort) ? spec.servicePort : firstFree(FIRST_ASSIGNED_PORT, 65535, ports)!;
    const paired = NODE_PORT_RANGE.min + (port % 1000);
    const nodePort = nodePorts.has(paired) ? firstFree(NODE_PORT_RANGE.min, NODE_PORT_RANGE.max, nodePorts) : paired;
    if (nodePort === undefined) {
        return { path: `${path}.nodePort`, value: undefined, problem: `has no free NodePort left in ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`, fix: "share websecure by SNI (TLS apps) or set traefik.serviceType: LoadBalancer" };
    }
    return { app, name: chosen, port, nodePort };
}
