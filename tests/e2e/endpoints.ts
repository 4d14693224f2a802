/**
 * What the endpoint controller would write for a running, ready pod of an app: an EndpointSlice of
 * the app's Service that points at the backend's address. The simulated nodes run no process, so
 * the test registers its own servers; Traefik then resolves route -> Service -> endpoints itself.
 */
import { execFileSync } from "child_process";
import { kubectlJson } from "../support/harness";

/** Value of endpointslice.kubernetes.io/managed-by: anything but the controller's makes it leave the slice alone. */
export const MANAGED_BY = "e2e.tcp-platform.test";

export interface ServicePortRef {
    namespace: string;
    service: string;
    /** Name of the Service port; Traefik matches the slice's port by this name. */
    portName: string;
}

/**
 * Creates (or replaces) `<service>-e2e`: one ready endpoint at `address:port`, owned by the
 * Service so that deleting the Service deletes it, as with the controller's own slices.
 */
export function registerEndpoint(env: Record<string, string>, ref: ServicePortRef, address: string, port: number, protocol: "TCP" | "UDP" = "TCP"): void {
    const service = kubectlJson(env, "get", "service", ref.service, "-n", ref.namespace);
    const servicePort = (service.spec.ports as { name?: string; targetPort?: number | string }[]).find((p) => p.name === ref.portName);
    if (!servicePort) {
        throw new Error(`Service ${ref.namespace}/${ref.service} has no port named ${ref.portName}`);
    }
    if (typeof servicePort.targetPort === "number" && servicePort.targetPort !== port) {
        throw new Error(`Service ${ref.service} targets port ${servicePort.targetPort}, the backend listens on ${port}`);
    }
    const slice = {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
            name: `${ref.service}-e2e`,
            namespace: ref.namespace,
            labels: { "kubernetes.io/service-name": ref.service, "endpointslice.kubernetes.io/managed-by": MANAGED_BY },
            ownerReferences: [{ apiVersion: "v1", kind: "Service", name: ref.service, uid: service.metadata.uid }],
        },
        addressType: "IPv4",
        endpoints: [{ addresses: [address], conditions: { ready: true, serving: true, terminating: false } }],
        ports: [{ name: ref.portName, port, protocol }],
    };
    execFileSync("kubectl", ["apply", "-f", "-"], { input: JSON.stringify(slice), env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"], timeout: 30_000 });
}

/** Each of a test's servers behind its Service in `namespace` (the Service's first port), at its network namespace's address. */
export function registerBackends(env: Record<string, string>, namespace: string, backends: Record<string, { service: string; port: number }>, addresses: Record<string, { address: string }>): void {
    for (const [role, spec] of Object.entries(backends)) {
        const servicePort = kubectlJson(env, "get", "service", spec.service, "-n", namespace).spec.ports[0];
        registerEndpoint(env, { namespace, service: spec.service, portName: servicePort.name }, addresses[role].address, spec.port, servicePort.protocol);
    }
}
