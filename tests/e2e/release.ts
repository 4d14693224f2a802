/**
 * What the end-to-end test files share around the Helm release they install: the Traefik binary
 * (built from Go modules), the Traefik CRDs of the cluster (the release leaves its own behind when
 * uninstalled), whether a namespace is still there, and the teardown.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { destroyAndClean, kubectlJson, ProjectCopy, projectDir } from "../support/harness";
import { deleteNetns, Netns } from "./netns";

/**
 * Names of the CRDs a test stack may install: Traefik's API groups (traefik.io, hub.traefik.io,
 * traefik.containo.us) and, in gateway routing, the Gateway API's (gateway.networking.k8s.io).
 */
export function traefikCrds(env: Record<string, string>): string[] {
    const crds = kubectlJson<{ items: { metadata: { name: string }; spec: { group: string } }[] }>(env, "get", "crd");
    return crds.items.filter((c) => /(^|\.)traefik\.(io|containo\.us)$|^gateway\.networking\.k8s\.io$/.test(c.spec.group)).map((c) => c.metadata.name);
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

/** What an end-to-end test file started, to be stopped and removed by `tearDown`. */
export interface E2eRun {
    traefik?: { process: { tail(lines?: number): string }; stop(): Promise<void> };
    stack?: Stack;
    project?: ProjectCopy;
    /** Traefik CRDs in the cluster before the release installed its own. */
    crdsBefore: Set<string>;
    /** Backends and other servers of the test. */
    processes: { stop(): Promise<void> }[];
    netnses: Netns[];
    /** The test's working directory: kept, and named, when it failed. */
    work?: string;
    failed: boolean;
}

/**
 * Stops Traefik (showing its last output when the test failed), destroys the stack and the CRDs the
 * test installed (Helm's uninstall and the stack's destroy keep them), then the servers, namespaces and files.
 */
export async function tearDown(run: E2eRun): Promise<void> {
    if (run.failed && run.traefik) {
        console.log(`--- Traefik's last output:\n${run.traefik.process.tail(40)}`);
    }
    await run.traefik?.stop();
    try {
        if (run.stack && run.project) {
            await destroyAndClean(run.stack, run.project.env);
            deleteCrdsSince(run.project.env, run.crdsBefore);
        }
    } finally {
        for (const proc of run.processes) {
            await proc.stop();
        }
        run.netnses.forEach(deleteNetns);
        run.project?.remove();
        if (run.work && run.failed) {
            console.log(`--- logs kept in ${run.work}`);
        } else if (run.work) {
            fs.rmSync(run.work, { recursive: true, force: true });
        }
    }
}
