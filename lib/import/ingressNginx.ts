/**
 * ingress-nginx's TCP and UDP exposure as stack apps. Its `tcp-services` and `udp-services`
 * ConfigMaps map an external port to a Service, `"9000": "default/example-go:8080"`, as
 * `<namespace>/<service>:<port number or name>[:<PROXY>[:<PROXY>]]`: the first PROXY decodes the
 * PROXY protocol from whoever connects (an entryPoint that trusts the load balancer's addresses),
 * the second encodes it towards the Service (PROXY protocol v1 towards the app, as nginx sends it);
 * ingress-nginx reads PROXY on TCP entries only. Each entry becomes an app on the same external
 * port, with the NodePort the controller's Service gives that port.
 */
import type { AppConfigInput } from "../config/schema";
import type { Problem } from "../problems";
import { describe, field, KubeObject, refusal, Sourced } from "./objects";

/** Ports ingress-nginx keeps for itself and ignores in the ConfigMaps (HTTP, HTTPS, SSL proxy, health, default server, profiler, status, stream). */
export const RESERVED_PORTS = [80, 443, 442, 10254, 8181, 10245, 10246, 10247];

/** One ConfigMap entry, parsed. */
export interface StreamEntry {
    configMap: Sourced;
    key: string;
    externalPort: number;
    protocol: "TCP" | "UDP";
    namespace: string;
    service: string;
    /** The Service's port, by number or by name. */
    port: number | string;
    /** PROXY protocol from the client (decode on listen), towards the app (encode on proxy_pass). */
    decode: boolean;
    encode: boolean;
}

/** TCP or UDP, from the ConfigMap's name as ingress-nginx's manifests and chart name them (tcp-services, <release>-udp). */
export function protocolOf(configMap: KubeObject): "TCP" | "UDP" | undefined {
    const { name } = configMap.metadata;
    return /(^|-)udp(-services)?$/.test(name) ? "UDP" : /(^|-)tcp(-services)?$/.test(name) ? "TCP" : undefined;
}

/** Every entry of a ConfigMap, or why one cannot be read as ingress-nginx reads it. */
export function streamEntries(configMap: Sourced): (StreamEntry | Problem)[] {
    const protocol = protocolOf(configMap.object);
    if (!protocol) {
        return [refusal(configMap, "is neither a tcp-services nor a udp-services ConfigMap (by its name: tcp-services, udp-services, <release>-tcp, <release>-udp)", "name the ConfigMaps as ingress-nginx's --tcp-services-configmap and --udp-services-configmap name them", configMap.object.metadata.name)];
    }
    const data = field(configMap.object, "data");
    return Object.entries(typeof data === "object" && data !== null ? data : {}).map(([key, value]): StreamEntry | Problem => {
        const at = (problem: string, fix: string) => refusal(configMap, `data["${key}"] ${problem}`, fix, value);
        const externalPort = /^\d+$/.test(key) ? Number(key) : NaN;
        if (!(externalPort >= 1 && externalPort <= 65535)) {
            return at("is not a port number", "key each entry by the external port, e.g. \"9000\"");
        }
        if (RESERVED_PORTS.includes(externalPort)) {
            return at(`is on port ${externalPort}, which ingress-nginx keeps for itself and ignores here: nothing to carry`, "remove the entry");
        }
        const fields = String(value).split(":");
        const [nsName, port, decode = "", encode = ""] = fields;
        const [namespace, service, extra] = (nsName ?? "").split("/");
        if (fields.length < 2 || fields.length > 4 || !namespace || !service || extra !== undefined || !port) {
            return at("is not <namespace>/<service>:<port>[:PROXY[:PROXY]]", "write it as ingress-nginx reads it, e.g. \"default/example-go:8080\"");
        }
        if (![decode, encode].every((f) => f === "" || f.toUpperCase() === "PROXY")) {
            return at("has a field other than PROXY after the port", "write PROXY, or leave the field empty (::PROXY encodes only)");
        }
        if (protocol === "UDP" && (decode !== "" || encode !== "")) {
            return at("asks for PROXY protocol on UDP, which ingress-nginx does not do (it reads PROXY on TCP entries only)", "remove the PROXY fields");
        }
        return {
            configMap, key, externalPort, protocol, namespace, service, port: /^\d+$/.test(port) ? Number(port) : port,
            decode: decode.toUpperCase() === "PROXY", encode: encode.toUpperCase() === "PROXY",
        };
    });
}

/** The backing Service of an entry, and the port of it the entry names (by number or name, and protocol, as ingress-nginx matches it). */
export function backingService(entry: StreamEntry, services: Sourced[]): Sourced | Problem {
    const service = services.find((s) => s.object.metadata.name === entry.service && (s.object.metadata.namespace ?? "default") === entry.namespace);
    const at = (problem: string, fix: string) => refusal(entry.configMap, `data["${entry.key}"] ${problem}`, fix, `${entry.namespace}/${entry.service}:${entry.port}`);
    if (!service) {
        return at(`names Service ${entry.namespace}/${entry.service}, which --services does not hold`, "give --services the file (or the cluster) that holds it, with the Deployment behind it");
    }
    const ports = (field(service.object, "spec", "ports") as { port?: number; name?: string; protocol?: string }[] | undefined) ?? [];
    const matched = ports.find((p) => (typeof entry.port === "number" ? p.port === entry.port : p.name === entry.port) && (p.protocol ?? "TCP") === entry.protocol);
    if (!matched) {
        return at(`names port ${entry.port} (${entry.protocol}) of ${describe(service.object)}, which it does not have`, "name a port of the Service by its number or name");
    }
    return service;
}

/** The controller's Service: the one (in the ConfigMap's namespace first) whose ports include the entry's external port. */
export function controllerService(entry: StreamEntry, services: Sourced[], backing: Sourced[]): { service: Sourced; nodePort?: number } | undefined {
    const candidates = services.filter((s) => !backing.includes(s)).map((service) => ({
        service,
        port: ((field(service.object, "spec", "ports") as { port?: number; protocol?: string; nodePort?: number }[] | undefined) ?? [])
            .find((p) => p.port === entry.externalPort && (p.protocol ?? "TCP") === entry.protocol),
    })).filter((c) => c.port !== undefined);
    const own = candidates.find((c) => c.service.object.metadata.namespace === entry.configMap.object.metadata.namespace) ?? candidates[0];
    return own && { service: own.service, ...(own.port?.nodePort !== undefined ? { nodePort: own.port.nodePort } : {}) };
}

/** The app entry's part an ingress-nginx entry decides: its entryPoint on the external port, and the PROXY protocol. */
export function entryPointOf(entry: StreamEntry, name: string, port: number, nodePort: number | undefined, trustedIPs: string[] | undefined): Pick<AppConfigInput, "entryPoint" | "proxyProtocol"> {
    return {
        entryPoint: {
            name, port,
            ...(port !== entry.externalPort ? { exposedPort: entry.externalPort } : {}),
            ...(nodePort !== undefined ? { nodePort } : {}),
            ...(entry.decode && trustedIPs ? { proxyProtocol: { trustedIPs } } : {}),
        },
        ...(entry.encode ? { proxyProtocol: { version: 1 } } : {}),
    };
}
