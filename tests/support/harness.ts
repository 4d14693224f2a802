/**
 * The integration tier's world: the real Pulumi engine (scripts/toolchain.sh), the local
 * control plane (scripts/cluster.sh), a local file backend, and the project copied into a
 * temporary directory so that test stacks never touch the repository's stack files.
 */
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { DEFAULT_CHART_VERSION } from "../../lib/constants";
import { cacheDir, localChartDir } from "../../tools/charts";

export const projectDir = path.resolve(__dirname, "../..");
export const chartsDir = path.resolve(projectDir, "../shared/charts");
export const PASSPHRASE = "tcp-platform-demo";

/** `export X=Y` lines from one of the project's scripts, as an environment. */
function exportsOf(script: string, command: string): Record<string, string> {
    const out = execFileSync("bash", [path.join(projectDir, "scripts", script), command], { encoding: "utf8" });
    const env: Record<string, string> = {};
    for (const line of out.split("\n")) {
        const match = /^export ([A-Z_]+)=(.*)$/.exec(line.trim());
        if (match) {
            env[match[1]] = execFileSync("bash", ["-c", `printf %s ${match[2]}`], { encoding: "utf8", env: { ...process.env, ...env } });
        }
    }
    return env;
}

/** The environment every Pulumi and kubectl call of the tests runs in. */
export function testEnvironment(stateDir: string): Record<string, string> {
    const toolchain = exportsOf("toolchain.sh", "env");
    const cluster = exportsOf("cluster.sh", "env");
    return {
        ...toolchain,
        ...cluster,
        PULUMI_BACKEND_URL: `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        // As scripts/lib/common.sh sets it for the main job: Node keeps compiled modules across runs.
        NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? path.join(cacheDir, "node-compile-cache"),
    };
}

/**
 * kubectl against the local control plane; JSON output parsed. Name custom resources with their
 * group (`ingressroutetcps.traefik.io`): chart 26 also installs the old traefik.containo.us CRDs,
 * and a bare `ingressroutetcp` may resolve to either group.
 */
export function kubectl(env: Record<string, string>, ...args: string[]): string {
    // CRD lists run to megabytes (chart 41's and cert-manager's schemas).
    return execFileSync("kubectl", args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
}

/** The Traefik Service's ports by name, from what the API server holds. */
export function traefikServicePorts(env: Record<string, string>, namespace = "traefik"): Record<string, { port: number; nodePort?: number }> {
    const services = kubectlJson<{ items: { spec: { ports: { name: string; port: number; nodePort?: number }[] } }[] }>(env, "get", "service", "-n", namespace, "-l", "app.kubernetes.io/name=traefik");
    if (services.items.length !== 1) {
        throw new Error(`expected one Traefik Service in ${namespace}, found ${services.items.length}`);
    }
    return Object.fromEntries(services.items[0].spec.ports.map((p) => [p.name, { port: p.port, nodePort: p.nodePort }]));
}

/** `kubectl apply` of objects given as values. */
export function kubectlApply(env: Record<string, string>, ...objects: unknown[]): void {
    execFileSync("kubectl", ["apply", "-f", "-"], { input: objects.map((o) => JSON.stringify(o)).join("\n"), encoding: "utf8", env: { ...process.env, ...env } });
}

export function kubectlJson<T = any>(env: Record<string, string>, ...args: string[]): T {
    return JSON.parse(kubectl(env, ...args, "-o", "json")) as T;
}

/** Whether an object exists (kubectl get exits non-zero for NotFound). */
export function exists(env: Record<string, string>, ...args: string[]): boolean {
    try {
        execFileSync("kubectl", ["get", ...args], { stdio: "ignore", env: { ...process.env, ...env } });
        return true;
    } catch {
        return false;
    }
}

/**
 * Helm keeps a chart's CRDs when a release is uninstalled (by design, so that custom resources
 * survive). After destroying a stack installed with `installer: release`, remove the Traefik CRDs
 * it left, so the next install owns them again.
 */
export function removeChartCrds(env: Record<string, string>): void {
    const crds = kubectl(env, "get", "crd", "-o", "name").split("\n").filter((name) => /\.(traefik\.io|traefik\.containo\.us)$/.test(name));
    if (crds.length > 0) {
        kubectl(env, "delete", ...crds);
    }
}

/**
 * cert-manager's CRDs, as a cluster with cert-manager has them (dev and prod request
 * Certificates): `scripts/cluster.sh up` applies them; this applies them again, for a plane that
 * was started before they were part of it. No controller runs: Certificates are stored, never issued.
 */
export function installCertManagerCrds(env: Record<string, string>): void {
    execFileSync("bash", [path.join(projectDir, "scripts", "cluster.sh"), "cert-manager-crds"], { stdio: "pipe", env: { ...process.env, ...env }, timeout: 300_000 });
}

/** A copy of the project in a temporary directory, with node_modules linked. */
export class ProjectCopy {
    readonly dir: string;
    readonly stateDir: string;
    readonly env: Record<string, string>;

    constructor() {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "tcp-platform-it-"));
        for (const entry of ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "platform.ts", "catalog", "lib", "components", "policy"]) {
            fs.cpSync(path.join(projectDir, entry), path.join(this.dir, entry), { recursive: true });
        }
        fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(this.dir, "node_modules"));
        this.stateDir = path.join(this.dir, ".state");
        fs.mkdirSync(this.stateDir);
        this.env = testEnvironment(this.stateDir);
    }

    /**
     * A stack whose settings file is one of the project's stack files, changed by `edit`
     * (which gets the `config:` mapping) and pointed at the offline chart archives.
     */
    async stack(name: string, from: "dev" | "prod", edit: (config: Record<string, any>) => void = () => undefined): Promise<Stack> {
        const doc = YAML.parse(fs.readFileSync(path.join(projectDir, `Pulumi.${from}.yaml`), "utf8")) as { config: Record<string, any> };
        const traefik = (doc.config["tcp-platform:traefik"] ??= {});
        traefik.chart = { path: localChartDir(chartsDir, traefik.chart?.version ?? DEFAULT_CHART_VERSION) };
        edit(doc.config);
        fs.writeFileSync(path.join(this.dir, `Pulumi.${name}.yaml`), YAML.stringify(doc));
        return this.stackIn(this.dir, name);
    }

    /** A stack of the Pulumi project in `workDir`, run by the toolchain's CLI in this copy's environment. */
    async stackIn(workDir: string, name: string): Promise<Stack> {
        const pulumiCommand = await PulumiCommand.get({ root: path.dirname(path.dirname(which("pulumi", this.env))), skipVersionCheck: true });
        return LocalWorkspace.createOrSelectStack({ stackName: name, workDir }, {
            pulumiCommand,
            envVars: this.env,
            secretsProvider: "passphrase",
        });
    }

    /** Rewrites a stack's settings file, keeping its encryption salt. */
    editStack(name: string, edit: (config: Record<string, any>) => void): void {
        const file = path.join(this.dir, `Pulumi.${name}.yaml`);
        const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, any> };
        edit(doc.config);
        fs.writeFileSync(file, YAML.stringify(doc));
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

function which(command: string, env: Record<string, string>): string {
    return execFileSync("bash", ["-c", `command -v ${command}`], { encoding: "utf8", env: { ...process.env, ...env } }).trim();
}

/**
 * Destroys a test stack, then what destroy keeps by design — a namespace that holds databases'
 * claims stays, with them — and waits until `namespaces` are gone, so the next test starts from
 * an empty cluster.
 */
export async function destroyAndClean(stack: Stack, env: Record<string, string>, namespaces = ["backend", "traefik"]): Promise<void> {
    await stack.destroy({ onOutput: () => undefined });
    kubectl(env, "delete", "namespace", ...namespaces, "--ignore-not-found", "--wait=false");
    await eventually(180, () => namespaces.every((n) => !exists(env, "namespace", n)), `namespaces ${namespaces.join(", ")} to be deleted`);
}

/** Polls `check` until it returns true or `seconds` pass. */
export async function eventually(seconds: number, check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
        if (check()) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    throw new Error(`timed out after ${seconds} s waiting for ${what}`);
}
