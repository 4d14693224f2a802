/**
 * Databases keep their data: mysql-demo's claim binds to a static PersistentVolume the test
 * creates, outlives its pod, scale-down to zero and a destroy, and is protected with
 * protectStateful; a stack that comes back takes the same claim again.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { destroyAndClean, eventually, exists, kubectl, kubectlApply, kubectlJson, ProjectCopy } from "../support/harness";

const quiet = { onOutput: () => undefined };
const STORAGE_CLASS = "it-static";
const VOLUME = "it-static-mysql";
const CLAIM = "data-mysql-demo-0";

function claim(env: Record<string, string>): { uid: string; phase: string; volumeName: string } {
    const pvc = kubectlJson(env, "get", "persistentvolumeclaim", CLAIM, "-n", "backend");
    return { uid: pvc.metadata.uid, phase: pvc.status.phase, volumeName: pvc.spec.volumeName };
}

function readyPod(env: Record<string, string>): string | undefined {
    const pods = kubectlJson<{ items: any[] }>(env, "get", "pods", "-n", "backend", "-l", "app=mysql").items;
    const ready = pods.find((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"));
    return ready?.metadata.uid;
}

describe("databases keep their data in claims", function () {
    this.timeout(20 * 60 * 1000);
    let project: ProjectCopy;
    let stack: Stack;

    before(async () => {
        project = new ProjectCopy();
        // A class no provisioner serves: only the static volume below can satisfy the claim.
        kubectlApply(project.env,
            { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: STORAGE_CLASS }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "Immediate", reclaimPolicy: "Retain" },
            {
                apiVersion: "v1", kind: "PersistentVolume", metadata: { name: VOLUME },
                spec: {
                    capacity: { storage: "2Gi" }, accessModes: ["ReadWriteOnce"], storageClassName: STORAGE_CLASS,
                    persistentVolumeReclaimPolicy: "Retain", hostPath: { path: "/tmp/tcp-platform-it-static-mysql", type: "DirectoryOrCreate" },
                },
            },
        );
        stack = await project.stack("it-storage", "dev", (config) => {
            config["tcp-platform:apps"]["mysql-demo"].storage = { storageClass: STORAGE_CLASS, size: "1Gi" };
            config["tcp-platform:protectStateful"] = true;
        });
    });

    after(async () => {
        project.editStack("it-storage", (config) => { config["tcp-platform:protectStateful"] = false; });
        await stack.up(quiet).catch(() => undefined);
        await destroyAndClean(stack, project.env);
        kubectl(project.env, "delete", "persistentvolume", VOLUME, "--ignore-not-found");
        kubectl(project.env, "delete", "storageclass", STORAGE_CLASS, "--ignore-not-found");
        project.remove();
    });

    let first: ReturnType<typeof claim>;

    it("binds the claim to the static volume and runs mysql-demo on it", async () => {
        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        first = claim(project.env);
        assert.deepEqual({ phase: first.phase, volumeName: first.volumeName }, { phase: "Bound", volumeName: VOLUME });
        const statefulSet = kubectlJson(project.env, "get", "statefulset", "mysql-demo", "-n", "backend");
        assert.equal(statefulSet.status.readyReplicas, 1);
        const pod = kubectlJson<{ items: any[] }>(project.env, "get", "pods", "-n", "backend", "-l", "app=mysql").items[0];
        assert.deepEqual(pod.spec.volumes.find((v: any) => v.name === "data"), { name: "data", persistentVolumeClaim: { claimName: CLAIM } });
    });

    it("keeps the claim when the pod is deleted, and the new pod takes it", async () => {
        const before = readyPod(project.env);
        kubectl(project.env, "delete", "pod", "mysql-demo-0", "-n", "backend", "--wait=false");
        await eventually(120, () => { const now = readyPod(project.env); return now !== undefined && now !== before; }, "a new mysql-demo pod to be ready");
        assert.deepEqual(claim(project.env), first);
    });

    it("keeps the claim at zero replicas", async () => {
        project.editStack("it-storage", (config) => { config["tcp-platform:apps"]["mysql-demo"].replicas = 0; });
        await stack.up(quiet);
        await eventually(60, () => readyPod(project.env) === undefined, "mysql-demo to stop");
        assert.deepEqual(claim(project.env), first);
        project.editStack("it-storage", (config) => { config["tcp-platform:apps"]["mysql-demo"].replicas = 1; });
        await stack.up(quiet);
        assert.deepEqual(claim(project.env), first);
    });

    it("refuses to destroy while protectStateful is on, claim included", async () => {
        await assert.rejects(stack.destroy(quiet), /protected/);
        assert.ok(exists(project.env, "statefulset", "mysql-demo", "-n", "backend"));
        assert.deepEqual(claim(project.env), first);
    });

    it("without protectStateful, destroy removes the workloads and keeps the claim and its namespace", async () => {
        project.editStack("it-storage", (config) => { config["tcp-platform:protectStateful"] = false; });
        await stack.up(quiet);
        const destroy = await stack.destroy(quiet);
        assert.equal(destroy.summary.result, "succeeded");
        await eventually(120, () => !exists(project.env, "namespace", "traefik") && !exists(project.env, "statefulset", "mysql-demo", "-n", "backend"), "the workloads to be deleted");
        assert.ok(exists(project.env, "namespace", "backend"), "the namespace that holds the claim stays");
        assert.deepEqual(claim(project.env), first);
        assert.deepEqual(((await stack.exportStack()).deployment.resources ?? []).length, 0, "nothing left in the state");
    });

    it("takes the same claim again when the stack comes back", async () => {
        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        assert.deepEqual(claim(project.env), first);
        assert.equal(kubectlJson(project.env, "get", "statefulset", "mysql-demo", "-n", "backend").status.readyReplicas, 1);
    });

    it("refuses at preview to grow the claim where its class cannot, and grows it in one up where it can", async () => {
        project.editStack("it-storage", (config) => { config["tcp-platform:apps"]["mysql-demo"].storage.size = "2Gi"; });
        await assert.rejects(stack.preview(quiet), /tcp-platform:apps\.mysql-demo\.storage\.size: would grow claim data-mysql-demo-0 from 1Gi, but its StorageClass it-static does not allow volume expansion \(got "2Gi"\)/);
        assert.equal(kubectlJson(project.env, "get", "persistentvolumeclaim", CLAIM, "-n", "backend").spec.resources.requests.storage, "1Gi", "nothing changed");
        kubectl(project.env, "patch", "storageclass", STORAGE_CLASS, "-p", JSON.stringify({ allowVolumeExpansion: true }));
        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        // Claim templates cannot change: the StatefulSet was replaced, and its pod took the same claim.
        assert.equal(up.summary.resourceChanges?.replace, 1, JSON.stringify(up.summary.resourceChanges));
        const grown = kubectlJson(project.env, "get", "persistentvolumeclaim", CLAIM, "-n", "backend");
        assert.equal(grown.metadata.uid, first.uid);
        assert.equal(grown.spec.resources.requests.storage, "2Gi");
        await eventually(120, () => readyPod(project.env) !== undefined, "mysql-demo to be ready again");
        await stack.preview({ ...quiet, expectNoChanges: true });
    });
});
