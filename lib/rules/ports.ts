/**
 * entryPoints and their ports: names Kubernetes accepts as Service port names, no clash with
 * Traefik's own or another app's (port, Service port, NodePort), NodePorts in range.
 */
import { NODE_PORT_RANGE, PROJECT } from "../constants";
import { EntryPointDeclaration, PlanDraft } from "../model";
import { Problem } from "../problems";

// IANA_SVC_NAME: what Kubernetes accepts as a Service port name, which each entryPoint becomes.
const ianaSvcName = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

const { min, max } = NODE_PORT_RANGE;

/** What the stack wrote for an app's entryPoint: required where it must be, only where it applies. */
function entryPointChoice(plan: PlanDraft, app: PlanDraft["apps"][number]): Problem[] {
    const problems: Problem[] = [];
    const written = plan.config.apps[app.id];
    const at = `${PROJECT}:apps.${app.id}`;
    const ep = written.entryPoint;
    if (app.kind === "http") {
        for (const key of ["entryPoint", "tls"] as const) {
            if (written[key] !== undefined) {
                problems.push({ path: `${at}.${key}`, value: written[key], problem: `does not apply to the HTTP app ${app.id}, which Traefik routes on its "web" entryPoint`, fix: "remove it" });
            }
        }
    } else if (app.entryPoint === undefined) {
        problems.push({ path: `${at}.entryPoint`, value: undefined, problem: `is required: ${app.kind === "udp" ? "UDP" : "plain-TCP"} app ${app.id} needs an entryPoint of its own`, fix: "add entryPoint: {name: <name>, port: <1024-65535>, nodePort: <30000-32767>}" });
    }
    if (ep && ep.port === undefined) {
        for (const key of ["exposedPort", "nodePort", "proxyProtocol"] as const) {
            if (ep[key] !== undefined) {
                problems.push({ path: `${at}.entryPoint.${key}`, value: ep[key], problem: "only applies to an entryPoint this app declares", fix: `add entryPoint.port to declare "${ep.name}", or remove ${key}` });
            }
        }
    }
    return problems;
}

/**
 * The ports taken so far: Traefik's own, then each declaration's in the stack's order, by
 * protocol and number (`TCP/9999`): a TCP and a UDP entryPoint may share a number.
 */
interface PortBook {
    ports: Map<string, string>;
    exposedPorts: Map<string, string>;
    nodePorts: Map<string, string>;
}

/** A declaration against Traefik's own entryPoints and the declarations before it. */
function declaration(plan: PlanDraft, ep: EntryPointDeclaration, book: PortBook): Problem[] {
    const problems: Problem[] = [];
    const add = (path: string, value: unknown, problem: string, fix: string) => problems.push({ path, value, problem, fix });
    const { ports, exposedPorts } = book;
    const id = ep.apps[0];
    const port = `${ep.protocol}/${ep.port}`;
    const exposedPort = `${ep.protocol}/${ep.exposedPort}`;
    const written = plan.config.apps[id].entryPoint;
    if (!ianaSvcName.test(ep.name)) {
        add(`${ep.path}.name`, ep.name, "is not a valid Service port name (IANA_SVC_NAME: at most 15 characters, lowercase letters, digits and '-', at least one letter, no leading, trailing or double '-')", "choose a short lowercase name such as mytcp or redis");
    }
    if (ep.clash && "builtin" in ep.clash) {
        add(`${ep.path}.name`, ep.name, `is one of Traefik's own entryPoints (${plan.profile.builtinEntryPoints.map((b) => b.name).join(", ")})`, `choose another name, or remove entryPoint.port to route on the existing "${ep.name}"`);
    } else if (ep.clash && "pool" in ep.clash) {
        add(`${ep.path}.name`, ep.name, "is one of the stack's spare entryPoints (traefik.portPool), which an app claims by name", `remove entryPoint.port and nodePort to claim "${ep.name}", or choose another name`);
    } else if (ep.clash) {
        add(`${ep.path}.name`, ep.name, `is already declared by app ${ep.clash.app}`, "choose another name; to share it, give only its name (no port) on the second app, which then needs TLS and a host");
    }
    if (ep.port < 1024) {
        add(`${ep.path}.port`, ep.port, "is a privileged port, and Traefik runs unprivileged inside its pod", `use a port of 1024 or above here and set entryPoint.exposedPort: ${ep.port} to keep it on the Service`);
    }
    const portOwner = ports.get(port);
    if (portOwner) {
        add(`${ep.path}.port`, ep.port, `is already used by ${portOwner}`, "choose a free port");
    } else {
        ports.set(port, `app ${id}'s entryPoint "${ep.name}"`);
    }
    const exposedOwner = exposedPorts.get(exposedPort);
    // Without exposedPort, a clash of the Service port is the clash already reported for port.
    if (exposedOwner) {
        if (written?.exposedPort !== undefined || !portOwner) {
            add(written?.exposedPort !== undefined ? `${ep.path}.exposedPort` : `${ep.path}.port`, ep.exposedPort, `is already a port of the Traefik Service, used by ${exposedOwner}`, "choose a free port (set entryPoint.exposedPort to change only the Service port)");
        }
    } else {
        exposedPorts.set(exposedPort, `app ${id}`);
    }
    problems.push(...nodePortProblems(plan, ep, book.nodePorts));
    return problems;
}

function nodePortProblems(plan: PlanDraft, ep: EntryPointDeclaration, taken: Map<string, string>): Problem[] {
    const id = ep.apps[0];
    const path = `${ep.path}.nodePort`;
    if (plan.traefik.serviceType === "ClusterIP") {
        return ep.nodePort === undefined ? [] : [{ path, value: ep.nodePort, problem: "has no effect with traefik.serviceType ClusterIP", fix: "remove it, or set traefik.serviceType to NodePort" }];
    }
    if (ep.nodePort === undefined) {
        return [{ path, value: undefined, problem: `is required: clients reach ${id} on a fixed NodePort`, fix: `set a free port in ${min}-${max} and record it in the port table` }];
    }
    if (ep.nodePort < min || ep.nodePort > max) {
        return [{ path, value: ep.nodePort, problem: `is outside the NodePort range ${min}-${max}`, fix: `choose a free port in ${min}-${max}` }];
    }
    const key = `${ep.protocol}/${ep.nodePort}`;
    if (taken.has(key)) {
        const holder = taken.get(key)!;
        return [{ path, value: ep.nodePort, problem: `is already the NodePort of ${holder.startsWith("the port pool") ? holder : `app ${holder}`}`, fix: "choose a free NodePort" }];
    }
    taken.set(key, id);
    return [];
}

/** The pool's entryPoints: unprivileged ports, NodePorts in range, off Traefik's own; booked before any app's. */
function poolProblems(plan: PlanDraft, book: PortBook): Problem[] {
    const pool = plan.config.traefik.portPool;
    const declared = plan.entryPoints.filter((ep) => ep.pool);
    if (!pool || declared.length === 0) {
        return [];
    }
    const path = `${PROJECT}:traefik.portPool`;
    const last = pool.port + pool.size - 1;
    if (pool.port < 1024 || last > 65535) {
        return [{ path: `${path}.port`, value: pool.port, problem: `puts the pool on ports ${pool.port}-${last}, outside 1024-65535 (Traefik runs unprivileged inside its pod)`, fix: "start the pool at a port from 1024 up, with room for its size" }];
    }
    if (plan.traefik.serviceType !== "ClusterIP" && pool.nodePort === undefined) {
        return [{ path: `${path}.nodePort`, value: undefined, problem: "is required: clients reach each pool port on a fixed NodePort", fix: `set the first of ${pool.size} free NodePorts in ${min}-${max}` }];
    }
    if (plan.traefik.serviceType === "ClusterIP" && pool.nodePort !== undefined) {
        return [{ path: `${path}.nodePort`, value: pool.nodePort, problem: "has no effect with traefik.serviceType ClusterIP", fix: "remove it, or set traefik.serviceType to NodePort" }];
    }
    if (pool.nodePort !== undefined && (pool.nodePort < min || pool.nodePort + pool.size - 1 > max)) {
        return [{ path: `${path}.nodePort`, value: pool.nodePort, problem: `puts the pool's NodePorts on ${pool.nodePort}-${pool.nodePort + pool.size - 1}, outside the NodePort range ${min}-${max}`, fix: `start them where ${pool.size} fit in ${min}-${max}` }];
    }
    const problems: Problem[] = [];
    for (const ep of declared) {
        const owner = book.ports.get(`TCP/${ep.port}`) ?? book.exposedPorts.get(`TCP/${ep.port}`);
        if (owner) {
            problems.push({ path: `${path}.port`, value: pool.port, problem: `puts ${ep.name} on port ${ep.port}, which is ${owner}'s`, fix: "move the pool to ports nothing else uses" });
        }
        book.ports.set(`TCP/${ep.port}`, `the port pool's entryPoint "${ep.name}"`);
        book.exposedPorts.set(`TCP/${ep.port}`, `the port pool's entryPoint "${ep.name}"`);
        if (ep.nodePort !== undefined) {
            book.nodePorts.set(`TCP/${ep.nodePort}`, `the port pool's ${ep.name}`);
        }
    }
    return problems;
}

/** entryPoint problems: the pool's, then app by app, in the stack's order. */
export function portProblems(plan: PlanDraft): Problem[] {
    const { profile } = plan;
    const book: PortBook = {
        // The chart's own entryPoints are TCP.
        ports: new Map(profile.builtinEntryPoints.map((b) => [`TCP/${b.port}`, `Traefik's own "${b.name}" entryPoint (chart ${profile.version})`])),
        exposedPorts: new Map(profile.builtinEntryPoints.filter((b) => b.exposedPort).map((b) => [`TCP/${b.exposedPort!}`, `Traefik's own "${b.name}"`])),
        nodePorts: new Map(),
    };
    return [...poolProblems(plan, book), ...plan.apps.flatMap((app) => {
        const declared = plan.entryPoints.find((ep) => ep.path === `${PROJECT}:apps.${app.id}.entryPoint`);
        return [...entryPointChoice(plan, app), ...(declared ? declaration(plan, declared, book) : [])];
    })];
}
