/**
 * Stacks never step on each other (one local cluster, several stacks): a copy of dev's config
 * that would take over prod's objects is refused at preview and at up with prod untouched; a
 * stack with its own namespaces and NodePorts lives beside prod and is destroyed without touching
 * it; objects nobody owns are taken over only when the stack adopts them.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { destroyAndClean, eventually, exists, installCertManagerCrds, kubectl, kubectlApply, kubectlJson, ProjectCopy, removeChartCrds } from "../support/harness";

const quiet = { onOutput: () => undefined };

/** Every object of the namespaces, by kind/name, with its resourceVersion: any write changes it. */
function snapshot(env: Record<string, string>, namespaces: string[]): Record<string, string> {
    const kinds = "deployments,statefulsets,services,secrets,configmaps,networkpolicies,persistentvolumeclaims,serviceaccounts,roles,rolebindings,ingressroutetcps.traefik.io,ingressroutes.traefik.io";
    const entries: [string, string][] = [];
    for (const namespace of namespaces) {
        const list = kubectlJson<{ items: any[] }>(env, "get", kinds, "-n", namespace);
        for (const item of list.items) {
            entries.push([`${item.kind}/${namespace}/${item.metadata.name}`, item.metadata.resourceVersion]);
        }
        entries.push([`Namespace/${namespace}`, kubectlJson(env, "get", "namespace", namespace).metadata.resourceVersion]);
    }
    return Object.fromEntries(entries.sort());
}

async function stateCount(stack: Stack): Promise<number> {
    return ((await stack.exportStack()).deployment.resources ?? []).filter((r: { type: string }) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")).length;
}

describe("stacks never step on each other", function () {
    this.timeout(30 * 60 * 1000);
    let project: ProjectCopy;
    let prod: Stack;
    let prodBefore: Record<string, string>;

    before(async () => {
        project = new ProjectCopy();
        installCertManagerCrds(project.env);
        // prod installs Traefik's CRDs (asserted below): whatever an earlier file left is not this test's.
        removeChartCrds(project.env);
        prod = await project.stack("prod", "prod", (config) => {
            // Destroyed at the end of the test; protection is tested elsewhere.
            config["tcp-platform:protectStateful"] = false;
        });
        const up = await prod.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        prodBefore = snapshot(project.env, ["backend", "traefik"]);
    });

    after(async () => {
        await destroyAndClean(prod, project.env);
        project.remove();
    });

    it("refuses a copy of dev's stack at preview and at up, naming what it would take over, with prod untouched", async () => {
        const dev2 = await project.stack("dev2", "dev");
        const refusal = (err: Error) => {
            assert.match(err.message, /tcp-platform:traefik\.namespace: already exists and belongs to stack prod of project tcp-platform: this stack would take it over \(got "Namespace traefik"\)\. Fix: give this stack names of its own \(tcp-platform:namespaceSuffix, e\.g\. "-dev2"/);
            assert.match(err.message, /tcp-platform:namespaceSuffix: already exists and belongs to stack prod of project tcp-platform: this stack would take it over \(got "Namespace backend"\)/);
            assert.match(err.message, /tcp-platform:apps\.redis-demo\.entryPoint\.nodePort: is already taken on this cluster by Service traefik\/traefik-ingress \(stack prod of project tcp-platform\) \(got 30379\)/);
            assert.match(err.message, /tcp-platform:apps\.mysql-demo\.entryPoint\.nodePort: is already taken on this cluster by Service traefik\/traefik-ingress \(stack prod of project tcp-platform\) \(got 30306\)/);
            return true;
        };
        await assert.rejects(dev2.preview(quiet), refusal);
        await assert.rejects(dev2.up(quiet), refusal);
        assert.equal(await stateCount(dev2), 0, "dev2 created nothing");
        // Its destroy has nothing to delete, and deletes nothing of prod's.
        await dev2.destroy(quiet);
        assert.deepEqual(snapshot(project.env, ["backend", "traefik"]), prodBefore, "prod's objects are as they were");
    });

    it("lets a stack with its own namespaces and NodePorts live beside prod, and destroys only its own", async () => {
        /** Staging's NodePorts by entryPoint name (the Service's port names). */
        const ownNodePorts: Record<string, number> = {};
        const staging = await project.stack("staging", "dev", (config) => {
            config["tcp-platform:namespaceSuffix"] = "-staging";
            const apps = config["tcp-platform:apps"];
            for (const [app, nodePort] of [["tcp-demo", 32099], ["redis-demo", 32079], ["mysql-demo", 32006]] as const) {
                apps[app].entryPoint.nodePort = nodePort;
                ownNodePorts[apps[app].entryPoint.name] = nodePort;
            }
        });
        try {
            const up = await staging.up(quiet);
            assert.equal(up.summary.result, "succeeded");
            const service = kubectlJson(project.env, "get", "service", "traefik-ingress", "-n", "traefik-staging");
            // By name: web and websecure take NodePorts the API server picks, anywhere in its range.
            const ports: { name: string; nodePort: number }[] = service.spec.ports;
            assert.deepEqual(Object.fromEntries(ports.filter((p) => p.name in ownNodePorts).map((p) => [p.name, p.nodePort])), ownNodePorts);
            // Each Traefik reads routes from its own stack's namespaces only, through Roles there.
            const args: string[] = kubectlJson(project.env, "get", "deployment", "traefik-ingress", "-n", "traefik-staging").spec.template.spec.containers[0].args;
            // Its own namespace too: the readiness route to ping@internal lives beside Traefik.
            const watched = args.find((a) => a.startsWith("--providers.kubernetescrd.namespaces="))?.split("=")[1].split(",").sort();
            assert.deepEqual(watched, ["backend-staging", "traefik-staging"], args.join(" "));
            assert.ok(!exists(project.env, "clusterrole", "traefik-ingress-traefik-staging"), "no ClusterRole: it would read every Secret of the cluster");
            assert.ok(exists(project.env, "role", "traefik-ingress", "-n", "backend-staging"));
            assert.ok(exists(project.env, "role", "traefik-ingress", "-n", "traefik-staging"));
            // prod installed the CRDs: staging uses them and leaves them to prod.
            assert.equal(kubectlJson(project.env, "get", "crd", "ingressroutetcps.traefik.io").metadata.labels["tcp-platform/stack"], "prod");
        } finally {
            // Cleaned even when an assertion fails: a staging left behind would be counted by every later test.
            await destroyAndClean(staging, project.env, ["backend-staging", "traefik-staging"]);
        }
        assert.deepEqual(snapshot(project.env, ["backend", "traefik"]), prodBefore, "prod's objects are as they were");
        assert.ok(exists(project.env, "crd", "ingressroutetcps.traefik.io"));
    });

    it("keeps the CRDs when the stack that installed them is destroyed, so other stacks' routes stay", async () => {
        const other = await project.stack("other", "dev", (config) => {
            config["tcp-platform:namespaceSuffix"] = "-other";
            config["tcp-platform:apps"] = { "tcp-demo": { entryPoint: { name: "mytcp", port: 9999, nodePort: 32199 } } };
        });
        await other.up(quiet);
        await prod.destroy(quiet);
        await eventually(120, () => !exists(project.env, "namespace", "traefik"), "prod's traefik namespace to be deleted");
        assert.ok(exists(project.env, "crd", "ingressroutetcps.traefik.io"), "the CRD outlives the stack that installed it");
        assert.ok(exists(project.env, "ingressroutetcps.traefik.io", "tcp-echo-route", "-n", "backend-other"), "the other stack's route is still there");
        await destroyAndClean(other, project.env, ["backend-other", "traefik-other"]);
        kubectl(project.env, "delete", "namespace", "backend", "--ignore-not-found");
        await eventually(120, () => !exists(project.env, "namespace", "backend"), "prod's kept namespace to be deleted");
        // Bring prod back for the next test and for `after`.
        await prod.up(quiet);
    });

    it("takes over objects nobody owns only when the stack adopts them", async () => {
        // What kubectl or Argo CD left: a namespace and a Deployment with the names dev plans.
        kubectlApply(project.env,
            { apiVersion: "v1", kind: "Namespace", metadata: { name: "backend-seed" } },
            {
                apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "tcp-echo-demo", namespace: "backend-seed", labels: { app: "tcp-echo" } },
                spec: { replicas: 1, selector: { matchLabels: { app: "tcp-echo" } }, template: { metadata: { labels: { app: "tcp-echo" } }, spec: { containers: [{ name: "proxy", image: "iceymoss/tcp-echo:1.0" }] } } },
            });
        const uid = kubectlJson(project.env, "get", "deployment", "tcp-echo-demo", "-n", "backend-seed").metadata.uid as string;
        const seed = await project.stack("seed", "dev", (config) => {
            config["tcp-platform:namespaceSuffix"] = "-seed";
            config["tcp-platform:apps"] = { "tcp-demo": { entryPoint: { name: "mytcp", port: 9999, nodePort: 32299 } } };
        });
        await assert.rejects(seed.preview(quiet), (err: Error) => {
            assert.match(err.message, /tcp-platform:namespaceSuffix: already exists and belongs to no stack \(no tcp-platform\/stack label: made by kubectl, Helm or Argo CD\?\) \(got "Namespace backend-seed"\)\. Fix: to take it over \(migrating from kubectl or Argo CD\), set tcp-platform:adopt: true for that up/);
            return true;
        });
        project.editStack("seed", (config) => { config["tcp-platform:adopt"] = true; });
        const up = await seed.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        const adopted = kubectlJson(project.env, "get", "deployment", "tcp-echo-demo", "-n", "backend-seed");
        assert.equal(adopted.metadata.uid, uid, "updated in place, not replaced");
        assert.equal(adopted.metadata.labels["tcp-platform/stack"], "seed");
        // Once adopted, the objects are the stack's own: without adopt the next run passes.
        project.editStack("seed", (config) => { delete config["tcp-platform:adopt"]; });
        await seed.preview({ ...quiet, expectNoChanges: true });
        await destroyAndClean(seed, project.env, ["backend-seed", "traefik-seed"]);
    });
});
