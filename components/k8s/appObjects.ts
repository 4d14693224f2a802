/**
 * The objects every app has, whatever routes to it: Secret, Deployment or StatefulSet (with its
 * claims), Service, NetworkPolicy, and the Certificate a passthrough app's server presents; each
 * registered as lib/objects/appObjects.ts builds it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlannedApp } from "../../lib/model";
import { CertificateSpec, certificateKind } from "../../lib/crds/certificate";
import { secretManifest, serviceAndPolicy, workloadManifests } from "../../lib/objects/appObjects";
import { TypedCustomResource } from "./customResources";
import { appDeployment, appStatefulSet, credentialsSecret } from "./workload";

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

function registerServiceAndPolicy(name: string, objects: ReturnType<typeof serviceAndPolicy>, opts: pulumi.CustomResourceOptions) {
    const { service, networkPolicy } = objects;
    return {
        service: new k8s.core.v1.Service(`${name}-service`, { metadata: service.metadata, spec: service.spec }, opts),
        networkPolicy: new k8s.networking.v1.NetworkPolicy(`${name}-network-policy`, { metadata: networkPolicy.metadata, spec: networkPolicy.spec }, opts),
    };
}

/** Creates an app's workload objects as children of `opts.parent`. */
export function appWorkload(name: string, args: AppWorkloadArgs, opts: pulumi.CustomResourceOptions): AppWorkload {
    const { app, namespace } = args;
    const planned = secretManifest(app, namespace, Object.fromEntries(app.secretEnv.map((s) => [s.env, args.secrets[s.configKey]])));
    const secret = planned ? credentialsSecret(`${name}-credentials`, planned, opts) : undefined;
    // The pods read the Secret the program made: its version rolls them when it changes.
    const objects = workloadManifests(app, namespace, args.traefikNamespace, secret ? { name: app.names.secret, resourceVersion: secret.metadata.resourceVersion } : undefined);
    const certificate = objects.certificate
        ? new TypedCustomResource(certificateKind, `${name}-certificate`, { metadata: objects.certificate.metadata, spec: objects.certificate.spec }, opts)
        : undefined;
    // The claims are the program's own, so `protect` covers the data too; they are never deleted
    // by Pulumi (destroy, scale-down, a replaced StatefulSet): removing data is a decision.
    const claims = objects.claims.map((claim) => new k8s.core.v1.PersistentVolumeClaim(`${name}-${claim.metadata.name}`, {
        metadata: claim.metadata, spec: claim.spec,
    }, { ...opts, retainOnDelete: true }));
    const workload = objects.statefulSet
        ? appStatefulSet(`${name}-statefulset`, objects.statefulSet, { ...opts, dependsOn: [...claims, ...(certificate ? [certificate] : [])] })
        : objects.deployment && appDeployment(`${name}-deployment`, objects.deployment, opts);
    if (!workload) {
        throw new Error(`app ${app.id} has neither a Deployment nor a StatefulSet`);
    }
    const { service, networkPolicy } = registerServiceAndPolicy(name, objects, opts);
    const canary = objects.canary && app.canary && {
        workload: appDeployment(`${name}-canary-deployment`, objects.canary.workload, { ...opts, protect: app.canary.app.protect }),
        ...registerServiceAndPolicy(`${name}-canary`, objects.canary, { ...opts, protect: app.canary.app.protect }),
    };
    return { secret, workload, claims, certificate, service, networkPolicy, ...(canary ? { canary } : {}) };
}
