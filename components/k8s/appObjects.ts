/**
 * The objects every app has, whatever routes to it: Secret, Deployment or StatefulSet (with its
 * claims), Service, NetworkPolicy, and the Certificate a passthrough app's server presents.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlannedApp, PlannedAppBase } from "../../lib/model";
import { CertificateSpec, certificateKind } from "../../lib/crds/certificate";
import { TypedCustomResource } from "./customResources";
import { objectMetadata } from "./metadata";
import { appIngressSpec } from "./networkPolicy";
import { appDeployment, appStatefulSet, claimSpec, credentialsSecret } from "./workload";

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
    /** A Deployment, or a StatefulSet for an app that keeps data. */
    workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet;
    /** A stateful app's claims, one per replica. */
    claims: k8s.core.v1.PersistentVolumeClaim[];
    certificate?: TypedCustomResource<CertificateSpec>;
    service: k8s.core.v1.Service;
    networkPolicy: k8s.networking.v1.NetworkPolicy;
    /** A canary's Deployment, Service and NetworkPolicy. */
    canary?: { workload: k8s.apps.v1.Deployment; service: k8s.core.v1.Service; networkPolicy: k8s.networking.v1.NetworkPolicy };
}

/** The Service in front of an app's pods, and the NetworkPolicy that admits Traefik to them. */
function serviceAndPolicy(name: string, app: PlannedAppBase, args: AppWorkloadArgs, opts: pulumi.CustomResourceOptions) {
    const { namespace } = args;
    const service = new k8s.core.v1.Service(`${name}-service`, {
        metadata: objectMetadata(app, app.names.service, namespace),
        spec: {
            selector: app.selector,
            ports: [{ name: app.portName, port: app.servicePort, targetPort: app.container.port, protocol: app.protocol }],
        },
    }, opts);
    const networkPolicy = new k8s.networking.v1.NetworkPolicy(`${name}-network-policy`, {
        metadata: objectMetadata(app, app.names.networkPolicy, namespace),
        spec: appIngressSpec(app, args.traefikNamespace),
    }, opts);
    return { service, networkPolicy };
}

/** Creates an app's workload objects as children of `opts.parent`. */
export function appWorkload(name: string, args: AppWorkloadArgs, opts: pulumi.CustomResourceOptions): AppWorkload {
    const { app, namespace } = args;
    const secret = app.secretEnv.length === 0
        ? undefined
        : credentialsSecret(`${name}-credentials`, app, namespace,
            Object.fromEntries(app.secretEnv.map((s) => [s.env, args.secrets[s.configKey]])), opts);
    const { serverTls } = app;
    const certificate = serverTls?.issuer && app.kind === "tcp"
        ? new TypedCustomResource(certificateKind, `${name}-certificate`, {
            metadata: objectMetadata(app, app.names.certificate, namespace),
            spec: { secretName: serverTls.secretName, dnsNames: serverTls.dnsNames, issuerRef: { ...serverTls.issuer, group: "cert-manager.io" } },
        }, opts)
        : undefined;
    // The claims are the program's own, so `protect` covers the data too; they are never deleted
    // by Pulumi (destroy, scale-down, a replaced StatefulSet): removing data is a decision.
    const { storage } = app;
    const claims = storage ? storage.claims.map((claim) => new k8s.core.v1.PersistentVolumeClaim(`${name}-${claim}`, {
        metadata: objectMetadata(app, claim, namespace),
        spec: claimSpec(storage),
    }, { ...opts, retainOnDelete: true })) : [];
    const workload = storage
        ? appStatefulSet(`${name}-statefulset`, { ...app, storage }, namespace, secret, { ...opts, dependsOn: [...claims, ...(certificate ? [certificate] : [])] })
        : appDeployment(`${name}-deployment`, app, namespace, secret, opts);
    const { service, networkPolicy } = serviceAndPolicy(name, app, args, opts);
    const canaryApp = app.canary?.app;
    // The canary's own selector: the stable Service and Deployment never see its pods.
    const canary = canaryApp && {
        workload: appDeployment(`${name}-canary-deployment`, canaryApp, namespace, secret, { ...opts, protect: canaryApp.protect }),
        ...serviceAndPolicy(`${name}-canary`, canaryApp, args, { ...opts, protect: canaryApp.protect }),
    };
    return { secret, workload, claims, certificate, service, networkPolicy, ...(canary ? { canary } : {}) };
}
