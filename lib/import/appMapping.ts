/**
 * One app's objects as the catalog and a stack describe it: what the app *is* (a catalog entry:
 * names, selector, container, port) and what one environment's objects say besides (replicas,
 * resources, image, labels, selector labels, name affixes). Every field the program renders is
 * derived here once; parity then checks the render against the objects themselves.
 */
import type { AppSpec, ContainerSpec } from "../catalog";
import type { AppConfigInput, ImageMappingInput } from "../config/schema";
import { mappingBetween } from "../images";
import type { NameAffix } from "../plan/names";
import type { Problem } from "../problems";
import type { AppGroup } from "./groups";
import { field, isRecord, labelsOf, refusal, Sourced, stringMap } from "./objects";

/** Namespaces every cluster shares, which a stack must never make its own. */
export const SHARED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** The one container of an app's pods. */
function containerOf(workload: Sourced): Record<string, unknown> | Problem {
    const containers = field(workload.object, "spec", "template", "spec", "containers");
    if (!Array.isArray(containers) || containers.length !== 1 || !isRecord(containers[0])) {
        return refusal(workload, `runs ${Array.isArray(containers) ? containers.length : 0} containers: the stack's app runs one`, "move the other containers to apps of their own, or keep this app as it is run today");
    }
    return containers[0];
}

/** A name without the environment's affix, or undefined when it does not carry it. */
function unaffixed(name: string, { prefix, suffix }: NameAffix): string | undefined {
    return name.startsWith(prefix) && name.endsWith(suffix) && name.length > prefix.length + suffix.length
        ? name.slice(prefix.length, name.length - suffix.length) : undefined;
}

/** The Service's one port, and the container port it sends to. */
function ports(group: AppGroup, container: Record<string, unknown>): { name?: string; port: number; target: number; protocol: "TCP" | "UDP" } | Problem {
    const servicePorts = field(group.service.object, "spec", "ports");
    if (!Array.isArray(servicePorts) || servicePorts.length !== 1) {
        return refusal(group.service, `has ${Array.isArray(servicePorts) ? servicePorts.length : 0} ports: the stack's Service has its app's one port`, "give the app one port, or the other ports Services of their own", servicePorts);
    }
    const sp = servicePorts[0] as Record<string, unknown>;
    const containerPorts = (Array.isArray(container.ports) ? container.ports : []) as Record<string, unknown>[];
    const target = sp.targetPort ?? sp.port;
    const byName = typeof target === "string" ? containerPorts.find((p) => p.name === target) : undefined;
    if (typeof target === "string" && !byName) {
        return refusal(group.service, `sends to the container port named ${target}, which the container does not have`, "name the container's port so, or give targetPort as a number", target);
    }
    const number = byName ? byName.containerPort : target;
    if (typeof sp.port !== "number" || typeof number !== "number") {
        return refusal(group.service, "has a port that is not a number", "write port and targetPort as numbers", sp);
    }
    const named = containerPorts.find((p) => p.containerPort === number);
    const name = typeof sp.name === "string" ? sp.name : typeof named?.name === "string" ? named.name : undefined;
    return { ...(name ? { name } : {}), port: sp.port, target: number, protocol: sp.protocol === "UDP" ? "UDP" : "TCP" };
}

/** The catalog entry the objects make, names without `affix`; `image` is the container's before the environment's mapping. */
export function appSpecOf(group: AppGroup, affix: NameAffix, image: { image: string; placeholder: boolean }): AppSpec | Problem[] {
    const { workload, service, route } = group;
    const container = containerOf(workload);
    if (!("name" in container) || typeof container.name !== "string") {
        return [container as Problem];
    }
    const port = ports(group, container);
    if ("problem" in port) {
        return [port];
    }
    const kind = route?.object.kind === "IngressRouteUDP" || (!route && port.protocol === "UDP") ? "udp" : "tcp";
    const problems: Problem[] = [];
    if ((kind === "udp") !== (port.protocol === "UDP")) {
        problems.push(refusal(service, `is ${port.protocol} and its route ${route?.object.kind ?? ""}: a UDP app has a UDP port and an IngressRouteUDP`, "make the two agree"));
    }
    const namespace = workload.object.metadata.namespace;
    if (namespace && SHARED_NAMESPACES.includes(namespace)) {
        problems.push(refusal(workload, `is in namespace ${namespace}: the stack owns its apps' namespaces (Pod Security labels, a NetworkPolicy that denies all ingress but its apps'), which would cut off everything else there`,
            "move the app to a namespace of its own first", namespace));
    } else if (!namespace || [service, route].some((o) => o && o.object.metadata.namespace !== namespace)) {
        problems.push(refusal(workload, namespace ? "is not in the namespace of its Service and route" : "has no namespace: the stack puts every object in a namespace it names",
            namespace ? "keep an app's objects in one namespace" : "set namespace: in the kustomization (or on the objects)", namespace));
    }
    const selector = stringMap(field(workload.object, "spec", "selector", "matchLabels"));
    if (!selector || field(workload.object, "spec", "selector", "matchExpressions") !== undefined) {
        problems.push(refusal(workload, "selects its pods by other than matchLabels: the stack's selector is labels", "select the pods by matchLabels", field(workload.object, "spec", "selector")));
    }
    const names = [workload, service, ...(route ? [route] : [])].map((o) => unaffixed(o.object.metadata.name, affix));
    if (names.some((n) => n === undefined)) {
        problems.push(refusal(workload, `does not carry the environment's name prefix and suffix ("${affix.prefix}", "${affix.suffix}") on all of its objects`, "give the app's objects one namePrefix and nameSuffix"));
    }
    if (problems.length > 0 || !selector || !namespace) {
        return problems;
    }
    const [deploymentName, serviceName, routeName] = names as string[];
    const stem = serviceName.endsWith("-service") ? serviceName.slice(0, -"-service".length) : serviceName;
    return {
        kind,
        namespace,
        deploymentName,
        stem,
        ...(serviceName !== `${stem}-service` ? { serviceName } : {}),
        ...(routeName !== undefined && routeName !== `${stem}-route` ? { routeName } : {}),
        selector,
        replicas: typeof field(workload.object, "spec", "replicas") === "number" ? (field(workload.object, "spec", "replicas") as number) : 1,
        portName: port.name ?? (kind === "udp" ? "udp" : "tcp"),
        servicePort: port.port,
        container: containerSpec(workload, container, port.target, image),
    };
}

function containerSpec(workload: Sourced, container: Record<string, unknown>, port: number, image: { image: string; placeholder: boolean }): ContainerSpec {
    const strings = (value: unknown) => (Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined);
    const env = Array.isArray(container.env) && container.env.every((e) => isRecord(e) && typeof e.value === "string" && Object.keys(e).length === 2)
        ? Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value])) : undefined;
    const runAsUser = field(workload.object, "spec", "template", "spec", "securityContext", "runAsUser");
    const readOnly = field(container, "securityContext", "readOnlyRootFilesystem");
    const command = strings(container.command);
    const args = strings(container.args);
    return {
        name: container.name as string,
        image: image.image,
        placeholder: image.placeholder,
        port,
        ...(command ? { command } : {}),
        ...(args ? { args } : {}),
        ...(env && Object.keys(env).length > 0 ? { env } : {}),
        ...(typeof runAsUser === "number" && runAsUser > 0 ? { runAsUser } : {}),
        ...(readOnly === false ? { readOnlyRootFilesystem: false } : {}),
    };
}

/** What one environment's objects of an app say besides its catalog entry: its stack entry (no entryPoint yet) and image mapping. */
export interface EnvSettings {
    app: AppConfigInput;
    image?: ImageMappingInput;
    /** Labels each object has besides its selector's, for the stack's common labels to be taken from. */
    labels: Record<string, string>[];
}

export function envSettings(spec: AppSpec, group: AppGroup, affix: NameAffix): EnvSettings | Problem[] {
    const { workload } = group;
    const container = containerOf(workload) as Record<string, unknown>;
    const built = { image: String(container.image), selector: stringMap(field(workload.object, "spec", "selector", "matchLabels")) ?? {} };
    const problems: Problem[] = [];
    const wrongSelector = Object.entries(spec.selector).filter(([key, value]) => built.selector[key] !== value);
    if (wrongSelector.length > 0) {
        problems.push(refusal(workload, `selects its pods by ${JSON.stringify(built.selector)}, which does not hold the catalog's selector ${JSON.stringify(spec.selector)}`, "a live selector cannot change: import the app under another id, or keep its catalog file's selector"));
    }
    const image = mappingBetween(spec.container.image, built.image);
    if (image === undefined && built.image !== spec.container.image) {
        problems.push(refusal(workload, `runs image ${built.image}, which no images mapping makes of the catalog's ${spec.container.image}`, "give the image a tag or digest, as the catalog's has", built.image));
    }
    const resources = container.resources;
    if (isRecord(resources) && Object.entries(resources).some(([k, v]) => !["requests", "limits"].includes(k) || !isRecord(v) || Object.keys(v).some((r) => !["cpu", "memory"].includes(r)))) {
        problems.push(refusal(workload, "asks for resources other than cpu and memory requests and limits, which the stack sets", "leave the others out", resources));
    }
    if (problems.length > 0) {
        return problems;
    }
    const selectorLabels = Object.fromEntries(Object.entries(built.selector).filter(([key]) => !(key in spec.selector)));
    const selector = { ...spec.selector, ...selectorLabels };
    const objects = [group.workload, group.service, ...(group.route ? [group.route] : [])];
    const replicas = field(workload.object, "spec", "replicas");
    const app: AppConfigInput = {
        ...(typeof replicas === "number" ? { replicas } : {}),
        ...(isRecord(resources) && Object.keys(resources).length > 0 ? { resources } : {}),
        ...(Object.keys(selectorLabels).length > 0 ? { selectorLabels } : {}),
        ...(affix.prefix ? { namePrefix: affix.prefix } : {}),
        ...(affix.suffix ? { nameSuffix: affix.suffix } : {}),
    };
    return {
        app,
        ...(image ? { image } : {}),
        labels: objects.map((o) => Object.fromEntries(Object.entries(labelsOf(o.object)).filter(([key, value]) => selector[key] !== value))),
    };
}
