/**
 * Adoption, as the seed's users run it (README: Migrating from the Kustomize + Argo CD setup): a
 * cluster is set up the way the seed left it, then the README's steps are followed to the letter
 * and `pulumi up --stack dev` takes every existing object over in place. Two starting points:
 * Traefik chart 26.0.0 rendered and applied as Argo CD does (`helm template`, its tracking label,
 * client-side apply) beside the seed's dev overlay applied with kubectl; and chart 41.3.0
 * installed as a Helm release.
 */
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import * as YAML from "yaml";
import { localChartDir } from "../../tools/charts";
import { chartsDir, destroyAndClean, eventually, kubectl, kubectlApply, kubectlJson, ProjectCopy, projectDir, removeChartCrds } from "../support/harness";

const seedDir = path.resolve(projectDir, "../shared/seed/kustomize");
const RELEASE = "traefik-ingress";
const NODE_PORTS = { mytcp: 30999, redis: 30379, mysql: 30306 };
const KINDS = "deployments,statefulsets,services,ingressroutetcps.traefik.io,ingressroutes.traefik.io,serviceaccounts,roles,rolebindings";

interface LiveObject { key: string; uid: string; generation?: number; resourceVersion: string }

/** The objects of the seed's namespaces (those Kubernetes makes in every namespace aside). */
function objects(env: Record<string, string>): Map<string, LiveObject> {
    const list = kubectlJson<{ items: any[] }>(env, "get", KINDS, "-A");
    return new Map(list.items
        .filter((o) => ["backend", "traefik"].includes(o.metadata.namespace) && !(o.kind === "ServiceAccount" && o.metadata.name === "default"))
        .map((o) => {
            const key = `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
            return [key, { key, uid: o.metadata.uid, generation: o.metadata.generation, resourceVersion: o.metadata.resourceVersion }];
        }));
}

/** The NodePorts of Traefik's Service, by port name. */
function traefikNodePorts(env: Record<string, string>): Record<string, number> {
    const service = kubectlJson(env, "get", "service", RELEASE, "-n", "traefik");
    return Object.fromEntries(service.spec.ports.map((p: { name: string; nodePort: number }) => [p.name, p.nodePort]));
}

/**
 * Samples Traefik's Service every half second while `during` runs: its UID and NodePorts, so that
 * a Service deleted and made again, or a NodePort that moved for a moment, shows.
 */
async function watchTraefikService<T>(env: Record<string, string>, names: string[], during: Promise<T>): Promise<{ result: T; seen: Set<string> }> {
    const seen = new Set<string>();
    let done = false;
    const run = promisify(execFile);
    const sampling = (async () => {
        for (let i = 0; i < 1200 && !done; i++) {
            const { stdout } = await run("kubectl", ["get", "service", RELEASE, "-n", "traefik", "-o", "json"], { env: { ...process.env, ...env } });
            const service = JSON.parse(stdout);
            const ports = (service.spec.ports as { name: string; nodePort: number }[]).filter((p) => names.includes(p.name)).map((p) => `${p.name}=${p.nodePort}`).sort();
            seen.add(`${service.metadata.uid} ${ports.join(" ")}`);
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
    })();
    try {
        return { result: await during, seen };
    } finally {
        done = true;
        await sampling;
    }
}

/** What `pulumi up` did to each resource, by Kubernetes kind and name (from its engine events). */
function operations(events: EngineEvent[]): string[] {
    return events.flatMap((e) => {
        const step = e.resOutputsEvent?.metadata;
        if (!step || !step.type.startsWith("kubernetes:") || step.type.startsWith("kubernetes:helm.sh/")) {
            return [];
        }
        const state = (step.new ?? step.old)?.outputs as { kind?: string; metadata?: { namespace?: string; name?: string } } | undefined;
        return [`${step.op} ${state?.kind} ${state?.metadata?.namespace ? `${state.metadata.namespace}/` : ""}${state?.metadata?.name}`];
    }).sort();
}

/**
 * The seed's Traefik as Argo CD puts it on a cluster: the Application's chart and values rendered
 * with `helm template` (CRDs included), its tracking label `app.kubernetes.io/instance: <app>` on
 * every object, the namespace created (CreateNamespace), CRDs first, then a client-side apply.
 */
function argoCdSync(env: Record<string, string>, helm: string, work: string): void {
    const application = YAML.parse(fs.readFileSync(path.join(seedDir, "argocd-bootstrap/ingress-controller/traefik-app.yaml"), "utf8"));
    const { name } = application.metadata;
    const { targetRevision, helm: { values } } = application.spec.source;
    const valuesFile = path.join(work, "argocd-values.yaml");
    fs.writeFileSync(valuesFile, values);
    const serverVersion = JSON.parse(kubectl(env, "version", "-o", "json")).serverVersion.gitVersion as string;
    const rendered = execFileSync(helm, ["template", name, localChartDir(chartsDir, targetRevision), "--namespace", "traefik",
        "--values", valuesFile, "--include-crds", "--kube-version", serverVersion], { encoding: "utf8" });
    const manifests = YAML.parseAllDocuments(rendered).map((d) => d.toJSON()).filter((m) => m && m.kind);
    for (const m of manifests) {
        m.metadata.labels = { ...m.metadata.labels, "app.kubernetes.io/instance": name };
    }
    kubectl(env, "create", "namespace", "traefik");
    kubectlApply(env, ...manifests.filter((m) => m.kind === "CustomResourceDefinition"));
    kubectl(env, "wait", "--for", "condition=established", "crd", "--all", "--timeout=60s");
    kubectlApply(env, ...manifests.filter((m) => m.kind !== "CustomResourceDefinition"));
}

/** The seed's development overlay, applied with kubectl into the namespace it names. */
function applyDevOverlay(env: Record<string, string>): void {
    kubectl(env, "create", "namespace", "backend");
    const rendered = kubectl(env, "kustomize", path.join(seedDir, "apps/backend/tcp-demo/overlays/development"));
    execFileSync("kubectl", ["apply", "-f", "-"], { input: rendered, env: { ...process.env, ...env } });
}

interface AdoptionReport { inPlace: string[]; created: string[]; operations: string[]; leftovers: string[] }

/**
 * The README's migration, to the letter, from step 3 on (step 1, stopping Argo CD, is what a
 * cluster without Argo CD already is; step 2's release name is in the stack file): adopt, preview
 * with --diff, up, then adopt removed and a second up. Returns what happened to each object.
 */
async function migrate(project: ProjectCopy, stack: Stack): Promise<AdoptionReport> {
    const env = project.env;
    const before = objects(env);
    const portsBefore = traefikNodePorts(env);
    await stack.setConfig("tcp-platform:adopt", { value: "true" });
    const preview = await stack.preview({ diff: true, onOutput: () => undefined });
    assert.deepEqual(Object.keys(preview.changeSummary).filter((op) => op !== "create" && op !== "same"), [], `nothing but creates: ${JSON.stringify(preview.changeSummary)}`);

    const events: EngineEvent[] = [];
    const output: string[] = [];
    const { result: up, seen } = await watchTraefikService(env, Object.keys(portsBefore), stack.up({ onEvent: (e) => events.push(e), onOutput: (l) => output.push(l) }));
    assert.equal(up.summary.result, "succeeded");
    // A quiet run: no provider taken from PATH; the warnings left are the provider's version (docs/toolchain.md)
    // and the one restart of Traefik that adoption is (docs/operations.md: its pods carry no record of their static configuration).
    // The API server's own ClusterIPNotAllocated is its IP allocator's repair loop catching up with a
    // Service the test applied moments before (seen under load), nothing the program said.
    const warnings = output.join("").split("\n").filter((l) => /warning:/.test(l) && !/MinimumReplicasUnavailable|ClusterIPNotAllocated|is expected to have version >=4\.24\.1, but has 4\.0\.0-/.test(l));
    assert.ok(warnings.length > 0, "the up warns that adopting restarts Traefik");
    for (const warning of warnings) {
        assert.match(warning, /warning: this change restarts Traefik \(its running pods carry no record of their static configuration .*\): established connections of \d+ apps \(.*tcp-demo.*\) will be closed 15 s after/);
    }

    const after = objects(env);
    // Every object that was there is still the same object (same UID): updated in place, never replaced.
    for (const [key, was] of before) {
        assert.equal(after.get(key)?.uid, was.uid, `${key} was replaced or deleted`);
    }
    assert.equal(seen.size, 1, `Traefik's Service changed identity or NodePorts during the up: ${[...seen].join(" | ")}`);
    assert.deepEqual(Object.fromEntries(Object.entries(traefikNodePorts(env)).filter(([name]) => name in portsBefore)), portsBefore, "every NodePort the Service had keeps its number");
    assert.deepEqual(Object.fromEntries(Object.keys(NODE_PORTS).map((name) => [name, traefikNodePorts(env)[name]])), NODE_PORTS);
    for (const op of operations(events)) {
        assert.match(op, /^create /, `the first up only creates state entries (upserts): ${op}`);
    }

    // Step 3's end: adoption done, adopt removed; the next up changes nothing.
    await stack.removeConfig("tcp-platform:adopt");
    const again = await stack.up({ onOutput: () => undefined });
    assert.deepEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"], JSON.stringify(again.summary.resourceChanges));
    assert.deepEqual(traefikNodePorts(env), { ...traefikNodePorts(env), ...NODE_PORTS });

    const leftovers = kubectl(env, "get", "clusterroles,clusterrolebindings,ingressclasses,ingressroutes.traefik.io", "-A", "-l", `app.kubernetes.io/instance=${RELEASE}`, "-o", "name")
        .split("\n").filter((l) => l !== "");
    return {
        inPlace: [...before.values()].map((o) => `${o.key}${after.get(o.key)!.resourceVersion === o.resourceVersion ? " (unchanged)" : ""}`).sort(),
        created: [...after.keys()].filter((key) => !before.has(key)).sort(),
        operations: operations(events),
        leftovers,
    };
}

function print(title: string, report: AdoptionReport): void {
    console.log(`      ${title}\n        updated in place (same UID): ${report.inPlace.join(", ")}\n        created: ${report.created.join(", ")}\n        left by the seed, not the stack's: ${report.leftovers.join(", ") || "(none)"}`);
}

describe("adopting a cluster set up by the seed (README: Migrating from the Kustomize + Argo CD setup)", function () {
    this.timeout(20 * 60 * 1000);
    let project: ProjectCopy;
    let helm: string;

    before(() => {
        project = new ProjectCopy();
        helm = execFileSync("bash", [path.join(projectDir, "scripts", "toolchain.sh"), "helm"], { encoding: "utf8" }).trim();
    });
    after(() => project.remove());

    it("adopts Traefik 26 as Argo CD applied it and the dev overlay's objects, in place, NodePorts kept", async () => {
        const env = project.env;
        const stack = await project.stack("dev", "dev");
        try {
            argoCdSync(env, helm, project.dir);
            applyDevOverlay(env);
            assert.deepEqual(traefikNodePorts(env).mytcp, 30999);
            const report = await migrate(project, stack);
            print("chart 26.0.0 applied by Argo CD:", report);
            assert.deepEqual(report.inPlace.map((o) => o.replace(/ \(unchanged\)$/, "")).filter((o) => /^(Deployment|Service|IngressRouteTCP) /.test(o)), [
                "Deployment backend/tcp-echo-demo", "Deployment traefik/traefik-ingress", "IngressRouteTCP backend/tcp-echo-route",
                "Service backend/tcp-echo-service", "Service traefik/traefik-ingress",
            ]);
            assert.ok(report.created.includes("StatefulSet backend/mysql-demo") && report.created.includes("IngressRouteTCP backend/db-route"), report.created.join(", "));
            // The seed's cluster-wide RBAC, IngressClass and dashboard route are not the stack's: the README's last step removes them.
            assert.deepEqual(report.leftovers.sort(), [
                "clusterrole.rbac.authorization.k8s.io/traefik-ingress-traefik", "clusterrolebinding.rbac.authorization.k8s.io/traefik-ingress-traefik",
                "ingressclass.networking.k8s.io/traefik-ingress", "ingressroute.traefik.io/traefik-ingress-dashboard",
            ]);
            kubectl(env, "delete", "clusterroles,clusterrolebindings,ingressclasses", "-l", `app.kubernetes.io/instance=${RELEASE}`);
            kubectl(env, "delete", "ingressroutes.traefik.io", "-A", "-l", `app.kubernetes.io/instance=${RELEASE}`);
            const up = await stack.preview({ expectNoChanges: true, onOutput: () => undefined });
            assert.deepEqual(Object.keys(up.changeSummary), ["same"]);
        } finally {
            await destroyAndClean(stack, env);
            // The seed's cluster-wide leftovers too, when an assertion stopped the test before its last step: the next test installs a release of the same name.
            kubectl(env, "delete", "clusterroles,clusterrolebindings,ingressclasses", "-l", `app.kubernetes.io/instance=${RELEASE}`, "--ignore-not-found");
            removeChartCrds(env);
        }
    });

    it("adopts Traefik 41 installed as a Helm release, with installer release, in place, NodePorts kept", async () => {
        const env = project.env;
        // chart 41's values for the seed's ports (its schema takes expose as {default: true}).
        const values = path.join(project.dir, "helm-values.yaml");
        fs.writeFileSync(values, YAML.stringify({
            service: { type: "NodePort" },
            ports: {
                mytcp: { port: 9999, expose: { default: true }, exposedPort: 9999, protocol: "TCP", nodePort: 30999 },
                redis: { port: 6379, expose: { default: true }, exposedPort: 6379, protocol: "TCP", nodePort: 30379 },
            },
        }));
        const stack = await project.stack("dev", "dev", (config) => {
            config["tcp-platform:traefik"].chart = { path: localChartDir(chartsDir, "41.3.0") };
            config["tcp-platform:traefik"].installer = "release";
        });
        try {
            execFileSync(helm, ["install", RELEASE, localChartDir(chartsDir, "41.3.0"), "--namespace", "traefik", "--create-namespace", "--values", values],
                { env: { ...process.env, ...env }, stdio: "pipe" });
            applyDevOverlay(env);
            // README step 1 for a Helm release: forget the release's history, keep its objects.
            kubectl(env, "delete", "secret", "-n", "traefik", "-l", `owner=helm,name=${RELEASE}`);
            const report = await migrate(project, stack);
            print("chart 41.3.0 installed as a Helm release:", report);
            assert.deepEqual(report.inPlace.map((o) => o.replace(/ \(unchanged\)$/, "")).filter((o) => /^(Deployment|Service|IngressRouteTCP) /.test(o)), [
                "Deployment backend/tcp-echo-demo", "Deployment traefik/traefik-ingress", "IngressRouteTCP backend/tcp-echo-route",
                "Service backend/tcp-echo-service", "Service traefik/traefik-ingress",
            ]);
            // Helm keeps the release's history again, now under the stack's Release.
            assert.match(kubectl(env, "get", "secret", "-n", "traefik", "-l", `owner=helm,name=${RELEASE}`, "-o", "name"), /sh\.helm\.release\.v1\.traefik-ingress\.v1/);
        } finally {
            await destroyAndClean(stack, env);
            removeChartCrds(env);
            await eventually(60, () => kubectl(env, "get", "crd", "-o", "name").split("\n").every((n) => !/traefik/.test(n)), "Traefik's CRDs to be gone");
        }
    });
});
