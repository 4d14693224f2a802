/**
 * The Argo CD Application that installs Traefik's chart, as the stack's `traefik` settings: the
 * chart and its version, the release name (the Application's), the namespace, and the values'
 * `ports`, each of which an app's entryPoint must declare. A value the stack has no setting for is
 * refused; the ones the program sets the same way itself (JSON access log, the entryPoint flags the
 * chart derives from `ports`) are said and dropped.
 */
import * as YAML from "yaml";
import type { ResourcesConfig } from "../config/schema";
import type { Problem } from "../problems";
import { describe, field, isRecord, KubeObject, refusal, Sourced } from "./objects";

/** An entryPoint as the Application's values declare it (`ports.<name>`). */
export interface DeclaredPort {
    port: number;
    exposedPort: number;
    protocol: "TCP" | "UDP";
    nodePort?: number;
    proxyProtocol?: { trustedIPs: string[] };
}

/** What the Application gives the stack. */
export interface TraefikImport {
    application: Sourced;
    chart: { repo: string; version: string };
    releaseName: string;
    namespace?: string;
    serviceType?: "NodePort" | "LoadBalancer" | "ClusterIP";
    resources?: ResourcesConfig;
    ports: Record<string, DeclaredPort>;
    /** Values it sets that the program sets the same way: said, not written. */
    notes: string[];
}

/** The chart's own entryPoints, which the stack leaves as the chart has them. */
const BUILTIN_PORTS = ["traefik", "web", "websecure", "metrics"];

export function isTraefikApplication(object: KubeObject): boolean {
    return object.kind === "Application" && object.apiVersion.startsWith("argoproj.io/") && field(object, "spec", "source", "chart") === "traefik";
}

function declaredPort(app: Sourced, name: string, value: unknown): DeclaredPort | Problem {
    const at = `values.ports.${name}`;
    if (!isRecord(value) || typeof value.port !== "number") {
        return refusal(app, `${at} declares no port number`, "write port: <number>", value);
    }
    const unknown = Object.keys(value).filter((k) => !["port", "expose", "exposedPort", "protocol", "nodePort", "proxyProtocol"].includes(k));
    if (unknown.length > 0) {
        return refusal(app, `${at}.${unknown[0]}: the stack has no setting for it (an entryPoint takes port, exposedPort, protocol, nodePort, proxyProtocol)`, "remove it, or set it on Traefik by hand after the import", value[unknown[0]]);
    }
    const expose = value.expose;
    if (expose !== undefined && expose !== true && !(isRecord(expose) && expose.default === true)) {
        return refusal(app, `${at}.expose is not true: every entryPoint of the stack is on Traefik's Service`, "expose it, or leave it out of the Application", expose);
    }
    const trusted = field(value, "proxyProtocol", "trustedIPs");
    if (value.proxyProtocol !== undefined && !(Array.isArray(trusted) && trusted.every((t) => typeof t === "string") && Object.keys(value.proxyProtocol as object).length === 1)) {
        return refusal(app, `${at}.proxyProtocol takes only trustedIPs in the stack`, "write proxyProtocol: {trustedIPs: [<CIDR>]}", value.proxyProtocol);
    }
    return {
        port: value.port,
        exposedPort: typeof value.exposedPort === "number" ? value.exposedPort : value.port,
        protocol: value.protocol === "UDP" ? "UDP" : "TCP",
        ...(typeof value.nodePort === "number" ? { nodePort: value.nodePort } : {}),
        ...(trusted ? { proxyProtocol: { trustedIPs: trusted as string[] } } : {}),
    };
}

/** `--entrypoints.<name>.address=:<port>[/<proto>]`, and the flags that set the access log the program sets itself. */
function argumentNote(arg: string, ports: Record<string, DeclaredPort>): string | undefined {
    const entryPoint = /^--entrypoints\.([^.=]+)\.address=:(\d+)(?:\/(tcp|udp))?$/i.exec(arg);
    if (entryPoint) {
        const declared = ports[entryPoint[1]];
        return declared && declared.port === Number(entryPoint[2]) && declared.protocol === (entryPoint[3] ?? "tcp").toUpperCase()
            ? `${arg}: the chart derives it from ports.${entryPoint[1]}` : undefined;
    }
    return ["--accesslog=true", "--accesslog.format=json"].includes(arg.toLowerCase()) ? `${arg}: the program turns Traefik's JSON access log on itself` : undefined;
}

function values(app: Sourced): Record<string, unknown> | Problem {
    const helm = field(app.object, "spec", "source", "helm");
    const extra = isRecord(helm) ? Object.keys(helm).filter((k) => !["values", "valuesObject", "releaseName"].includes(k)) : [];
    if (extra.length > 0) {
        return refusal(app, `spec.source.helm.${extra[0]}: the import reads the values written in the Application only`, "write the values into spec.source.helm.values or valuesObject", field(helm, extra[0]));
    }
    const text = field(helm, "values");
    try {
        const parsed: unknown = typeof text === "string" ? YAML.parse(text) : field(helm, "valuesObject") ?? {};
        return isRecord(parsed) ? parsed : {};
    } catch (err) {
        return refusal(app, `spec.source.helm.values is not valid YAML: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`, "correct the values");
    }
}

/** The stack's Traefik settings from the Application, or why they cannot be. */
export function traefikFromApplication(app: Sourced): TraefikImport | Problem[] {
    const source = field(app.object, "spec", "source") as Record<string, unknown>;
    const problems: Problem[] = [];
    const given = values(app);
    if ("problem" in given) {
        return [given as Problem];
    }
    if (typeof source.targetRevision !== "string" || typeof source.repoURL !== "string") {
        problems.push(refusal(app, "names no chart version (spec.source.targetRevision) or repository (repoURL)", "pin the chart's version", source.targetRevision));
    }
    const ports: Record<string, DeclaredPort> = {};
    for (const [name, value] of Object.entries(isRecord(given.ports) ? given.ports : {})) {
        if (BUILTIN_PORTS.includes(name)) {
            problems.push(refusal(app, `values.ports.${name} changes the chart's own ${name} entryPoint, which the stack leaves as the chart has it`, "remove it from the Application's values", value));
            continue;
        }
        const port = declaredPort(app, name, value);
        if ("problem" in port) {
            problems.push(port);
        } else {
            ports[name] = port;
        }
    }
    const notes: string[] = [];
    const serviceType = field(given, "service", "type");
    for (const [key, value] of Object.entries(given)) {
        if (key === "additionalArguments" && Array.isArray(value)) {
            for (const arg of value.map(String)) {
                const note = argumentNote(arg, ports);
                if (note) {
                    notes.push(note);
                } else {
                    problems.push(refusal(app, `values.additionalArguments ${arg}: the stack has no setting for it`, "remove it, or say it with a stack setting", arg));
                }
            }
        } else if (key === "service" && !(isRecord(value) && Object.keys(value).every((k) => k === "type") && ["NodePort", "LoadBalancer", "ClusterIP", undefined].includes(serviceType as string))) {
            problems.push(refusal(app, "values.service sets more than its type (NodePort, LoadBalancer or ClusterIP)", "keep only service.type", value));
        } else if (key === "logs" && JSON.stringify(value) === JSON.stringify({ access: { enabled: true, format: "json" } })) {
            notes.push("values.logs.access: the program turns Traefik's JSON access log on itself");
        } else if (!["ports", "service", "resources", "additionalArguments"].includes(key)) {
            problems.push(refusal(app, `values.${key}: the stack has no setting for it`, "remove it from the Application's values, or set it on Traefik by hand after the import", value));
        }
    }
    if (problems.length > 0) {
        return problems;
    }
    const destination = field(app.object, "spec", "destination", "namespace");
    return {
        application: app,
        chart: { repo: source.repoURL as string, version: source.targetRevision as string },
        releaseName: typeof field(source, "helm", "releaseName") === "string" ? (field(source, "helm", "releaseName") as string) : app.object.metadata.name,
        ...(typeof destination === "string" && destination !== "traefik" ? { namespace: destination } : {}),
        ...(typeof serviceType === "string" ? { serviceType: serviceType as TraefikImport["serviceType"] } : {}),
        ...(isRecord(given.resources) ? { resources: given.resources } : {}),
        ports,
        notes: notes.map((n) => `${app.source.file}: ${describe(app.object)}: ${n}`),
    };
}
