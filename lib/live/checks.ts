/**
 * Stacks never step on each other: before anything is registered, what already exists under the
 * planned names is read from the cluster (readLiveFacts) and checked against this stack's
 * ownership (liveProblems, pure). Pulumi's upsert and `pulumi.com/patchForce` would otherwise
 * take over whatever is there; this decides first, at preview, with nothing changed.
 */
import { ClusterReader, ClusterUnreadable, LiveMeta, LiveRead, LiveService } from "./cluster";
import { describeOwner, ownerLabels, ownerOf, sameOwner } from "../ownership";
import { ObjectRef, PlatformPlan } from "../plan/plan";
import { parseQuantity } from "../quantity";
import { PROJECT } from "../constants";
import { ConfigError, Problem } from "../problems";

/** The CRD whose presence stands for all of the chart's CRDs (they are installed together). */
export const SENTINEL_CRD: ObjectRef = {
    apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "ingressroutetcps.traefik.io", path: `${PROJECT}:traefik.chart`,
};

/**
 * The Gateway API CRD whose presence stands for the release the cluster has: TCPRoute, the kind
 * Traefik 3.7 reads through v1alpha2, which only the experimental channel serves.
 */
export const GATEWAY_SENTINEL_CRD: ObjectRef = {
    apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "tcproutes.gateway.networking.k8s.io", path: `${PROJECT}:traefik.routing`,
};

/** What the cluster holds under the plan's names. */
export interface LiveFacts {
    /** For each planned object (objectKey), what a GET found. */
    objects: Map<string, LiveRead>;
    /** Every Service of the cluster: who holds which NodePort, and where this stack's Traefik runs. */
    services: LiveService[];
    /** Traefik's CRDs, as the sentinel CRD shows them. */
    crds: LiveRead;
    /** The Gateway API CRDs, as their sentinel shows them (read in gateway routing only). */
    gatewayCrds?: LiveRead;
    /** For each planned namespace that exists, what it holds that the stack does not own (foreignContents). */
    foreign: Map<string, string[]>;
    /** The StorageClasses of existing claims the plan would grow. */
    storageClasses: Map<string, LiveRead>;
    /** The stack's claims, wherever they are. */
    ownClaims: LiveMeta[];
}

export function objectKey(ref: Pick<ObjectRef, "kind" | "namespace" | "name">): string {
    return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

export async function readLiveFacts(plan: PlatformPlan, reader: ClusterReader): Promise<LiveFacts> {
    const [reads, services, crds, ownClaims, gatewayCrds] = await Promise.all([
        Promise.all(plan.objects.map(async (ref) => [objectKey(ref), await reader.read(ref)] as const)),
        reader.services(),
        reader.read(SENTINEL_CRD),
        reader.claims(ownerLabels(plan.identity)),
        plan.traefik.gateway ? reader.read(GATEWAY_SENTINEL_CRD) : undefined,
    ]);
    const objects = new Map(reads);
    const existingNamespaces = plan.objects.filter((ref) => ref.kind === "Namespace" && typeof objects.get(objectKey(ref)) === "object");
    const foreign = await Promise.all(existingNamespaces.map(async ({ name }) => [name, foreignContents(await reader.namespaceContents(name), plan)] as const));
    const classes = [...new Set(liveClaims(plan, objects).filter((c) => c.grows).map((c) => c.live.storageClass ?? ""))].filter((name) => name !== "");
    const storageClasses = await Promise.all(classes.map(async (name) =>
        [name, await reader.read({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", name, path: "" })] as const));
    return {
        objects, services, crds, foreign: new Map(foreign.filter(([, held]) => held.length > 0)), storageClasses: new Map(storageClasses), ownClaims,
        ...(gatewayCrds ? { gatewayCrds } : {}),
    };
}

/** Each planned claim that exists, with what it holds now and whether the plan grows it. */
function liveClaims(plan: PlatformPlan, objects: Map<string, LiveRead>) {
    return plan.apps.flatMap((app) => (app.storage?.claims ?? []).flatMap((name) => {
        const live = objects.get(objectKey({ kind: "PersistentVolumeClaim", namespace: app.namespace, name }));
        if (typeof live !== "object" || !live.claim?.size) {
            return [];
        }
        const storage = app.storage!;
        const [wanted, now] = [parseQuantity(storage.size)!, parseQuantity(live.claim.size)!];
        return [{ name, storage, live: { size: live.claim.size, storageClass: live.claim.storageClass }, grows: wanted > now, shrinks: wanted < now }];
    }));
}

/**
 * Claims can grow only where their class allows it, never shrink, and never change class: refused
 * at preview with what to do, instead of an update that fails half-way.
 */
export function storageProblems(plan: PlatformPlan, facts: Pick<LiveFacts, "objects" | "storageClasses" | "ownClaims">): Problem[] {
    return [...movedClaims(plan, facts), ...liveClaims(plan, facts.objects).flatMap(({ name, storage, live, grows, shrinks }) => {
        const problems: Problem[] = [];
        if (storage.storageClass !== undefined && live.storageClass !== undefined && storage.storageClass !== live.storageClass) {
            problems.push({
                path: storage.paths.storageClass, value: storage.storageClass,
                problem: `differs from the class of claim ${name} (${live.storageClass}), and a claim keeps its class`,
                fix: `keep ${live.storageClass}; moving the data to another class means a new claim: dump the database, remove its claim, up, restore`,
            });
        }
        if (shrinks) {
            problems.push({
                path: storage.paths.size, value: storage.size,
                problem: `is smaller than claim ${name} (${live.size}), and Kubernetes cannot shrink a claim`,
                fix: `keep ${live.size} or more`,
            });
        }
        const storageClass = live.storageClass ? facts.storageClasses.get(live.storageClass) : undefined;
        if (grows && !(typeof storageClass === "object" && storageClass.allowVolumeExpansion)) {
            problems.push({
                path: storage.paths.size, value: storage.size,
                problem: `would grow claim ${name} from ${live.size}, but its StorageClass ${live.storageClass ?? "(none)"} does not allow volume expansion`,
                fix: `keep ${live.size}; or, where the class's provisioner can grow volumes, set allowVolumeExpansion: true on StorageClass ${live.storageClass ?? ""} first (kubectl patch storageclass ${live.storageClass ?? "<class>"} -p '{"allowVolumeExpansion": true}')`,
            });
        }
        return problems;
    })];
}

/**
 * A stateful app whose namespace changes (namespaceSuffix) would start with empty claims while its
 * data stays in the claims of the old namespace: refused, not silently lost.
 */
function movedClaims(plan: PlatformPlan, facts: Pick<LiveFacts, "objects" | "ownClaims">): Problem[] {
    return plan.apps.flatMap((app) => (app.storage?.claims ?? []).flatMap((name) => {
        const here = facts.objects.get(objectKey({ kind: "PersistentVolumeClaim", namespace: app.namespace, name }));
        const elsewhere = facts.ownClaims.find((c) => c.name === name && c.namespace !== app.namespace);
        return elsewhere && typeof here !== "object" ? [{
            path: `${PROJECT}:namespaceSuffix`, value: app.namespace,
            problem: `would start ${app.id} in namespace ${app.namespace} with an empty claim ${name}, while its data stays in the claim of namespace ${elsewhere.namespace}`,
            fix: `keep the namespace ${elsewhere.namespace}; to move the data, dump the database, move, and restore it (or copy the claim's volume to a claim ${name} in ${app.namespace} first)`,
        }] : [];
    }));
}

function describe(ref: ObjectRef): string {
    return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

/**
 * Objects that exist and belong to another stack, or to none unless the stack adopts; NodePorts
 * another stack's Service holds. Inside a namespace that is refused, its objects are not listed
 * one by one: the namespace says it all.
 */
export function liveProblems(plan: PlatformPlan, facts: LiveFacts, adopt: boolean): Problem[] {
    const problems: Problem[] = [];
    const refusedNamespaces = new Set<string>();
    const namespacesFirst = [...plan.objects].sort((a, b) => Number(b.kind === "Namespace") - Number(a.kind === "Namespace"));
    for (const ref of namespacesFirst) {
        const live = facts.objects.get(objectKey(ref));
        if (live === undefined || live === "absent" || live === "forbidden" || (ref.namespace && refusedNamespaces.has(ref.namespace))) {
            continue;
        }
        const owner = ownerOf(live.labels);
        if (sameOwner(owner, plan.identity) || (owner === undefined && adopt)) {
            continue;
        }
        if (ref.kind === "Namespace") {
            refusedNamespaces.add(ref.name);
        }
        problems.push(owner
            ? {
                path: ref.path, value: describe(ref),
                problem: `already exists and belongs to ${describeOwner(owner)}: this stack would take it over`,
                fix: `give this stack names of its own (tcp-platform:namespaceSuffix, e.g. "-${plan.identity.stack}", and NodePorts of its own), or point it at the cluster it is meant for (kubernetes:context)`,
            }
            : {
                path: ref.path, value: describe(ref),
                problem: `already exists and belongs to ${describeOwner(owner)}`,
                fix: "to take it over (migrating from kubectl or Argo CD), set tcp-platform:adopt: true for that up; otherwise delete it or give this stack other names (tcp-platform:namespaceSuffix)",
            });
    }
    // Adopting takes the Traefik Service of the planned name over, NodePorts and all (the seed's,
    // installed by Argo CD or Helm under the same release name): its NodePorts are not in the way.
    const adopted = (s: LiveService) => adopt && ownerOf(s.labels) === undefined &&
        s.namespace === plan.traefik.namespace && s.name === chartFullname(plan.traefik.releaseName);
    for (const entryPoint of plan.entryPoints) {
        const holder = facts.services.find((s) => entryPoint.nodePort !== undefined && s.nodePorts.includes(entryPoint.nodePort) && !sameOwner(ownerOf(s.labels), plan.identity) && !adopted(s));
        if (holder && entryPoint.nodePort !== undefined && plan.traefik.serviceType !== "ClusterIP") {
            problems.push({
                path: `${PROJECT}:apps.${entryPoint.apps[0]}.entryPoint.nodePort`, value: entryPoint.nodePort,
                problem: `is already taken on this cluster by Service ${holder.namespace}/${holder.name} (${describeOwner(ownerOf(holder.labels))})`,
                fix: "choose a NodePort that is free on this cluster (kubectl get services -A shows the ones in use)",
            });
        }
    }
    return problems;
}

/** The name the Traefik chart (26 and 41 alike, `traefik.fullname`) gives its Deployment and Service for a release. */
export function chartFullname(releaseName: string): string {
    return (releaseName.includes("traefik") ? releaseName : `${releaseName}-traefik`).slice(0, 63).replace(/-+$/, "");
}

/** This stack's Traefik as the cluster runs it now: where, under which release name, by which installer. */
export interface RunningTraefik {
    namespace: string;
    releaseName: string;
    installer: "chart" | "release";
    nodePorts: number[];
}

export function runningTraefik(plan: PlatformPlan, services: LiveService[]): RunningTraefik[] {
    return services
        .filter((s) => s.labels["app.kubernetes.io/name"] === "traefik" && sameOwner(ownerOf(s.labels), plan.identity))
        .map((s) => ({
            namespace: s.namespace,
            // The chart's instance label is `<release>-<namespace>`.
            releaseName: (s.labels["app.kubernetes.io/instance"] ?? "").replace(new RegExp(`-${s.namespace}$`), ""),
            installer: s.annotations["meta.helm.sh/release-name"] ? "release" : "chart",
            nodePorts: s.nodePorts,
        }));
}

/**
 * Moving the running Traefik to another namespace, release name or installer cannot be one safe
 * `up`: Kubernetes gives a NodePort to one Service at a time, so the new Service cannot take the
 * old one's until it is gone, and Helm does not take over objects it did not create. Refused at
 * preview, with the procedure that works (an announced outage of the NodePorts).
 */
export function traefikMoveProblems(plan: PlatformPlan, services: LiveService[]): Problem[] {
    const { traefik, identity } = plan;
    const urn = `urn:pulumi:${identity.stack}::${identity.project}::tcp-platform:traefik:TraefikIngress::traefik`;
    return runningTraefik(plan, services).flatMap((running) => {
        const moves = ([["namespace", running.namespace, traefik.namespace], ["releaseName", running.releaseName, traefik.releaseName], ["installer", running.installer, traefik.installer]] as const)
            .filter(([, now, planned]) => now !== planned);
        return moves.map(([key, now, planned]) => ({
            path: `${PROJECT}:traefik.${key}`, value: planned,
            problem: `would move the running Traefik (${key} ${now}) to another ${key === "installer" ? "installer" : key === "namespace" ? "namespace" : "release name"}: ` +
                `a new install cannot take its NodePorts (${running.nodePorts.join(", ")}) before the old one is gone${key === "namespace" ? "" : ", and Helm does not take over objects it did not create"}`,
            fix: `keep ${key} ${now}; or move with an announced outage of those NodePorts: pulumi destroy --stack ${identity.stack} --target '${urn}' --target-dependents, then pulumi up --stack ${identity.stack}`,
        }));
    });
}

/**
 * Whether this stack installs Traefik's CRDs: when none are there, or they are its own (or it
 * adopts unlabelled ones); otherwise whoever installed them keeps them, and this stack uses them.
 */
export function crdDecision(plan: PlatformPlan, facts: LiveFacts, adopt: boolean): "own" | "skip" {
    const { crds } = facts;
    if (crds === "absent") {
        return "own";
    }
    if (crds === "forbidden") {
        return "skip";
    }
    const owner = ownerOf(crds.labels);
    return sameOwner(owner, plan.identity) || (owner === undefined && adopt) ? "own" : "skip";
}

/**
 * Whether this stack installs the Gateway API CRDs (gateway routing): as for Traefik's, when none
 * are there or they are its own (or it adopts unlabelled ones). Where someone else owns them they
 * stay theirs, and they must serve what Traefik reads: else the up is refused, with the reason,
 * rather than replacing CRDs that every Gateway controller of the cluster uses.
 */
export function gatewayCrdDecision(plan: PlatformPlan, facts: LiveFacts, adopt: boolean): { decision?: "own" | "skip"; problems: Problem[] } {
    const live = facts.gatewayCrds;
    if (!plan.traefik.gateway || live === undefined) {
        return { problems: [] };
    }
    if (live === "absent") {
        return { decision: "own", problems: [] };
    }
    if (live === "forbidden") {
        return { decision: "skip", problems: [] };
    }
    const owner = ownerOf(live.labels);
    if (sameOwner(owner, plan.identity) || (owner === undefined && adopt)) {
        return { decision: "own", problems: [] };
    }
    if (live.crd?.served.includes("v1alpha2")) {
        return { decision: "skip", problems: [] };
    }
    const annotations = live.crd?.annotations ?? {};
    const release = `Gateway API ${annotations["gateway.networking.k8s.io/bundle-version"] ?? "(release unknown)"}, ${annotations["gateway.networking.k8s.io/channel"] ?? "channel unknown"} channel`;
    return {
        problems: [{
            path: GATEWAY_SENTINEL_CRD.path, value: "gateway",
            problem: `needs TCPRoute served as v1alpha2 (Traefik 3.7 reads it only there), but the cluster's ${GATEWAY_SENTINEL_CRD.name} (${release}, owned by ${describeOwner(owner)}) serves ${live.crd?.served.join(", ") || "no version"}; the program does not replace CRDs another owner installed, which every Gateway controller of the cluster uses`,
            fix: "have the CRDs' owner install the experimental channel of Gateway API v1.6.1 (kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/experimental-install.yaml), or keep traefik.routing: ingressRoute",
        }],
    };
}

/** What the live checks decided; offline (render, tests: nothing decided) the chart installs its CRDs as it ships them. */
export interface LiveDecisions {
    crds?: "own" | "skip";
    /** Gateway routing: whether this stack installs the Gateway API CRDs (unset offline: it does, as in the plan). */
    gatewayCrds?: "own" | "skip";
    /** Namespaces that hold what the stack does not own, with what: kept when the stack is destroyed. */
    keepNamespaces?: Map<string, string[]>;
}

/**
 * Reads the cluster, refuses (ConfigError) what would step on another stack, and decides the
 * rest: whether to install the CRDs, and the guard on deleting a namespace.
 */
export async function checkCluster(plan: PlatformPlan, adopt: boolean, reader: ClusterReader): Promise<LiveDecisions> {
    let facts: LiveFacts;
    try {
        facts = await readLiveFacts(plan, reader);
    } catch (err) {
        if (!(err instanceof ClusterUnreadable)) {
            throw err;
        }
        throw new ConfigError([{
            path: "the Kubernetes cluster", value: reader.describe,
            problem: `could not be read to check what already exists under this stack's names (${err.message})`,
            fix: "make the cluster reachable with the kubeconfig and context the stack uses (KUBECONFIG, kubernetes:kubeconfig, kubernetes:context)",
        }]);
    }
    const gatewayCrds = gatewayCrdDecision(plan, facts, adopt);
    const problems = [...liveProblems(plan, facts, adopt), ...traefikMoveProblems(plan, facts.services), ...storageProblems(plan, facts), ...gatewayCrds.problems];
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return { crds: crdDecision(plan, facts, adopt), keepNamespaces: facts.foreign, ...(gatewayCrds.decision ? { gatewayCrds: gatewayCrds.decision } : {}) };
}

/**
 * What in a namespace the stack does not own, so that deleting the namespace would delete it:
 * another stack's or nobody's objects, and claims (kept on purpose: they hold data). Objects that
 * Kubernetes makes in every namespace, and objects owned by others through ownerReferences (pods
 * of a ReplicaSet being deleted), do not count.
 */
export function foreignContents(contents: (LiveMeta & { kind: string })[], plan: Pick<PlatformPlan, "identity">): string[] {
    const everyNamespaceHas = new Set(["ServiceAccount/default", "ConfigMap/kube-root-ca.crt"]);
    // Kept by controllers for objects being deleted (Endpoints mirror a Service), or only records.
    const mirrors = new Set(["Event", "Endpoints"]);
    return contents
        .filter((o) => !everyNamespaceHas.has(`${o.kind}/${o.name}`) && !mirrors.has(o.kind) && o.ownerReferences.length === 0)
        .filter((o) => o.kind === "PersistentVolumeClaim" || !sameOwner(ownerOf(o.labels), plan.identity))
        .map((o) => `${o.kind.toLowerCase()}/${o.name} (${o.kind === "PersistentVolumeClaim" ? "data" : describeOwner(ownerOf(o.labels))})`);
}
