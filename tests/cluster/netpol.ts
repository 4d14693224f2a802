/**
 * Probes for the NetworkPolicies the real node enforces (kube-router's firewall, test tier only:
 * scripts/cluster/node.sh): client pods the test starts in namespaces of its own, each opening one
 * TCP connection to a pod's address on the node's bridge. Every probe is one `kubectl exec` of
 * busybox nc with a 3 s connect timeout, under a 20 s bound for the whole exec; it only ever
 * dials a pod IP of the node's own bridge.
 */
import { strict as assert } from "assert";
import { kubectl, kubectlApply } from "../support/harness";
import { ClientRun, run } from "./clients";
import { isReady, notReadyReport, Pod, pods } from "./node";
import { until } from "./traffic";

/** The image the probes run: it is on the node already (scripts/images.sh), and has busybox. */
const PROBE_IMAGE = "redis:7.4.2";
export const PROBE_LABEL = "tcp-platform.dev/probe";

export interface Probe {
    namespace: string;
    name: string;
    role: string;
}

/** A namespace of the test's own, then one sleeping pod per probe in it, restricted as the apps are. */
export async function startProbes(env: Record<string, string>, probes: Probe[]): Promise<void> {
    for (const namespace of new Set(probes.map((p) => p.namespace))) {
        kubectlApply(env, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { "tcp-platform.dev/test": "netpol" } } });
    }
    kubectlApply(env, ...probes.map((p) => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: p.name, namespace: p.namespace, labels: { [PROBE_LABEL]: p.role } },
        spec: {
            terminationGracePeriodSeconds: 0,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{
                name: "probe",
                image: PROBE_IMAGE,
                imagePullPolicy: "Never",
                command: ["sleep", "3600"],
                resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            }],
        },
    })));
    for (const p of probes) {
        await until(120, `probe pod ${p.namespace}/${p.name} Ready`, () => pods(env, p.namespace).find((x) => x.metadata.name === p.name && isReady(x)),
            () => notReadyReport(env, pods(env, p.namespace)));
    }
}

export function removeProbes(env: Record<string, string>, probes: Probe[]): void {
    const namespaces = [...new Set(probes.map((p) => p.namespace))];
    try {
        kubectl(env, "delete", "namespace", ...namespaces, "--ignore-not-found", "--timeout=120s");
    } catch (err) {
        console.log(`      probe namespace cleanup failed: ${(err as Error).message.split("\n")[0]}`);
    }
}

export interface Connect extends ClientRun {
    /** The TCP handshake completed (nc runs its -e program only once connected). */
    connected: boolean;
    ms: number;
}

/** One TCP connection from the probe pod to ip:port: busybox nc, 3 s connect timeout, then closed. */
export function connect(env: Record<string, string>, probe: Probe, ip: string, port: number): Connect {
    assert.match(ip, /^10\.245\.0\.\d+$/, `${ip} is not a pod address on the node's bridge`);
    const t0 = Date.now();
    const r = run("kubectl", ["exec", "-n", probe.namespace, probe.name, "--", "busybox", "nc", "-w", "3", ip, String(port), "-e", "busybox", "true"],
        { env, timeoutMs: 20_000 });
    return { ...r, connected: r.status === 0, ms: Date.now() - t0 };
}

/** The one Ready pod of an app's selector in `backend`, and its address. */
export function appPod(env: Record<string, string>, selector: string): { pod: Pod; ip: string } {
    const list = pods(env, "backend", selector).filter(isReady);
    assert.equal(list.length, 1, `one Ready pod for ${selector}: ${list.map((p) => p.metadata.name).join(", ")}`);
    const ip = list[0].status.podIP;
    assert.ok(ip, `${list[0].metadata.name} has no address`);
    return { pod: list[0], ip };
}
