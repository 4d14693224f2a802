/**
 * What the end-to-end test files share around the Helm release they install: the Traefik binary
 * (built from Go modules), the Traefik CRDs of the cluster (the release leaves its own behind when
 * uninstalled), and whether a namespace is still there.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { kubectlJson, projectDir } from "../integration/harness";

/** Names of the CRDs of Traefik's API groups (traefik.io, hub.traefik.io, traefik.containo.us). */
export function traefikCrds(env: Record<string, string>): string[] {
    const crds = kubectlJson<{ items: { metadata: { name: string }; spec: { group: string } }[] }>(env, "get", "crd");
    return crds.items.filter((c) => /(^|\.)traefik\.(io|containo\.us)$/.test(c.spec.group)).map((c) => c.metadata.name);
}

/** Deletes the Traefik CRDs that are not in `before`: the cluster as the test found it. */
export function deleteCrdsSince(env: Record<string, string>, before: Set<string>): void {
    const ours = traefikCrds(env).filter((name) => !before.has(name));
    if (ours.length > 0) {
        execFileSync("kubectl", ["delete", "crd", ...ours, "--timeout=120s"], { env: { ...process.env, ...env }, stdio: "pipe", timeout: 150_000 });
    }
}

/** Whether a namespace exists (or is still terminating); without kubectl's NotFound on stderr. */
export function namespaceExists(env: Record<string, string>, name: string): boolean {
    const out = execFileSync("kubectl", ["get", "namespace", name, "--ignore-not-found", "-o", "name"], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 30_000 });
    return out.trim() !== "";
}

/** A binary one of the project's build scripts makes (traefik.sh, coredns.sh): built when missing, its path. */
export function builtBinary(script: string): string {
    const file = path.join(projectDir, "scripts", script);
    execFileSync("bash", [file, "build"], { stdio: ["ignore", "ignore", "inherit"], timeout: 60 * 60 * 1000 });
    return execFileSync("bash", [file, "path"], { encoding: "utf8" }).trim();
}
