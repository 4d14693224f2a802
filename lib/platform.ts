/**
 * The whole platform for one stack: namespaces, Traefik, and every enabled app, from a
 * validated configuration. index.ts calls this; so do the render script and the tests.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HttpApp } from "../components/httpApp";
import { TcpApp } from "../components/tcpApp";
import { TraefikIngress } from "../components/traefikIngress";
import { planPlatform, PlatformPlan } from "./plan";
import { ownershipAnnotations } from "./metadata";
import { defaultDenyIngressSpec } from "./networkPolicy";
import { namespaceLabels } from "./podSecurity";
import { StackConfig } from "./validation";

export interface Platform {
    plan: PlatformPlan;
    traefik: TraefikIngress;
    apps: (TcpApp | HttpApp)[];
}

export function deployPlatform(config: StackConfig): Platform {
    const plan = planPlatform(config);
    const secrets = Object.fromEntries(Object.entries(config.secrets).map(([key, value]) => [key, pulumi.secret(value)]));

    const namespaces = new Map(plan.namespaces.map((name) => {
        // Deleting a namespace deletes everything in it: one that holds databases' claims stays
        // when the stack is destroyed, and so does their data.
        const holdsData = plan.apps.some((app) => app.namespace === name && app.storage);
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name, labels: { ...config.labels, ...namespaceLabels(config.podSecurity) }, annotations: ownershipAnnotations },
        }, { retainOnDelete: holdsData });
        new k8s.networking.v1.NetworkPolicy(`${name}-default-deny-ingress`, {
            metadata: { name: "default-deny-ingress", namespace: namespace.metadata.name, labels: config.labels, annotations: ownershipAnnotations },
            spec: defaultDenyIngressSpec(),
        }, { parent: namespace });
        return [name, namespace];
    }));
    const traefik = new TraefikIngress("traefik", {
        chart: config.traefik.chart,
        installer: config.traefik.installer,
        namespace: config.traefik.namespace,
        releaseName: config.traefik.releaseName,
        serviceType: config.traefik.serviceType,
        entryPoints: plan.entryPoints,
        resources: config.traefik.resources,
        labels: config.labels,
        podSecurity: config.podSecurity,
    });
    const apps = plan.apps.map((app) => {
        const args = { namespace: namespaces.get(app.namespace)!.metadata.name, secrets, traefik, traefikNamespace: config.traefik.namespace };
        return app.kind === "tcp" ? new TcpApp(app.id, { ...args, app }) : new HttpApp(app.id, { ...args, app });
    });
    return { plan, traefik, apps };
}
