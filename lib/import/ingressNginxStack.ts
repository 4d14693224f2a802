/**
 * ingress-nginx's TCP/UDP entries as catalog files and one stack file: each entry an app on the
 * same external port (Traefik's Service port; inside the pod a free unprivileged port where the
 * external one is privileged or Traefik's own), with the controller's NodePort and Service type;
 * the backing Deployment and Service kept field for field (parity). Pure.
 */
import type { AppSpec, Catalog } from "../catalog";
import { DEFAULT_CHART_VERSION, TRAEFIK_CHART_REPO } from "../constants";
import { entryPointNameFor, FIRST_ASSIGNED_PORT } from "../plan/portAssignment";
import type { Problem } from "../problems";
import { chartProfile } from "../traefik/profile";
import { appSpecOf, envSettings } from "./appMapping";
import type { DeclaredPort } from "./argocd";
import { selectedWorkload } from "./groups";
import { backingService, controllerService, entryPointOf, StreamEntry, streamEntries } from "./ingressNginx";
import { describe, field, refusal, Sourced } from "./objects";
import { appHeader, objectLines } from "./provenance";
import { assembleStack, Comment, ImportedApp, ImportedStack, StackApp } from "./stacks";

export interface IngressNginxInput {
    configMaps: Sourced[];
    /** Services and Deployments as written (asWritten): the backing ones and the controller's Service. */
    objects: Sourced[];
    catalog: Catalog;
    stack: string;
    /** Addresses whose PROXY protocol headers an entryPoint that decodes takes (the first PROXY). */
    trustedIPs?: string[];
}

const noAffix = { prefix: "", suffix: "" };
const appId = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Entries on one port and protocol twice: ingress-nginx listens once per port. */
function clashes(entries: StreamEntry[]): Problem[] {
    return entries.flatMap((e, i) => {
        const earlier = entries.slice(0, i).find((o) => o.externalPort === e.externalPort && o.protocol === e.protocol);
        return earlier ? [refusal(e.configMap, `data["${e.key}"] is a second entry on ${e.protocol} port ${e.externalPort} (${earlier.configMap.source.file} has one): one port serves one app`, "keep one of the two entries", `${e.namespace}/${e.service}`)] : [];
    });
}

/** A port inside the Traefik pod: the external one where it is free and unprivileged, else the first free one from 10000. */
function podPort(wanted: number, taken: Set<number>): number {
    let port = wanted >= 1024 && !taken.has(wanted) ? wanted : FIRST_ASSIGNED_PORT;
    while (taken.has(port)) {
        port += 1;
    }
    taken.add(port);
    return port;
}

export function importIngressNginx(input: IngressNginxInput): { apps: ImportedApp[]; stacks: ImportedStack[]; problems: Problem[] } {
    const problems: Problem[] = [];
    const entries: StreamEntry[] = [];
    for (const item of input.configMaps.flatMap(streamEntries)) {
        if ("problem" in item) {
            problems.push(item);
        } else {
            entries.push(item);
        }
    }
    problems.push(...clashes(entries));
    const services = input.objects.filter((o) => o.object.kind === "Service");
    const deployments = input.objects.filter((o) => o.object.kind === "Deployment");
    const profile = chartProfile(DEFAULT_CHART_VERSION);
    const taken = new Set(profile.builtinEntryPoints.flatMap((b) => [b.port, b.exposedPort ?? b.port]));
    const names = new Set(profile.builtinEntryPoints.map((b) => b.name));
    const backings = entries.map((e) => backingService(e, services)).filter((s): s is Sourced => "object" in s);
    const apps: ImportedApp[] = [];
    const stackApps: StackApp[] = [];
    const ports: Record<string, DeclaredPort> = {};
    const expected: Sourced[] = [];
    const controllers = new Set<Sourced>();
    /** The workloads entries expose, whether or not their app could be imported (that refusal says why). */
    const claimed = new Set<Sourced>();
    for (const entry of entries) {
        const service = backingService(entry, services);
        const workload = "object" in service ? selectedWorkload(service, deployments) : service;
        if (!("object" in service) || !("object" in workload)) {
            problems.push("object" in workload ? (service as Problem) : workload);
            continue;
        }
        claimed.add(workload);
        const id = service.object.metadata.name;
        const value = `${entry.configMap.source.file}: ${describe(entry.configMap.object)} data["${entry.key}"] = "${String(field(entry.configMap.object, "data", entry.key))}"`;
        if (apps.some((a) => a.id === id) || !appId.test(id)) {
            problems.push(refusal(entry.configMap, `data["${entry.key}"] exposes Service ${entry.namespace}/${id}, ${appId.test(id) ? "which another entry exposes already (or another of that name): an app has one entryPoint" : "whose name is no app id"}`, "expose each Service once", id));
            continue;
        }
        const group = { workload, service };
        const spec: AppSpec | Problem[] = Object.hasOwn(input.catalog, id) ? input.catalog[id]
            : appSpecOf(group, noAffix, { image: String(field(workload.object, "spec", "template", "spec", "containers", 0, "image")), placeholder: false });
        const settings = Array.isArray(spec) ? spec : envSettings(spec, group, noAffix);
        if (Array.isArray(spec) || Array.isArray(settings)) {
            problems.push(...(Array.isArray(spec) ? spec : (settings as Problem[])));
            continue;
        }
        const controller = controllerService(entry, services, backings);
        if (!controller) {
            problems.push(refusal(entry.configMap, `data["${entry.key}"]: no Service of ingress-nginx's controller among --services exposes ${entry.protocol} port ${entry.externalPort}`, "give --services the controller's Service (its type and NodePorts are the stack's)", entry.externalPort));
            continue;
        }
        if (entry.decode && !input.trustedIPs) {
            problems.push(refusal(entry.configMap, `data["${entry.key}"]'s first PROXY: ingress-nginx takes PROXY protocol headers from whoever connects, Traefik only from addresses it trusts`, "pass --trusted-ips <the load balancer's addresses, as CIDRs>", String(field(entry.configMap.object, "data", entry.key))));
            continue;
        }
        controllers.add(controller.service);
        const name = entryPointNameFor(id);
        if (names.has(name)) {
            problems.push(refusal(entry.configMap, `data["${entry.key}"] would make entryPoint ${name}, which Traefik or another entry has`, "rename the Service, or import the entries one at a time", name));
            continue;
        }
        names.add(name);
        const port = podPort(entry.externalPort, taken);
        const config = { ...settings.app, ...entryPointOf(entry, name, port, controller.nodePort, input.trustedIPs) };
        ports[name] = { port, exposedPort: entry.externalPort, protocol: entry.protocol, ...(controller.nodePort !== undefined ? { nodePort: controller.nodePort } : {}), ...(config.entryPoint?.proxyProtocol ? { proxyProtocol: config.entryPoint.proxyProtocol } : {}) };
        const comments: Comment[] = [
            { path: [], text: [`${id}: ${value}`, ...objectLines([workload, service])].join("\n") },
            { path: ["entryPoint"], text: `Traefik's Service port ${entry.externalPort}, as ingress-nginx's; NodePort: ${describe(controller.service.object)}${port !== entry.externalPort ? `; inside the pod ${port} (the external port is privileged or Traefik's own)` : ""}${entry.decode ? "; the first PROXY: PROXY protocol from the trusted addresses" : ""}` },
            ...(config.proxyProtocol ? [{ path: ["proxyProtocol"], text: "the second PROXY: ingress-nginx sends PROXY protocol (v1) to the app" }] : []),
            ...("replicas" in config ? [{ path: ["replicas"], text: `spec.replicas of ${describe(workload.object)}` }] : []),
            ...("resources" in config ? [{ path: ["resources"], text: `resources of the container of ${describe(workload.object)}` }] : []),
        ];
        stackApps.push({ id, config, labels: settings.labels, selectorKeys: Object.keys(spec.selector), comments });
        apps.push({ id, spec, existing: Object.hasOwn(input.catalog, id), header: appHeader(id, "ingress-nginx", value, [workload, service]), comments: [] });
        expected.push(workload, service);
    }
    const typeOf = (service: Sourced | undefined) => {
        const type = field(service?.object, "spec", "type");
        return typeof type === "string" ? type : "ClusterIP";
    };
    // The stack denies all ingress in its apps' namespaces but its apps': a workload there it does not carry would be cut off.
    for (const namespace of [...new Set([...claimed].map((o) => o.object.metadata.namespace))]) {
        for (const other of deployments.filter((d) => d.object.metadata.namespace === namespace && !claimed.has(d))) {
            problems.push(refusal(other, `is in namespace ${String(namespace)}, where the stack would run imported apps, and no entry exposes it: the stack's NetworkPolicy, which denies all ingress there but its apps', would cut it off`,
                "move it, or the imported apps, to a namespace of its own first"));
        }
    }
    const types = new Set([...controllers].map(typeOf));
    if (types.size > 1) {
        problems.push(refusal([...controllers].map((c) => describe(c.object)).join(", "), "are the controller's Services, of different types: the stack's Traefik has one Service", "import the entries of one controller at a time", [...types]));
    }
    const [controller] = controllers;
    const serviceType = typeOf(controller);
    const at = (...path: string[]) => ["config", "tcp-platform:traefik", ...path];
    const traefik = {
        config: { chart: { repo: TRAEFIK_CHART_REPO, version: DEFAULT_CHART_VERSION }, serviceType },
        comments: [
            { path: at("chart"), text: "ingress-nginx had no Traefik: the project's default chart (set traefik.chart to the one you run)" },
            ...(controller ? [{ path: at("serviceType"), text: `spec.type of ${describe(controller.object)} (${controller.source.file}): its NodePorts move to Traefik's Service` }] : []),
        ],
    };
    const assembled = assembleStack(input.stack, stackApps, traefik, `stack ${input.stack}`);
    if (Array.isArray(assembled)) {
        return { apps, stacks: [], problems: [...problems, ...assembled] };
    }
    const header = [`Stack ${input.stack}: ingress-nginx's TCP/UDP services (${[...new Set(input.configMaps.map((c) => c.source.file))].join(", ")}),`,
        "imported by `npm run import -- ingress-nginx`. Each comment says where the value below it came from."];
    return { apps, stacks: [{ name: input.stack, header, ...assembled, expected, ports }], problems };
}
