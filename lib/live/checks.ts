/**
 * Stacks never step on each other: before anything is registered, what already exists under the
 * planned names is read from the cluster (facts.ts) and checked against this stack's ownership
 * (liveProblems, pure). Pulumi's upsert and `pulumi.com/patchForce` would otherwise take over
 * whatever is there; this decides first, at preview, with nothing changed.
 */
import { ClusterReader, ClusterUnreadable, LiveService, objectKey } from "./cluster";
import { crdFieldProblems } from "./crdFields";
import { crdDecision, gatewayCrdDecision, scrapeDecision } from "./crds";
import { LiveFacts, operatorKindsOf, readLiveFacts } from "./facts";
import { storageProblems } from "./storage";
import { restartWarning } from "./traefikRestart";
import { describeOwner, ownerOf, sameOwner } from "../ownership";
import { ObjectRef, PlatformPlan } from "../model";
import { PROJECT } from "../constants";
import { chartFullname } from "../traefik/profile";
import { ConfigError, Problem } from "../problems";

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
    for (const entryPoint of plan.traefik.entryPoints) {
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

/**
 * Kinds the plan uses that the cluster does not serve (an operator's CRD that is not installed):
 * refused at preview, where `pulumi up` would create the rest of the stack and fail on them. A
 * CRD this identity may not read is given the benefit of the doubt.
 */
export function missingKindProblems(plan: PlatformPlan, facts: Pick<LiveFacts, "operatorKindCrds">): Problem[] {
    return operatorKindsOf(plan).flatMap((kind) => {
        const crd = facts.operatorKindCrds.get(kind.crd);
        const version = kind.apiVersion.split("/")[1];
        const served = crd === undefined || crd === "forbidden" || (crd !== "absent" && (crd.crd?.served ?? [version]).includes(version));
        if (served) {
            return [];
        }
        const has = crd === "absent" ? "does not have its CRD" : `has its CRD serving ${crd.crd?.served.join(", ") || "no version"}, not ${version}`;
        return plan.objects.filter((ref) => ref.apiVersion === kind.apiVersion && ref.kind === kind.kind).map((ref) => ({
            path: ref.path, value: describe(ref),
            problem: `is a ${kind.kind} (${kind.apiVersion}), and this cluster ${has} (${kind.crd}): pulumi up would create the rest of the stack and fail on it`,
            fix: `install ${kind.installer} first, or write ${kind.without}`,
        }));
    });
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

/** What the live checks decided; offline (render, tests: nothing decided) the chart installs its CRDs as it ships them. */
export interface LiveDecisions {
    crds?: "own" | "skip";
    /** Gateway routing: whether this stack installs the Gateway API CRDs (unset offline: it does, as in the plan). */
    gatewayCrds?: "own" | "skip";
    /** Namespaces that hold what the stack does not own, with what: kept when the stack is destroyed. */
    keepNamespaces?: Map<string, string[]>;
    /** Monitoring: a PodMonitor and PrometheusRule (the operator's CRDs are there) or the scrape ConfigMap (unset offline: the operator's). */
    scrape?: "operator" | "plain";
    /** Set when the up replaces Traefik's pods: what changes, and what its clients will see. */
    traefikRestart?: string;
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
    const crds = crdDecision(plan, facts, adopt);
    const problems = [...liveProblems(plan, facts, adopt), ...traefikMoveProblems(plan, facts.services), ...storageProblems(plan, facts), ...gatewayCrds.problems, ...missingKindProblems(plan, facts),
        // The stack's own CRDs are upgraded with its chart; another owner's are used as they are.
        ...(crds === "skip" ? crdFieldProblems(plan, facts.traefikKindCrds) : [])];
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    const scrape = scrapeDecision(facts);
    const traefikRestart = restartWarning(plan, facts.traefikDeployment);
    return {
        crds, keepNamespaces: facts.foreign,
        ...(gatewayCrds.decision ? { gatewayCrds: gatewayCrds.decision } : {}),
        ...(scrape ? { scrape } : {}),
        ...(traefikRestart ? { traefikRestart } : {}),
    };
}
