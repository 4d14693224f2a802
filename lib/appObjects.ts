/** The objects every app has, whatever routes to it: Secret, Deployment, Service, NetworkPolicy. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { objectMetadata } from "./metadata";
import { appIngressSpec } from "./networkPolicy";
import { PlannedApp } from "./plan";
import { appDeployment, credentialsSecret } from "./workload";

/** What an app component needs to build its workload. */
export interface AppWorkloadArgs {
    /** The planned app. */
    app: PlannedApp;
    /** Namespace name; pass the Namespace resource's output so it is created first. */
    namespace: pulumi.Input<string>;
    /** Secret config values by config key (only the keys the app reads are used). */
    secrets: Record<string, pulumi.Output<string>>;
    /** Namespace of the Traefik pods, the one client the app's NetworkPolicy admits by default. */
    traefikNamespace: string;
}

export interface AppWorkload {
    secret?: k8s.core.v1.Secret;
    deployment: k8s.apps.v1.Deployment;
    service: k8s.core.v1.Service;
    networkPolicy: k8s.networking.v1.NetworkPolicy;
}

/** Creates an app's workload objects as children of `opts.parent`. */
export function appWorkload(name: string, args: AppWorkloadArgs, opts: pulumi.CustomResourceOptions): AppWorkload {
    const { app, namespace } = args;
    const secret = app.secretEnv.length === 0
        ? undefined
        : credentialsSecret(`${name}-credentials`, app, namespace,
            Object.fromEntries(app.secretEnv.map((s) => [s.env, args.secrets[s.configKey]])), opts);
    const deployment = appDeployment(`${name}-deployment`, app, namespace, secret, opts);
    const service = new k8s.core.v1.Service(`${name}-service`, {
        metadata: objectMetadata(app, app.names.service, namespace),
        spec: {
            selector: app.selector,
            ports: [{ name: app.portName, port: app.servicePort, targetPort: app.container.port, protocol: "TCP" }],
        },
    }, opts);
    const networkPolicy = new k8s.networking.v1.NetworkPolicy(`${name}-network-policy`, {
        metadata: objectMetadata(app, app.names.networkPolicy, namespace),
        spec: appIngressSpec(app, args.traefikNamespace),
    }, opts);
    return { secret, deployment, service, networkPolicy };
}
