/**
 * Every use of @pulumi/kubernetesx lives here, so the library (archived upstream) can be
 * replaced in one place. kx builds the pod spec (its port and env maps) and the Deployment and
 * Secret; we keep the Deployment's metadata, selector and template labels explicit, because
 * `PodBuilder.asDeploymentSpec` would force `app: <container name>` (the seed needs
 * `app: tcp-echo` on container `proxy`) and `createService` would pick the Service's name itself.
 */
import * as k8s from "@pulumi/kubernetes";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import { objectMetadata } from "./metadata";
import { PlannedApp } from "./plan";

/** Restricted Pod Security for every container we run. */
export function containerSecurityContext(app: PlannedApp): k8s.types.input.core.v1.SecurityContext {
    return {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: app.container.readOnlyRootFilesystem ?? true,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

// UID for images that do not name an unprivileged user of their own.
const defaultUid = 65532;

/** An app's credentials Secret, filled from Pulumi config secrets. */
export function credentialsSecret(
    name: string,
    app: PlannedApp,
    namespace: pulumi.Input<string>,
    values: Record<string, pulumi.Input<string>>,
    opts: pulumi.CustomResourceOptions,
): kx.Secret {
    return new kx.Secret(name, {
        metadata: objectMetadata(app, app.names.secret, namespace),
        type: "Opaque",
        stringData: values,
    }, opts);
}

/** The app's Deployment: one container, the seed's names and labels, secrets as env refs. */
export function appDeployment(
    name: string,
    app: PlannedApp,
    namespace: pulumi.Input<string>,
    secret: kx.Secret | undefined,
    opts: pulumi.CustomResourceOptions,
): kx.Deployment {
    const { container } = app;
    const env: kx.types.EnvMap = { ...(container.env ?? {}) };
    for (const s of app.secretEnv) {
        env[s.env] = secret!.asEnvValue(s.env);
    }
    const writable = container.writablePaths ?? [];
    const pod = new kx.PodBuilder({
        securityContext: {
            runAsNonRoot: true,
            runAsUser: container.runAsUser ?? defaultUid,
            runAsGroup: container.runAsUser ?? defaultUid,
            fsGroup: container.runAsUser ?? defaultUid,
            seccompProfile: { type: "RuntimeDefault" },
        },
        // No pod of ours talks to the API server.
        automountServiceAccountToken: false,
        volumes: writable.map((_, i) => ({ name: `writable-${i}`, emptyDir: {} })),
        containers: [{
            name: container.name,
            image: app.image,
            ...(container.args ? { args: container.args } : {}),
            ports: { [app.portName]: container.port },
            env,
            volumeMounts: writable.map((mountPath, i) => ({ name: `writable-${i}`, mountPath })),
            ...(app.resources ? { resources: app.resources } : {}),
            securityContext: containerSecurityContext(app),
        }],
    });
    const metadata = objectMetadata(app, app.names.deployment, namespace);
    return new kx.Deployment(name, {
        metadata,
        spec: {
            replicas: app.replicas,
            selector: { matchLabels: app.selector },
            template: { metadata: { labels: metadata.labels }, spec: pod.podSpec },
        },
    }, opts);
}
