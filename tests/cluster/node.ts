/**
 * The real node, as the cluster tier sees it: the plane scripts/cluster.sh started with
 * TCP_PLATFORM_NODE=real (state in $TCP_PLATFORM_CLUSTER_STATE), its pods, their processes on this
 * host, and the static PersistentVolumes the tests provide in place of a provisioner.
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { kubectl, kubectlJson } from "../support/harness";

const execFileAsync = promisify(execFile);

export const stateDir = process.env.TCP_PLATFORM_CLUSTER_STATE ?? path.join(process.env.TCP_PLATFORM_CACHE ?? path.join(os.homedir(), ".cache", "tcp-platform"), "cluster");
export const containerdSocket = path.join(stateDir, "node", "containerd.sock");

export interface Pod {
    metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string; uid: string };
    spec: { nodeName?: string; containers: { name: string; image: string; securityContext?: Record<string, any> }[]; securityContext?: Record<string, any> };
    status: {
        phase: string;
        podIP?: string;
        conditions?: { type: string; status: string }[];
        containerStatuses?: { name: string; ready: boolean; restartCount: number; containerID?: string; imageID?: string; image: string; state: Record<string, any> }[];
    };
}

export function pods(env: Record<string, string>, namespace: string, selector?: string): Pod[] {
    return kubectlJson<{ items: Pod[] }>(env, "get", "pods", "-n", namespace, ...(selector ? ["-l", selector] : [])).items;
}

export const isReady = (pod: Pod) => !pod.metadata.deletionTimestamp && pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** One line per pod that is not Ready, with its containers' states and the tail of their logs. */
export function notReadyReport(env: Record<string, string>, list: Pod[]): string {
    return list.filter((p) => !isReady(p)).map((p) => {
        const states = (p.status.containerStatuses ?? []).map((c) => `${c.name}: ${JSON.stringify(c.state)} restarts=${c.restartCount}`).join("; ");
        let logs = "";
        try {
            logs = execFileSync("kubectl", ["logs", "-n", p.metadata.namespace, p.metadata.name, "--all-containers", "--tail", "8"], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 10_000 });
        } catch (err) {
            logs = `(no logs: ${(err as Error).message.split("\n")[0]})`;
        }
        return `${p.metadata.namespace}/${p.metadata.name} phase=${p.status.phase} ${states || "no container status"}\n    ${logs.trim().split("\n").join("\n    ")}`;
    }).join("\n");
}

/** Waits until every pod in `namespaces` is Ready (and there is at least one); says which are not. */
export async function allPodsReady(env: Record<string, string>, namespaces: string[], seconds: number): Promise<Pod[]> {
    const deadline = Date.now() + seconds * 1000;
    let list: Pod[] = [];
    while (Date.now() < deadline) {
        list = namespaces.flatMap((ns) => pods(env, ns));
        if (list.length > 0 && list.every(isReady)) {
            return list;
        }
        await sleep(1000);
    }
    throw new Error(`pods not Ready after ${seconds} s:\n${notReadyReport(env, list)}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the kernel says about a container's main process: the security context as applied, not as asked. */
export interface ProcessSecurity {
    pid: number;
    uid: number;
    gid: number;
    capEff: string;
    noNewPrivs: boolean;
    /** 2 = seccomp filter (RuntimeDefault). */
    seccomp: number;
    rootReadOnly: boolean;
}

export function containerPid(containerId: string): number {
    const id = containerId.replace(/^containerd:\/\//, "");
    const out = execFileSync("ctr", ["--address", containerdSocket, "-n", "k8s.io", "tasks", "ls"], { encoding: "utf8", timeout: 10_000 });
    const line = out.split("\n").find((l) => l.startsWith(id));
    if (!line) {
        throw new Error(`containerd has no task ${id}:\n${out}`);
    }
    return Number(line.trim().split(/\s+/)[1]);
}

export function processSecurity(pid: number): ProcessSecurity {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "m").exec(status)?.[1] ?? "";
    const root = fs.readFileSync(`/proc/${pid}/mountinfo`, "utf8").split("\n").find((l) => l.split(" ")[4] === "/");
    return {
        pid,
        uid: Number(field("Uid").split(/\s+/)[1]),
        gid: Number(field("Gid").split(/\s+/)[1]),
        capEff: field("CapEff"),
        noNewPrivs: field("NoNewPrivs") === "1",
        seccomp: Number(field("Seccomp")),
        rootReadOnly: root !== undefined && root.split(" ")[5].split(",").includes("ro"),
    };
}

/** The NodePort of a port of a Service. */
export function nodePort(env: Record<string, string>, namespace: string, service: string, portName: string): number {
    const svc = kubectlJson<{ spec: { ports: { name: string; nodePort?: number }[] } }>(env, "get", "service", "-n", namespace, service);
    const port = svc.spec.ports.find((p) => p.name === portName)?.nodePort;
    if (!port) {
        throw new Error(`service ${namespace}/${service} has no NodePort named ${portName}: ${JSON.stringify(svc.spec.ports)}`);
    }
    return port;
}

/**
 * The tests' stand-in for a volume provisioner (the node has none): every Pending claim gets a
 * hostPath PersistentVolume of its storage class and size, bound to it (claimRef), in a directory
 * under `dir` made as a volume provisioner makes one (local-path-provisioner: owned by root, mode
 * 0777): the kubelet applies no fsGroup to such a volume, so a server that must own its data
 * directory needs a subdirectory, as on a real cluster. Retained on delete.
 */
export class StaticVolumes {
    private timer?: NodeJS.Timeout;
    private busy = false;
    readonly created: string[] = [];

    constructor(private readonly env: Record<string, string>, private readonly dir: string) {
        fs.mkdirSync(dir, { recursive: true });
    }

    start(): void {
        this.timer = setInterval(() => void this.bindPending(), 1000);
    }

    stop(): void {
        clearInterval(this.timer);
    }

    async bindPending(): Promise<void> {
        if (this.busy) {
            return;
        }
        this.busy = true;
        try {
            const { stdout } = await execFileAsync("kubectl", ["get", "pvc", "-A", "-o", "json"], { env: { ...process.env, ...this.env } });
            const claims = (JSON.parse(stdout) as { items: any[] }).items.filter((c) => c.status?.phase === "Pending" && !c.spec.volumeName);
            for (const claim of claims) {
                const name = `tcpp-${claim.metadata.namespace}-${claim.metadata.name}`.slice(0, 63);
                if (this.created.includes(name)) {
                    continue;
                }
                const dir = path.join(this.dir, name);
                fs.mkdirSync(dir, { recursive: true });
                fs.chmodSync(dir, 0o777);
                const pv = {
                    apiVersion: "v1",
                    kind: "PersistentVolume",
                    metadata: { name, labels: { "tcp-platform.dev/test": "cluster" } },
                    spec: {
                        capacity: { storage: claim.spec.resources.requests.storage },
                        accessModes: claim.spec.accessModes,
                        volumeMode: claim.spec.volumeMode ?? "Filesystem",
                        storageClassName: claim.spec.storageClassName ?? "",
                        persistentVolumeReclaimPolicy: "Retain",
                        claimRef: { namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid },
                        hostPath: { path: dir, type: "Directory" },
                    },
                };
                const child = execFile("kubectl", ["apply", "-f", "-"], { env: { ...process.env, ...this.env } });
                child.stdin!.end(JSON.stringify(pv));
                await new Promise((resolve) => child.on("exit", resolve));
                this.created.push(name);
            }
        } catch {
            // The next tick tries again.
        } finally {
            this.busy = false;
        }
    }

    /** Deletes the PersistentVolumes it made (their directories go with the test's work directory). */
    remove(): void {
        this.stop();
        if (this.created.length > 0) {
            try {
                kubectl(this.env, "delete", "pv", "--wait=false", ...this.created);
            } catch {
                // Gone with the cluster.
            }
        }
    }
}
