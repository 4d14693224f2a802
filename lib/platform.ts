/**
 * The whole platform for one stack: namespaces, Traefik, and every enabled app, from a validated
 * configuration and its plan. index.ts calls this after the live checks; so do the render script
 * and the tests (under mocks, with no cluster to read).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HttpApp } from "../components/httpApp";
import { TcpApp } from "../components/tcpApp";
import { TraefikIngress } from "../components/traefikIngress";
import { LiveDecisions } from "./liveChecks";
import { ownershipAnnotations } from "./metadata";
import { defaultDenyIngressSpec } from "./networkPolicy";
import { planPlatform, PlatformPlan } from "./plan";
import { namespaceLabels } from "./podSecurity";
import { StackConfig } from "./validation";

export interface Platform {
    plan: PlatformPlan;
    traefik: TraefikIngress;
    apps: (TcpApp | HttpApp)[];
}

/**
 * Deleting a namespace deletes everything in it, so a destroy keeps the ones that hold databases'
 * claims (and their data), and those where the last read of the cluster found objects the stack
 * does not own. Says which, and why, so a preview shows it.
 */
export function keptNamespaces(plan: PlatformPlan, live: LiveDecisions): Set<string> {
    const keep = new Map(live.keepNamespaces);
    for (const app of plan.apps.filter((a) => a.storage)) {
        keep.set(app.namespace, [...new Set([...(keep.get(app.namespace) ?? []), ...app.storage!.claims.map((claim) => `persistentvolumeclaim/${claim} (data)`)])]);
    }
    for (const [namespace, held] of live.keepNamespaces ?? []) {
        void pulumi.log.info(`namespace ${namespace} will be kept by a destroy: it holds ${held.join(", ")}`);
    }
    return new Set(keep.keys());
}

export function deployPlatform(config: StackConfig, plan: PlatformPlan = planPlatform(config), live: LiveDecisions = {}): Platform {
    const secrets = Object.fromEntries(Object.entries(config.secrets).map(([key, value]) => [key, pulumi.secret(value)]));
    const keep = keptNamespaces(plan, live);

    const namespaces = new Map(plan.namespaces.map((name) => {
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name, labels: { ...plan.labels, ...namespaceLabels(config.podSecurity) }, annotations: ownershipAnnotations },
        }, { retainOnDelete: keep.has(name) });
        new k8s.networking.v1.NetworkPolicy(`${name}-default-deny-ingress`, {
            metadata: { name: "default-deny-ingress", namespace: namespace.metadata.name, labels: plan.labels, annotations: ownershipAnnotations },
            spec: defaultDenyIngressSpec(),
        }, { parent: namespace });
        return [name, namespace];
    }));
    const traefik = new TraefikIngress("traefik", {
        traefik: plan.traefik,
        profile: plan.profile,
        entryPoints: plan.entryPoints,
        labels: plan.labels,
        podSecurity: config.podSecurity,
        crds: live.crds,
        namespaceOptions: { retainOnDelete: keep.has(plan.traefik.namespace) },
    });
    const apps = plan.apps.map((app) => {
        const args = { namespace: namespaces.get(app.namespace)!.metadata.name, secrets, traefik, traefikNamespace: plan.traefik.namespace };
        return app.kind === "tcp" ? new TcpApp(app.id, { ...args, app }) : new HttpApp(app.id, { ...args, app });
    });
    return { plan, traefik, apps };
}
