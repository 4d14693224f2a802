/**
 * Stacks never step on each other: what already exists under the planned names is checked
 * against the stack's ownership before anything is registered. The cluster here is an in-memory
 * reader; the real one is exercised in tests/integration/isolation.test.ts.
 */
import { strict as assert } from "assert";
import { evaluate } from "../../tools/evaluate";
import { ClusterReader, LiveMeta, LiveRead, LiveService } from "../../lib/live/cluster";
import { checkCluster, liveProblems } from "../../lib/live/checks";
import { chartFullname } from "../../lib/traefik/profile";
import { objectKey } from "../../lib/live/cluster";
import { registeredObjects } from "../../lib/plan/plan";
import { crdDecision } from "../../lib/live/crds";
import { foreignContents, LiveFacts, OPERATOR_KINDS, readLiveFacts } from "../../lib/live/facts";
import { manifestsOf, traefikValuesOf } from "../../tools/manifests";
import { keptNamespaces } from "../../platform";
import { ownerLabels, StackIdentity } from "../../lib/ownership";
import { ObjectRef, PlatformPlan } from "../../lib/model";
import { validate } from "../../lib/rules/validate";
import { devWith, liveRefusal, problemsOf, stackRaw } from "../support/helpers";

const prod: StackIdentity = { project: "tcp-platform", stack: "prod" };

const meta = (name: string, labels: Record<string, string> = {}, namespace?: string): LiveMeta => ({ name, namespace, labels, ownerReferences: [] });

/** An operator's CRD as a cluster with the operator serves it (cert-manager's, which the local plane applies too). */
const servedCrd = (name: string, served = ["v1"]): LiveMeta => ({ ...meta(name), crd: { served, annotations: {} } });
const operatorCrds = new Set(OPERATOR_KINDS.map((k) => k.crd));

/**
 * A cluster holding `objects` (by objectKey), `services`, and what each namespace holds; `crd` is
 * Traefik's (and Gateway API's), the operators' CRDs are served.
 */
function cluster(objects: Record<string, LiveMeta>, services: LiveService[] = [], crd: LiveRead = "absent", contents: Record<string, (LiveMeta & { kind: string })[]> = {}): ClusterReader {
    return {
        describe: "in-memory",
        read: (ref: ObjectRef) => Promise.resolve(ref.kind !== "CustomResourceDefinition" ? objects[objectKey(ref)] ?? "absent" : operatorCrds.has(ref.name) ? servedCrd(ref.name) : crd),
        services: () => Promise.resolve(services),
        claims: () => Promise.resolve(Object.values(objects).filter((o) => o.claim !== undefined)),
        namespaceContents: (namespace) => Promise.resolve(contents[namespace] ?? []),
    };
}

/** A Traefik Service as the chart makes it: release `traefik` in `namespace`. */
const traefikService = (labels: Record<string, string>, nodePorts: number[], namespace = "traefik", annotations: Record<string, string> = {}, release = "traefik-ingress"): LiveService => ({
    namespace, name: release, labels: { ...labels, "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": `${release}-${namespace}` }, annotations, nodePorts,
});


function devPlan(stack = "dev"): PlatformPlan {
    const raw = stackRaw("dev");
    raw.identity = { project: "tcp-platform", stack };
    return validate(raw);
}

const refusal = liveRefusal;

describe("ownership", () => {
    it("labels every object with its project and stack, the chart's objects included", async () => {
        const { resources } = await evaluate(stackRaw("dev"), "dev");
        for (const m of manifestsOf(resources)) {
            assert.deepEqual([m.metadata.labels?.["tcp-platform/project"], m.metadata.labels?.["tcp-platform/stack"]], ["tcp-platform", "dev"], `${m.kind}/${m.metadata.name}`);
        }
        const values = traefikValuesOf(resources) as any;
        assert.deepEqual(values.commonLabels, { environment: "development", project: "ic2", "tcp-platform/project": "tcp-platform", "tcp-platform/stack": "dev" });
    });

    it("lists every object it creates, each with the config key that brings it", () => {
        const plan = devPlan();
        const { resources } = { resources: plan.objects };
        assert.ok(resources.some((r) => r.kind === "Namespace" && r.name === "traefik" && r.path === "tcp-platform:traefik.namespace"));
        assert.ok(resources.some((r) => r.kind === "StatefulSet" && r.name === "mysql-demo" && r.path === "tcp-platform:apps.mysql-demo"));
        assert.ok(resources.some((r) => r.kind === "IngressRoute" && r.name === "hello-api-route"));
    });

    it("matches the objects the program registers, one for one", async () => {
        const { resources, platform } = await evaluate(stackRaw("dev"), "dev");
        const registered = manifestsOf(resources).map((m) => objectKey({ kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name })).sort();
        assert.deepEqual(registeredObjects(platform.plan.objects).map(objectKey).sort(), registered);
    });

    it("refuses the reserved ownership label keys and a stack name that is no label value", () => {
        assert.match(problemsOf(devWith((v) => { v.labels["tcp-platform/stack"] = "prod"; }))[0],
            /^tcp-platform:labels\.tcp-platform\/stack: is a label key the program keeps for ownership/);
        const raw = stackRaw("dev");
        raw.identity = { project: "tcp-platform", stack: "a".repeat(64) };
        assert.match(problemsOf(raw)[0], /^the stack name: is not a Kubernetes label value, and every object carries it in tcp-platform\/stack/);
    });
});

describe("stacks side by side", () => {
    it("suffixes every namespace, and Traefik serves only its own", async () => {
        const raw = devWith((v) => { v.namespaceSuffix = "-staging"; });
        const { resources, platform } = await evaluate(raw, "staging");
        const manifests = manifestsOf(resources);
        assert.deepEqual(manifests.filter((m) => m.kind === "Namespace").map((m) => m.metadata.name).sort(), ["backend-staging", "traefik-staging"]);
        assert.ok(manifests.filter((m) => m.kind !== "Namespace").every((m) => m.metadata.namespace === "backend-staging" || m.metadata.namespace === "traefik-staging"));
        assert.deepEqual(manifests.filter((m) => m.metadata.namespace === "traefik-staging").map((m) => m.kind).sort(), ["ConfigMap", "NetworkPolicy", "PodMonitor", "PrometheusRule"]);
        const policy = manifests.find((m) => m.metadata.name === "redis-allow-ingress") as any;
        assert.deepEqual(policy.spec.ingress[0].from[0].namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "traefik-staging" } });
        assert.equal(platform.plan.traefik.namespace, "traefik-staging");
        const values = traefikValuesOf(resources) as any;
        // Traefik's own namespace holds its readiness gate's route.
        assert.deepEqual(values.providers, { kubernetesCRD: { namespaces: ["traefik-staging", "backend-staging"] }, kubernetesIngress: { enabled: false } });
        assert.deepEqual(values.rbac, { namespaced: true });
        assert.deepEqual(values.ingressClass, { enabled: false });
    });

    it("lets an explicit traefik.namespace win over the suffix, and refuses a suffix that makes names too long", () => {
        const plan = validate(devWith((v) => { v.namespaceSuffix = "-qa"; v.traefik.namespace = "ingress"; }));
        assert.equal(plan.traefik.namespace, "ingress");
        assert.match(problemsOf(devWith((v) => { v.namespaceSuffix = `-${"x".repeat(60)}`; }))[0],
            /^tcp-platform:namespaceSuffix: makes the Namespace name "traefik-x+", which is 68 characters long, more than the 63 a namespace's name may have/);
        assert.match(problemsOf(devWith((v) => { v.namespaceSuffix = "staging"; }))[0], /^tcp-platform:namespaceSuffix: is not a namespace suffix/);
    });
});

describe("live checks before any change", () => {
    it("passes on an empty cluster, and on one that holds only the stack's own objects", async () => {
        const plan = devPlan();
        assert.deepEqual(await refusal(plan, cluster({})), []);
        const own = Object.fromEntries(plan.objects.map((ref) => [objectKey(ref), meta(ref.name, ownerLabels(plan.identity), ref.namespace)]));
        assert.deepEqual(await refusal(plan, cluster(own, [traefikService(ownerLabels(plan.identity), [30999, 30379, 30306])])), []);
    });

    it("refuses to take over another stack's namespace, naming it, its owner and the fix", async () => {
        const plan = devPlan("dev2");
        const prodObjects = Object.fromEntries(plan.objects.map((ref) => [objectKey(ref), meta(ref.name, ownerLabels(prod), ref.namespace)]));
        assert.deepEqual(await refusal(plan, cluster(prodObjects)), [
            'tcp-platform:traefik.namespace: already exists and belongs to stack prod of project tcp-platform: this stack would take it over (got "Namespace traefik"). ' +
            'Fix: give this stack names of its own (tcp-platform:namespaceSuffix, e.g. "-dev2", and NodePorts of its own), or point it at the cluster it is meant for (kubernetes:context)',
            'tcp-platform:namespaceSuffix: already exists and belongs to stack prod of project tcp-platform: this stack would take it over (got "Namespace backend"). ' +
            'Fix: give this stack names of its own (tcp-platform:namespaceSuffix, e.g. "-dev2", and NodePorts of its own), or point it at the cluster it is meant for (kubernetes:context)',
        ]);
    });

    it("refuses a NodePort another stack's Service holds", async () => {
        const problems = await refusal(devPlan(), cluster({}, [traefikService(ownerLabels(prod), [30379])]));
        assert.deepEqual(problems, [
            "tcp-platform:apps.redis-demo.entryPoint.nodePort: is already taken on this cluster by Service traefik/traefik-ingress (stack prod of project tcp-platform) (got 30379). " +
            "Fix: choose a NodePort that is free on this cluster (kubectl get services -A shows the ones in use)",
        ]);
    });

    it("refuses to move the running Traefik to another namespace, release name or installer, with the procedure", async () => {
        const plan = devPlan();
        const running = (namespace: string, annotations: Record<string, string> = {}) => cluster({}, [traefikService(ownerLabels(plan.identity), [30999, 30379, 30306], namespace, annotations)]);
        assert.deepEqual(await refusal(plan, running("traefik")), [], "where it runs: nothing moves");
        const urn = "urn:pulumi:dev::tcp-platform::tcp-platform:traefik:TraefikIngress::traefik";
        assert.deepEqual(await refusal(plan, running("ingress")), [
            'tcp-platform:traefik.namespace: would move the running Traefik (namespace ingress) to another namespace: a new install cannot take its NodePorts (30999, 30379, 30306) before the old one is gone (got "traefik"). ' +
            `Fix: keep namespace ingress; or move with an announced outage of those NodePorts: pulumi destroy --stack dev --target '${urn}' --target-dependents, then pulumi up --stack dev`,
        ]);
        const byHelm = await refusal(plan, running("traefik", { "meta.helm.sh/release-name": "traefik-ingress" }));
        assert.equal(byHelm.length, 1);
        assert.match(byHelm[0], /^tcp-platform:traefik\.installer: would move the running Traefik \(installer release\) to another installer: .* and Helm does not take over objects it did not create \(got "chart"\)/);
        const renamed = validate(devWith((v) => { v.traefik.releaseName = "traefik"; }));
        assert.match((await refusal(renamed, running("traefik")))[0], /^tcp-platform:traefik\.releaseName: would move the running Traefik \(releaseName traefik-ingress\) to another release name/);
        // Another stack's Traefik is not this stack's to move (the NodePort rule speaks for it).
        const others = await refusal(plan, cluster({}, [traefikService(ownerLabels(prod), [31999], "ingress")]));
        assert.deepEqual(others, []);
    });

    it("refuses objects that belong to no stack unless the stack adopts them", async () => {
        const plan = devPlan();
        const seed = { [objectKey({ kind: "Deployment", namespace: "backend", name: "tcp-echo-demo" })]: meta("tcp-echo-demo", { app: "tcp-echo" }, "backend") };
        assert.deepEqual(await refusal(plan, cluster(seed)), [
            'tcp-platform:apps.tcp-demo: already exists and belongs to no stack (no tcp-platform/stack label: made by kubectl, Helm or Argo CD?) (got "Deployment backend/tcp-echo-demo"). ' +
            "Fix: to take it over (migrating from kubectl or Argo CD), set tcp-platform:adopt: true for that up; otherwise delete it or give this stack other names (tcp-platform:namespaceSuffix)",
        ]);
        assert.deepEqual(await refusal(plan, cluster(seed), true), []);
        // Adoption never takes another stack's objects.
        const prods = { [objectKey({ kind: "Deployment", namespace: "backend", name: "tcp-echo-demo" })]: meta("tcp-echo-demo", ownerLabels(prod), "backend") };
        assert.equal((await refusal(plan, cluster(prods), true)).length, 1);
    });

    it("adopts the Traefik Service of its release with its NodePorts, and no other Service's", async () => {
        const plan = devPlan();
        // As Argo CD left it: the chart's objects, unlabelled by any stack.
        const seed = traefikService({}, [30999, 30379]);
        assert.deepEqual((await refusal(plan, cluster({}, [seed]))).map((p) => p.split(":")[1]), ["apps.tcp-demo.entryPoint.nodePort", "apps.redis-demo.entryPoint.nodePort"]);
        assert.deepEqual(await refusal(plan, cluster({}, [seed]), true), []);
        const other = { ...seed, name: "edge" };
        assert.match((await refusal(plan, cluster({}, [other]), true))[0], /^tcp-platform:apps\.tcp-demo\.entryPoint\.nodePort: is already taken on this cluster by Service traefik\/edge /);
        assert.deepEqual(["traefik-ingress", "traefik", "edge"].map(chartFullname), ["traefik-ingress", "traefik", "edge-traefik"]);
    });

    it("installs the CRDs when none are there or they are its own, and leaves others' alone", async () => {
        const plan = devPlan();
        const facts = (crds: LiveRead): LiveFacts => ({ objects: new Map(), services: [], crds, foreign: new Map(), storageClasses: new Map(), ownClaims: [], traefikDeployment: "absent", operatorKindCrds: new Map(), traefikKindCrds: new Map() });
        assert.equal(crdDecision(plan, facts("absent"), false), "own");
        assert.equal(crdDecision(plan, facts(meta("ingressroutetcps.traefik.io", ownerLabels(plan.identity))), false), "own");
        assert.equal(crdDecision(plan, facts(meta("ingressroutetcps.traefik.io", ownerLabels(prod))), false), "skip");
        assert.equal(crdDecision(plan, facts(meta("ingressroutetcps.traefik.io", {})), false), "skip");
        assert.equal(crdDecision(plan, facts(meta("ingressroutetcps.traefik.io", {})), true), "own");
        assert.equal(crdDecision(plan, facts("forbidden"), true), "skip");
        const facts2 = await readLiveFacts(plan, cluster({}, [], meta("ingressroutetcps.traefik.io", ownerLabels(prod))));
        assert.equal(crdDecision(plan, facts2, false), "skip");
    });

    it("does not refuse what it may not read (a preview identity without access to Secrets)", () => {
        const plan = devPlan();
        const objects = new Map(plan.objects.map((ref) => [objectKey(ref), ref.kind === "Secret" ? "forbidden" as const : "absent" as const]));
        assert.deepEqual(liveProblems(plan, { objects, services: [], crds: "absent", foreign: new Map(), storageClasses: new Map(), ownClaims: [], traefikDeployment: "absent", operatorKindCrds: new Map(), traefikKindCrds: new Map() }, false), []);
    });

    it("keeps on destroy a namespace that holds claims, or objects the stack does not own", async () => {
        const plan = devPlan();
        const own = ownerLabels(plan.identity);
        const namespaces = { [objectKey({ kind: "Namespace", name: "traefik" })]: meta("traefik", own), [objectKey({ kind: "Namespace", name: "backend" })]: meta("backend", own) };
        const live = await checkCluster(plan, false, cluster(namespaces, [], "absent", { traefik: [{ ...meta("notes"), kind: "ConfigMap" }] }));
        assert.deepEqual([...live.keepNamespaces!], [["traefik", ["configmap/notes (no stack (no tcp-platform/stack label: made by kubectl, Helm or Argo CD?))"]]]);
        // backend holds mysql-demo's claim by plan, whatever the cluster says.
        assert.deepEqual([...keptNamespaces(plan, live).keys()].sort(), ["backend", "traefik"]);
        const withoutDatabases = validate(devWith((v) => { delete v.apps["mysql-demo"]; delete v.apps.db; }));
        assert.deepEqual([...keptNamespaces(withoutDatabases, {}).keys()], []);
    });

    it("refuses a claim that would shrink, change class, or grow where its class cannot", async () => {
        const own = ownerLabels({ project: "tcp-platform", stack: "dev" });
        const claim = (size: string, storageClass = "standard") => ({
            [objectKey({ kind: "PersistentVolumeClaim", namespace: "backend", name: "data-mysql-demo-0" })]: { ...meta("data-mysql-demo-0", own, "backend"), claim: { size, storageClass } },
        });
        const growTo = (size: string, storageClass?: string) => validate(devWith((v) => { v.apps["mysql-demo"].storage = { size, ...(storageClass ? { storageClass } : {}) }; }));
        const reader = (objects: Record<string, LiveMeta>, expandable: boolean): ClusterReader => {
            const base = cluster(objects);
            return { ...base, read: (ref) => ref.kind === "StorageClass" ? Promise.resolve({ ...meta(ref.name), allowVolumeExpansion: expandable }) : base.read(ref) };
        };
        assert.deepEqual(await refusal(growTo("1Gi"), reader(claim("1Gi"), false)), [], "same size: nothing to do");
        assert.deepEqual(await refusal(growTo("2Gi"), reader(claim("1Gi"), true)), [], "the class can grow it");
        assert.deepEqual(await refusal(growTo("2Gi"), reader(claim("1Gi"), false)), [
            'tcp-platform:apps.mysql-demo.storage.size: would grow claim data-mysql-demo-0 from 1Gi, but its StorageClass standard does not allow volume expansion (got "2Gi"). ' +
            "Fix: keep 1Gi; or, where the class's provisioner can grow volumes, set allowVolumeExpansion: true on StorageClass standard first (kubectl patch storageclass standard -p '{\"allowVolumeExpansion\": true}')",
        ]);
        assert.deepEqual(await refusal(growTo("512Mi"), reader(claim("1Gi"), true)), [
            'tcp-platform:apps.mysql-demo.storage.size: is smaller than claim data-mysql-demo-0 (1Gi), and Kubernetes cannot shrink a claim (got "512Mi"). Fix: keep 1Gi or more',
        ]);
        assert.match((await refusal(growTo("1Gi", "fast"), reader(claim("1Gi"), true)))[0],
            /^tcp-platform:apps\.mysql-demo\.storage\.storageClass: differs from the class of claim data-mysql-demo-0 \(standard\), and a claim keeps its class/);
    });

    it("refuses at preview a kind the cluster does not serve (cert-manager's Certificate), naming what installs it and the key that does without it", async () => {
        const without = (served: LiveRead): ClusterReader => {
            const base = cluster({});
            return { ...base, read: (ref) => ref.name === "certificates.cert-manager.io" ? Promise.resolve(served) : base.read(ref) };
        };
        const refused = await refusal(devPlan(), without("absent"));
        // dev requests two certificates from an issuer (db and cache): both are named, nothing else is refused.
        assert.deepEqual(refused.map((r) => r.split(":").slice(0, 2).join(":")), ["tcp-platform:apps.db.tls.certificate.issuer", "tcp-platform:apps.cache.tls.certificate.issuer"]);
        assert.equal(refused[0], 'tcp-platform:apps.db.tls.certificate.issuer: is a Certificate (cert-manager.io/v1), and this cluster does not have its CRD (certificates.cert-manager.io): ' +
            'pulumi up would create the rest of the stack and fail on it (got "Certificate backend/db-tls"). Fix: install cert-manager (https://cert-manager.io/docs/installation/; ' +
            "its CRDs alone do for a preview) first, or write tls.certificate: {secretName: <a kubernetes.io/tls Secret in the app's namespace>} instead of an issuer");
        assert.match((await refusal(devPlan(), without(servedCrd("certificates.cert-manager.io", ["v1alpha2"]))))[0], /has its CRD serving v1alpha2, not v1 \(certificates\.cert-manager\.io\)/);
        // An identity that may not read CRDs is not refused on a guess; a stack with certificates of its own needs no cert-manager.
        assert.deepEqual(await refusal(devPlan(), without("forbidden")), []);
        const ownCertificates = validate(devWith((v) => {
            for (const id of ["db", "cache"]) {
                v.apps[id].tls.certificate = { secretName: `${id}-tls` };
            }
        }));
        assert.deepEqual(await refusal(ownCertificates, without("absent")), []);
    });

    it("refuses to move a database to another namespace, away from its data", async () => {
        const own = ownerLabels({ project: "tcp-platform", stack: "dev" });
        const oldClaim = { [objectKey({ kind: "PersistentVolumeClaim", namespace: "backend", name: "data-mysql-demo-0" })]: { ...meta("data-mysql-demo-0", own, "backend"), claim: { size: "1Gi" } } };
        const moved = validate(devWith((v) => { v.namespaceSuffix = "-two"; v.traefik.namespace = "traefik"; }));
        assert.deepEqual(await refusal(moved, cluster(oldClaim)), [
            'tcp-platform:namespaceSuffix: would start mysql-demo in namespace backend-two with an empty claim data-mysql-demo-0, while its data stays in the claim of namespace backend (got "backend-two"). ' +
            "Fix: keep the namespace backend; to move the data, dump the database, move, and restore it (or copy the claim's volume to a claim data-mysql-demo-0 in backend-two first)",
        ]);
        assert.deepEqual(await refusal(devPlan(), cluster(oldClaim)), [], "where the data is: nothing moves");
    });

    it("tells a namespace's own contents from what it holds for others", () => {
        const plan = devPlan();
        const own = ownerLabels(plan.identity);
        const contents = [
            { ...meta("default"), kind: "ServiceAccount" },
            { ...meta("kube-root-ca.crt"), kind: "ConfigMap" },
            { ...meta("redis-service"), kind: "Endpoints" },
            { ...meta("redis-demo-7d9c-x", own), kind: "Pod", ownerReferences: [{ kind: "ReplicaSet", name: "redis-demo-7d9c" }] },
            { ...meta("leftover", own), kind: "ConfigMap" },
        ];
        assert.deepEqual(foreignContents(contents, plan), []);
        assert.deepEqual(foreignContents([...contents, { ...meta("data-mysql-demo-0", own), kind: "PersistentVolumeClaim" }, { ...meta("their-app", ownerLabels(prod)), kind: "Deployment" }, { ...meta("by-hand"), kind: "Secret" }], plan), [
            "persistentvolumeclaim/data-mysql-demo-0 (data)",
            "deployment/their-app (stack prod of project tcp-platform)",
            "secret/by-hand (no stack (no tcp-platform/stack label: made by kubectl, Helm or Argo CD?))",
        ]);
    });
});
