/**
 * The composition root: the whole platform for one stack, from its plan — the apps' namespaces,
 * Traefik, and every app — and the program that gets there (stackProgram: validate, check the
 * cluster, deploy). The render script and the tests call deployPlatform under mocks, with no
 * cluster to read.
 */
import * as pulumi from "@pulumi/pulumi";
import { App } from "./components/app";
import { TraefikMonitoring } from "./components/monitoring";
import { appNamespace } from "./components/k8s/namespace";
import { TraefikIngress } from "./components/traefikIngress";
import { Catalog } from "./lib/catalog";
import { rawConfigFromPulumi } from "./lib/config/load";
import { checkCluster, LiveDecisions } from "./lib/live/checks";
import { providerClusterReader } from "./lib/live/cluster";
import { PlatformPlan } from "./lib/model";
import { EntryPointRow, portTable, PortTableRow } from "./lib/plan/portTable";
import { ConfigError } from "./lib/problems";
import { validate } from "./lib/rules/validate";

export interface Platform {
    plan: PlatformPlan;
    traefik: TraefikIngress;
    apps: App[];
    /** With `tcp-platform:monitoring`: scraping, alerts and the dashboard. */
    monitoring?: TraefikMonitoring;
}

/**
 * Deleting a namespace deletes everything in it, so a destroy keeps the ones that hold databases'
 * claims (and their data), and those where the last read of the cluster found objects the stack
 * does not own; with what each holds.
 */
export function keptNamespaces(plan: PlatformPlan, live: LiveDecisions): Map<string, string[]> {
    const keep = new Map(live.keepNamespaces);
    for (const { namespace, storage } of plan.apps) {
        if (storage) {
            keep.set(namespace, [...new Set([...(keep.get(namespace) ?? []), ...storage.claims.map((claim) => `persistentvolumeclaim/${claim} (data)`)])]);
        }
    }
    return keep;
}

/** What a destroy of this stack leaves, said at every run (a destroy runs no program to say it). */
function reportWhatDestroyKeeps(plan: PlatformPlan, kept: Map<string, string[]>, live: LiveDecisions): void {
    const lines = [...kept].map(([name, held]) => `namespace ${name} (it holds ${held.join(", ")})`);
    // Helm keeps a chart's CRDs on uninstall; the chart installer keeps the ones it owns (see TraefikIngress).
    if (live.crds === "own" || plan.traefik.installer === "release") {
        lines.push("Traefik's traefik.io CRDs (every Traefik on the cluster uses them; kubectl delete crd -l tcp-platform/project to remove them when none is left)");
    }
    if (plan.traefik.gateway && live.gatewayCrds === "own") {
        lines.push("the Gateway API CRDs (every Gateway controller on the cluster uses them; kubectl delete crd -l tcp-platform/project to remove them when none is left)");
    }
    if (lines.length > 0) {
        void pulumi.log.info(`a destroy of this stack keeps: ${lines.join("; ")}`);
    }
}

export function deployPlatform(plan: PlatformPlan, live: LiveDecisions = {}): Platform {
    const { config } = plan;
    const secrets = Object.fromEntries(Object.entries(config.secrets).map(([key, value]) => [key, pulumi.secret(value)]));
    const keep = keptNamespaces(plan, live);
    // Under mocks (render, tests) nothing was decided about a cluster, and there is nothing to say.
    if (live.crds) {
        reportWhatDestroyKeeps(plan, keep, live);
    }
    if (live.traefikRestart) {
        void pulumi.log.warn(live.traefikRestart);
    }

    const namespaces = new Map(plan.namespaces.map((name) =>
        [name, appNamespace({ name, labels: plan.labels, podSecurity: config.podSecurity, retainOnDelete: keep.has(name) }).metadata.name]));
    const traefik = new TraefikIngress("traefik", {
        traefik: plan.traefik,
        podSecurity: config.podSecurity,
        crds: live.crds,
        gatewayCrds: live.gatewayCrds,
        namespaceOptions: { retainOnDelete: keep.has(plan.traefik.namespace) },
    });
    // plan.namespaces are the apps' own; the namespace's output orders each app after it.
    const namespaceOf = (name: string) => {
        const ns = namespaces.get(name);
        if (!ns) {
            throw new Error(`namespace ${name} is not among the planned ones`);
        }
        return ns;
    };
    const apps = plan.apps.map((app) => new App(app.id, {
        app, namespace: namespaceOf(app.namespace), secrets, traefik, traefikNamespace: plan.traefik.namespace,
    }));
    const monitoring = plan.traefik.monitoring
        ? new TraefikMonitoring("monitoring", { plan, namespace: traefik.namespace.metadata.name, scrape: live.scrape })
        : undefined;
    return { plan, traefik, apps, ...(monitoring ? { monitoring } : {}) };
}

/** A refused configuration as the engine shows it: a RunError prints its message without a stack trace. */
async function refusingBadConfig<T>(step: () => Promise<T> | T): Promise<T> {
    try {
        return await step();
    } catch (err) {
        throw err instanceof ConfigError ? new pulumi.RunError(err.message) : err;
    }
}

export interface StackOutputs {
    /** Traefik's entryPoints: name, Traefik port, Service port, NodePort and apps. */
    entryPoints: pulumi.Output<EntryPointRow[]>;
    /** The seed's port table: one row per app, with its entryPoint, ports and backend. */
    portTable: PortTableRow[];
    traefikNamespace: pulumi.Output<string>;
}

/**
 * The Pulumi program for the apps of `catalog` (read when the program runs, so that a bad catalog
 * file is refused as a bad stack file is): the stack's config validated, the cluster checked, the
 * platform deployed.
 */
export function stackProgram(catalog: () => Catalog): () => Promise<StackOutputs> {
    return async () => {
        const plan = await refusingBadConfig(() => validate(rawConfigFromPulumi(), catalog()));
        // The cluster the Kubernetes provider deploys to, read before anything is registered.
        const kubernetes = new pulumi.Config("kubernetes");
        const live = await refusingBadConfig(async () =>
            checkCluster(plan, plan.config.adopt, await providerClusterReader(kubernetes.get("kubeconfig"), kubernetes.get("context"))));
        const platform = deployPlatform(plan, live);
        return { entryPoints: platform.traefik.entryPoints, portTable: portTable(plan), traefikNamespace: platform.traefik.namespace.metadata.name };
    };
}
