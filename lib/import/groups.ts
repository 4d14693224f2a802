/**
 * The apps in a set of objects (an overlay's build, or what ingress-nginx exposes): each route,
 * the Service it sends to, and the one Deployment that Service selects. What is not part of an app
 * is left for parity to match against the render (a Namespace, say), or refused when it cannot be.
 */
import type { Problem } from "../problems";
import { describe, field, refusal, ROUTE_KINDS, selects, Sourced, stringMap } from "./objects";

/** One app's objects: its workload, the Service in front of it, and the route to that Service. */
export interface AppGroup {
    workload: Sourced;
    service: Sourced;
    /** Absent for an app routed by something else (ingress-nginx's ConfigMap entry). */
    route?: Sourced;
}

/** Why an object of a kind the import never carries is refused. */
const refusedKinds: Record<string, string> = {
    Ingress: "an HTTP Ingress: the import carries TCP and UDP apps (IngressRouteTCP/UDP); Traefik routes HTTP apps by IngressRoute on web, which a catalog file of kind http describes",
    StatefulSet: "a StatefulSet: the import carries Deployments; an app that keeps data needs a catalog file with storage, written by hand",
    DaemonSet: "a DaemonSet: the stack runs every app as a Deployment",
    IngressRoute: "an HTTP IngressRoute: the import carries TCP and UDP apps",
};

const sameNamespace = (a: Sourced, b: Sourced) => (a.object.metadata.namespace ?? "") === (b.object.metadata.namespace ?? "");

/** The Deployment a Service selects, or why there is not exactly one. */
export function selectedWorkload(service: Sourced, objects: Sourced[]): Sourced | Problem {
    const selector = stringMap(field(service.object, "spec", "selector"));
    if (!selector || Object.keys(selector).length === 0) {
        return refusal(service, "selects no pods (no spec.selector): the stack's Service selects its app's pods", "give the Service the selector of its Deployment's pods");
    }
    const workloads = objects.filter((o) => o.object.kind === "Deployment" && sameNamespace(o, service) &&
        selects(selector, stringMap(field(o.object, "spec", "template", "metadata", "labels")) ?? {}));
    if (workloads.length !== 1) {
        return refusal(service, workloads.length === 0
            ? "selects no Deployment's pods: the stack cannot select them (the app's workload is not among what is imported)"
            : `selects the pods of ${workloads.length} Deployments (${workloads.map((w) => w.object.metadata.name).join(", ")}): an app has one`,
        workloads.length === 0 ? "import the Deployment with its Service (the same overlay, or --services)" : "give each Deployment a Service of its own", selector);
    }
    return workloads[0];
}

/** The Service a route sends to, or why it cannot be one app's. */
function routeService(route: Sourced, objects: Sourced[]): Sourced | Problem {
    const spec = route.object.spec;
    const routes = field(spec, "routes");
    const entryPoints = field(spec, "entryPoints");
    if (!Array.isArray(entryPoints) || entryPoints.length !== 1) {
        return refusal(route, "binds to other than one entryPoint: a plain-TCP or UDP app has an entryPoint of its own", "bind the route to one entryPoint", entryPoints);
    }
    if (!Array.isArray(routes) || routes.length !== 1) {
        return refusal(route, `has ${Array.isArray(routes) ? routes.length : 0} routes: the stack's route has one (an entryPoint serves one plain-TCP app)`, "give each app a route of its own", routes);
    }
    const services = field(routes[0], "services");
    if (!Array.isArray(services) || services.length !== 1) {
        return refusal(route, "sends to other than one Service: the stack's route sends to its app's Service (a canary is stack config: apps.<id>.canary)", "send the route to one Service", services);
    }
    const name = field(services[0], "name");
    const found = objects.find((o) => o.object.kind === "Service" && o.object.metadata.name === name && sameNamespace(o, route));
    return found ?? refusal(route, `sends to Service ${String(name)}, which is not among what is imported (a namePrefix renames a Service but not a route's reference to it, unless the kustomization's configurations teach Kustomize that field)`,
        "send the route to a Service of the same build, by its built name", name);
}

/** Every app in `objects`, the objects left for parity to match, and the refusals. */
export function groupApps(objects: Sourced[]): { groups: AppGroup[]; rest: Sourced[]; problems: Problem[] } {
    const problems: Problem[] = [];
    const groups: AppGroup[] = [];
    const claimed = new Set<Sourced>();
    for (const route of objects.filter((o) => (ROUTE_KINDS as readonly string[]).includes(o.object.kind))) {
        const service = routeService(route, objects);
        const workload = "object" in service ? selectedWorkload(service, objects) : service;
        if (!("object" in service) || !("object" in workload)) {
            problems.push("object" in workload ? (service as Problem) : workload);
            continue;
        }
        if (claimed.has(service) || claimed.has(workload)) {
            problems.push(refusal(route, `sends to ${describe(service.object)}, which another route of the same build sends to already: an app has one route`, "route each app once"));
            continue;
        }
        [route, service, workload].forEach((o) => claimed.add(o));
        groups.push({ workload, service, route });
    }
    const rest: Sourced[] = [];
    for (const o of objects.filter((x) => !claimed.has(x))) {
        const { kind } = o.object;
        if (Object.hasOwn(refusedKinds, kind)) {
            problems.push(refusal(o, `is ${refusedKinds[kind]}`, "leave it out of what is imported, or move it by hand"));
        } else if (kind === "Deployment" || kind === "Service") {
            problems.push(refusal(o, "is not behind any route (IngressRouteTCP/UDP to its Service): the stack routes every app it runs through Traefik", "add the app's route to the build, or leave the app out of what is imported"));
        } else {
            rest.push(o);
        }
    }
    return { groups, rest, problems };
}

/** An app's objects: workload, Service, route. */
export function groupObjects(group: AppGroup): Sourced[] {
    return [group.workload, group.service, ...(group.route ? [group.route] : [])];
}
