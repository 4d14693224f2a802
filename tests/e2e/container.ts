/**
 * A rendered container, run as a container runtime would run it, without one: the root filesystem
 * of the image the stack names (scripts/images.sh builds them locally), the container's own
 * arguments, environment (Secret references resolved) and volumes (Secrets written out as the
 * kubelet writes them, emptyDirs and claims as empty directories) mounted at their mount paths, as
 * the pod's user, in a network namespace of the test's. The root filesystem is read-only when the
 * container asks for it. Nothing here is set up the test's own way: what the Deployment or
 * StatefulSet in the API server says is what runs.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { kubectlJson } from "../support/harness";
import { Netns } from "./netns";
import { ManagedProcess } from "./processes";

interface ImageConfig {
    Entrypoint?: string[];
    Cmd?: string[];
    Env?: string[];
    User?: string;
    WorkingDir?: string;
}

/** The image's root filesystem and configuration, unpacked once per directory. */
function unpackImage(image: string, dir: string): { rootfs: string; config: ImageConfig } {
    const archive = execFileSync("bash", [path.resolve(__dirname, "../../scripts/images.sh"), "path", image], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 30 * 60_000 }).trim();
    const unpacked = path.join(dir, `image-${image}`);
    fs.mkdirSync(unpacked, { recursive: true });
    execFileSync("tar", ["-xf", archive, "-C", unpacked]);
    const [manifest] = JSON.parse(fs.readFileSync(path.join(unpacked, "manifest.json"), "utf8")) as { Config: string; Layers: string[] }[];
    const rootfs = path.join(unpacked, "rootfs");
    fs.mkdirSync(rootfs);
    for (const layer of manifest.Layers) {
        execFileSync("tar", ["-xpf", path.join(unpacked, layer), "-C", rootfs]);
    }
    const config = (JSON.parse(fs.readFileSync(path.join(unpacked, manifest.Config), "utf8")) as { config: ImageConfig }).config;
    return { rootfs, config };
}

const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;

/**
 * Starts container `container` of workload `kind/name` in `namespace`, from image archive `image`
 * (a scripts/images.sh name), inside `netns`. Returns once the process runs.
 */
export function runRenderedContainer(env: Record<string, string>, workload: { kind: string; namespace: string; name: string }, image: string, netns: Netns, dir: string): ManagedProcess {
    const object = kubectlJson(env, "get", workload.kind, workload.name, "-n", workload.namespace);
    const pod = object.spec.template.spec;
    const container = pod.containers[0];
    const uid = Number(container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser);
    const gid = Number(container.securityContext?.runAsGroup ?? pod.securityContext?.runAsGroup ?? uid);
    const fsGroup = Number(pod.securityContext?.fsGroup ?? gid);
    const { rootfs, config } = unpackImage(image, dir);
    const secret = (name: string) => kubectlJson(env, "get", "secret", name, "-n", workload.namespace).data as Record<string, string>;

    const environment: Record<string, string> = Object.fromEntries((config.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        environment[variable.name] = ref ? Buffer.from(secret(ref.name)[ref.key], "base64").toString("utf8") : String(variable.value ?? "");
    }

    // Each volume as the kubelet prepares it: Secret keys as files (defaultMode, group fsGroup),
    // emptyDirs and claims as empty directories the pod's fsGroup may write.
    const claimTemplates = new Set(((object.spec.volumeClaimTemplates ?? []) as { metadata: { name: string } }[]).map((t) => t.metadata.name));
    const mounts: { source: string; target: string; readOnly: boolean }[] = [];
    for (const mount of container.volumeMounts ?? []) {
        const volume = (pod.volumes ?? []).find((v: { name: string }) => v.name === mount.name);
        const source = path.join(dir, `volume-${workload.name}-${mount.name}`);
        fs.mkdirSync(source, { recursive: true });
        if (volume?.secret) {
            for (const [key, value] of Object.entries(secret(volume.secret.secretName))) {
                const file = path.join(source, key);
                fs.writeFileSync(file, Buffer.from(value, "base64"));
                fs.chownSync(file, 0, fsGroup);
                fs.chmodSync(file, volume.secret.defaultMode ?? 0o644);
            }
            fs.chmodSync(source, 0o755);
        } else if (volume?.emptyDir || claimTemplates.has(mount.name) || volume?.persistentVolumeClaim) {
            fs.chownSync(source, 0, fsGroup);
            fs.chmodSync(source, 0o2775);
        } else {
            throw new Error(`volume ${mount.name} of ${workload.name}: a kind this runner does not make`);
        }
        mounts.push({ source, target: mount.mountPath, readOnly: Boolean(mount.readOnly) });
    }

    // Kubernetes: args replace the image's Cmd, the Entrypoint stays (no `command` in our objects).
    const argv = [...(container.command ?? config.Entrypoint ?? []), ...(container.args ?? config.Cmd ?? [])];
    // The root filesystem becomes a mount of its own (so that it alone turns read-only), then the
    // volumes are mounted into it, as the runtime does.
    const root = quote(rootfs);
    const at = (target: string) => quote(path.join(rootfs, target));
    const script = [
        "set -e",
        `mount --bind ${root} ${root}`,
        `mount -t proc proc ${at("proc")}`,
        `mount --rbind /dev ${at("dev")}`,
        ...(container.securityContext?.readOnlyRootFilesystem ? [`mount -o remount,bind,ro ${root}`] : []),
        ...mounts.map((m) => `mount --bind ${quote(m.source)} ${at(m.target)}${m.readOnly ? ` && mount -o remount,bind,ro ${at(m.target)}` : ""}`),
        `cd ${root}`,
        `exec env -i ${Object.entries(environment).map(([k, v]) => quote(`${k}=${v}`)).join(" ")} chroot --userspec=${uid}:${gid} --groups=${fsGroup} ${root} ${argv.map(quote).join(" ")}`,
    ];
    // Mount points inside the image's root filesystem (ours, unpacked above).
    for (const m of mounts) {
        fs.mkdirSync(path.join(rootfs, m.target), { recursive: true });
    }
    for (const d of ["proc", "dev"]) {
        fs.mkdirSync(path.join(rootfs, d), { recursive: true });
    }
    return new ManagedProcess(workload.name, "ip", ["netns", "exec", netns.name, "unshare", "--mount", "--propagation", "private", "sh", "-c", script.join("\n")],
        path.join(dir, `${workload.name}.log`), { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" });
}
