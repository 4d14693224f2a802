/**
 * The real Traefik, run as a local process with the static configuration the Helm release put
 * into the cluster: the container arguments of the chart's Deployment, read back from the API
 * server. Only what ties them to a pod changes: entryPoint addresses move to 127.0.0.1 (to free
 * ports where the pod's port is taken), the Kubernetes providers get the external endpoint, a
 * ServiceAccount token and the cluster CA instead of the in-cluster ones, and the calls home
 * (version check, anonymous usage) are switched off, so the process talks to 127.0.0.1 only.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import * as YAML from "yaml";
import { kubectlJson } from "../support/harness";
import { ephemeralPort, LOOPBACK, portFree, udpPortFree } from "./clients";
import { eventuallyAsync, ManagedProcess } from "./processes";

/** What the Helm release deployed: Traefik's container arguments and its ServiceAccount. */
export interface DeployedTraefik {
    namespace: string;
    deployment: string;
    serviceAccount: string;
    args: string[];
}

export function readDeployedTraefik(env: Record<string, string>, namespace = "traefik"): DeployedTraefik {
    const list = kubectlJson<{ items: any[] }>(env, "get", "deployment", "-n", namespace, "-l", "app.kubernetes.io/name=traefik");
    if (list.items.length !== 1) {
        throw new Error(`expected one Traefik Deployment in ${namespace}, found ${list.items.length}`);
    }
    const deployment = list.items[0];
    const container = (deployment.spec.template.spec.containers as any[]).find((c) => c.name === "traefik") ?? deployment.spec.template.spec.containers[0];
    return {
        namespace,
        deployment: deployment.metadata.name,
        serviceAccount: deployment.spec.template.spec.serviceAccountName,
        args: container.args as string[],
    };
}

/** How the local process reaches the API server. */
export interface ClusterAccess {
    endpoint: string;
    token: string;
    caFile: string;
}

/** The API server of the current kubeconfig, a token for the chart's ServiceAccount, and the cluster CA. */
export function clusterAccess(env: Record<string, string>, deployed: DeployedTraefik, dir: string): ClusterAccess {
    const kubeconfig = YAML.parse(fs.readFileSync(env.KUBECONFIG, "utf8")) as { clusters: { cluster: { server: string; "certificate-authority-data": string } }[] };
    const cluster = kubeconfig.clusters[0].cluster;
    if (!/^https:\/\/127\.0\.0\.1:\d+$/.test(cluster.server)) {
        throw new Error(`refusing to point Traefik at a non-local API server: ${cluster.server}`);
    }
    const caFile = path.join(dir, "cluster-ca.crt");
    fs.writeFileSync(caFile, Buffer.from(cluster["certificate-authority-data"], "base64"));
    // The RBAC the chart created for its ServiceAccount is what this Traefik works with.
    const token = execFileSync("kubectl", ["create", "token", deployed.serviceAccount, "-n", deployed.namespace, "--duration=2h"], {
        encoding: "utf8", env: { ...process.env, ...env }, timeout: 30_000,
    }).trim();
    return { endpoint: cluster.server, token, caFile };
}

export interface LocalEntryPoint {
    name: string;
    /** The address the release gave it (`:9999/tcp`). */
    deployed: string;
    /** Where the local process listens, on 127.0.0.1. */
    port: number;
    /** `/udp` for a UDP entryPoint, else empty. */
    protocol: string;
}

export interface LocalTraefikConfig {
    args: string[];
    entryPoints: Record<string, LocalEntryPoint>;
}

const ENTRYPOINT_ADDRESS = /^--entry[pP]oints\.([^.=]+)\.address=(.*):(\d+)(\/[a-z]+)?$/i;
const KUBERNETES_PROVIDER = /^--providers\.(kubernetes[a-z]*)(?:[.=]|$)/i;
/** Settings of the Kubernetes providers that locate the API server; ours replace them. */
const CONNECTION_SETTING = /^--providers\.kubernetes[a-z]*\.(endpoint|token|certauthfilepath)=/i;
/** Calls to traefik.io; the test host talks to 127.0.0.1 and its own backends only. */
const CALLS_HOME = /^--global\.(checknewversion|sendanonymoususage)(=|$)/i;

/**
 * The deployed arguments, bound to 127.0.0.1 and pointed at the cluster from outside. An
 * entryPoint keeps its port when that is free here, and gets a free one otherwise.
 */
export async function localTraefikConfig(deployedArgs: string[], access: ClusterAccess): Promise<LocalTraefikConfig> {
    const args: string[] = [];
    const entryPoints: Record<string, LocalEntryPoint> = {};
    const providers = new Set<string>();
    for (const arg of deployedArgs) {
        const address = ENTRYPOINT_ADDRESS.exec(arg);
        if (address) {
            const [, name, host, portText, protocol = ""] = address;
            if (host !== "" && host !== "0.0.0.0") {
                throw new Error(`unexpected entryPoint host in ${arg}`);
            }
            const wanted = Number(portText);
            // A TCP and a UDP entryPoint may share a number, as in the pod.
            const taken = Object.values(entryPoints).filter((e) => e.protocol === protocol).map((e) => e.port);
            const free = protocol === "/udp" ? await udpPortFree(wanted) : await portFree(wanted);
            const port = !taken.includes(wanted) && free ? wanted : await ephemeralPort();
            entryPoints[name] = { name, deployed: arg.slice(arg.indexOf("=") + 1), port, protocol };
            args.push(`--entryPoints.${name}.address=${LOOPBACK}:${port}${protocol}`);
            continue;
        }
        const provider = KUBERNETES_PROVIDER.exec(arg);
        if (provider) {
            providers.add(provider[1]);
        }
        if (!CONNECTION_SETTING.test(arg) && !CALLS_HOME.test(arg)) {
            args.push(arg);
        }
    }
    if (!providers.has("kubernetescrd") && !providers.has("kubernetesCRD")) {
        throw new Error(`the deployed arguments enable no Kubernetes CRD provider: ${deployedArgs.join(" ")}`);
    }
    for (const provider of providers) {
        args.push(`--providers.${provider}.endpoint=${access.endpoint}`, `--providers.${provider}.token=${access.token}`, `--providers.${provider}.certAuthFilePath=${access.caFile}`);
    }
    // Plain log lines in the log file the test keeps on failure.
    args.push("--global.checkNewVersion=false", "--global.sendAnonymousUsage=false", "--log.noColor=true");
    return { args, entryPoints };
}

/** GET http://127.0.0.1:port/path; resolves to the status code, or undefined on any error. */
function httpStatus(port: number, urlPath: string): Promise<number | undefined> {
    return new Promise((resolve) => {
        const request = http.get({ host: LOOPBACK, port, path: urlPath, timeout: 2000 }, (response) => {
            response.resume();
            resolve(response.statusCode);
        });
        request.on("timeout", () => request.destroy());
        request.on("error", () => resolve(undefined));
    });
}

/** A Traefik process with a given configuration; `start` returns once /ping answers. */
export class LocalTraefik {
    private constructor(readonly config: LocalTraefikConfig, readonly process: ManagedProcess) {}

    static async start(binary: string, config: LocalTraefikConfig, logFile: string, namespace: string): Promise<LocalTraefik> {
        // As in the pod (the chart sets these from the downward API).
        const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", POD_NAMESPACE: namespace, POD_NAME: "traefik-e2e-local" };
        const proc = new ManagedProcess("traefik", binary, config.args, logFile, env);
        const traefik = new LocalTraefik(config, proc);
        const pingEntryPoint = config.args.map((a) => /^--ping\.entry[pP]oint=(.+)$/i.exec(a)?.[1]).find((n) => n !== undefined) ?? "traefik";
        const ping = config.entryPoints[pingEntryPoint];
        if (!config.args.some((a) => /^--ping(=true)?$/i.test(a)) || !ping) {
            throw new Error("the deployed arguments enable no ping endpoint to wait for");
        }
        try {
            await eventuallyAsync(60, `Traefik's /ping on ${ping.port}`, async () => {
                if (!proc.running) {
                    throw new Error(`Traefik exited:\n${proc.tail()}`);
                }
                return (await httpStatus(ping.port, "/ping")) === 200 ? true : undefined;
            });
        } catch (err) {
            await proc.stop();
            throw err;
        }
        return traefik;
    }

    port(entryPoint: string): number {
        const ep = this.config.entryPoints[entryPoint];
        if (!ep) {
            throw new Error(`no entryPoint ${entryPoint}; have ${Object.keys(this.config.entryPoints).join(", ")}`);
        }
        return ep.port;
    }

    /** Remote addresses of the process's TCP connections right now (iproute2's ss). */
    peers(): string[] {
        const pid = this.process.child.pid;
        const lines = execFileSync("ss", ["-H", "-t", "-n", "-p"], { encoding: "utf8", timeout: 10_000 }).split("\n");
        return lines.filter((line) => line.includes(`pid=${pid},`)).map((line) => {
            // State Recv-Q Send-Q Local Peer Process; the peer is host:port, IPv6 hosts in brackets.
            const peer = line.trim().split(/\s+/)[4];
            return peer.slice(0, peer.lastIndexOf(":")).replace(/^\[(?:::ffff:)?|\]$/g, "");
        });
    }

    async stop(): Promise<void> {
        await this.process.stop();
    }
}

/** The Traefik Deployment of the release, read again, and a local Traefik started with its arguments. */
export async function startLocalTraefik(binary: string, env: Record<string, string>, access: ClusterAccess, dir: string): Promise<LocalTraefik> {
    const deployed = readDeployedTraefik(env);
    const config = await localTraefikConfig(deployed.args, access);
    const changed = config.args.filter((a) => !deployed.args.includes(a)).map((a) => a.replace(/(\.token=).*/, "$1[redacted]"));
    console.log(`      the Deployment's Traefik arguments: ${deployed.args.join(" ")}\n      locally replaced by: ${changed.join(" ")}`);
    return LocalTraefik.start(binary, config, path.join(dir, `traefik-${Date.now()}.log`), deployed.namespace);
}
