/**
 * Every use of @pulumi/kubernetesx lives here, so the library (archived upstream) can be
 * replaced in one place. kx builds the pod spec (its port and env maps) and the Deployment and
 * Secret; we keep the workload's metadata, selector and template labels explicit, because
 * `PodBuilder.asDeploymentSpec` would force `app: <container name>` (the seed needs
 * `app: tcp-echo` on container `proxy`) and `createService` would pick the Service's name itself.
 * kx's StatefulSet is a component that names the governing Service after the Pulumi resource
 * and hides the StatefulSet it creates, so stateful apps take kx's pod spec into a plain
 * StatefulSet.
 */
import * as k8s from "@pulumi/kubernetes";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import { objectMetadata } from "./metadata";
import { PlannedAppBase, PlannedStorage } from "../../lib/model";

/** Restricted Pod Security for every container we run. */
export function containerSecurityContext(app: PlannedAppBase): k8s.types.input.core.v1.SecurityContext {
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

// Owner root, group the pod's fsGroup, group-readable only: what postgres accepts for a key file.
const certificateFileMode = 0o440;

/**
 * How a pod is replaced without refusing or cutting a connection. A new pod takes traffic once it
 * accepts connections (readiness); an old one is deleted only when its successor is ready
 * (no unavailable replica). Traefik learns from the EndpointSlices that a terminating pod is
 * gone a moment after its deletion; until then it may still send it new connections, so the pod
 * keeps accepting for `drainSeconds` (a preStop sleep) before it is sent SIGTERM. Connections
 * opened before then may run until the grace period ends.
 */
export const rollout = {
    readinessPeriodSeconds: 2,
    drainSeconds: 5,
    terminationGracePeriodSeconds: 30,
} as const;

/** An app's credentials Secret, filled from Pulumi config secrets. */
export function credentialsSecret(
    name: string,
    app: PlannedAppBase,
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

/** The app's pod: one container, its told port, secrets as env refs, writable and data volumes. */
function podSpec(app: PlannedAppBase, secret: kx.Secret | undefined): pulumi.Output<k8s.types.input.core.v1.PodSpec> {
    const { container } = app;
    const env: kx.types.EnvMap = { ...app.env };
    // The Secret exists exactly when the app reads secrets (appWorkload makes it from secretEnv).
    if (secret) {
        for (const s of app.secretEnv) {
            env[s.env] = secret.asEnvValue(s.env);
        }
    }
    const writable = container.writablePaths ?? [];
    const volumes: k8s.types.input.core.v1.Volume[] = writable.map((_, i) => ({ name: `writable-${i}`, emptyDir: {} }));
    const volumeMounts: k8s.types.input.core.v1.VolumeMount[] = writable.map((mountPath, i) => ({ name: `writable-${i}`, mountPath }));
    if (app.storage) {
        volumeMounts.push({ name: app.storage.template, mountPath: app.storage.mountPath });
    }
    if (app.serverTls) {
        volumes.push({ name: "tls", secret: { secretName: app.serverTls.secretName, defaultMode: certificateFileMode } });
        volumeMounts.push({ name: "tls", mountPath: app.serverTls.mountPath, readOnly: true });
    }
    const uid = container.runAsUser ?? defaultUid;
    return new kx.PodBuilder({
        securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } },
        // No pod of ours talks to the API server.
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: rollout.terminationGracePeriodSeconds,
        volumes,
        containers: [{
            name: container.name,
            image: app.image,
            ...(container.command ? { command: container.command } : {}),
            ...(app.args.length > 0 ? { args: app.args } : {}),
            // A UDP port says so; nothing in Kubernetes probes UDP, so a UDP app is ready when it runs.
            ports: app.protocol === "UDP" ? [{ name: app.portName, containerPort: container.port, protocol: "UDP" }] : { [app.portName]: container.port },
            env,
            volumeMounts,
            ...(app.resources ? { resources: app.resources } : {}),
            securityContext: containerSecurityContext(app),
            ...(app.protocol === "TCP" ? { readinessProbe: { tcpSocket: { port: app.portName }, periodSeconds: rollout.readinessPeriodSeconds } } : {}),
            lifecycle: { preStop: { sleep: { seconds: rollout.drainSeconds } } },
        }],
    }).podSpec;
}

/**
 * The pod template's metadata: the workload's labels, and the version of the Secret the container
 * reads, so that a rotated secret rolls the pods (the Secret is updated in place, the workload too).
 * Its resourceVersion rather than a hash of its values: a hash of a password would be readable by
 * anyone who may read the workload.
 */
function templateMetadata(labels: k8s.types.input.meta.v1.ObjectMeta["labels"], secret: kx.Secret | undefined): k8s.types.input.meta.v1.ObjectMeta {
    return { labels, ...(secret ? { annotations: { [SECRET_VERSION_ANNOTATION]: secret.metadata.resourceVersion } } : {}) };
}

/** Pod-template annotation holding the resourceVersion of the Secret the pods read. */
export const SECRET_VERSION_ANNOTATION = "tcp-platform/secret-version";

/** The app's Deployment: the seed's names and labels, kx's pod spec. */
export function appDeployment(
    name: string,
    app: PlannedAppBase,
    namespace: pulumi.Input<string>,
    secret: kx.Secret | undefined,
    opts: pulumi.CustomResourceOptions,
): kx.Deployment {
    const metadata = objectMetadata(app, app.names.deployment, namespace);
    return new kx.Deployment(name, {
        metadata,
        spec: {
            replicas: app.replicas,
            selector: { matchLabels: app.selector },
            // Surge (the default 25%, at least one pod) instead of taking a serving pod away.
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } },
            template: { metadata: templateMetadata(metadata.labels, secret), spec: podSpec(app, secret) },
        },
    }, opts);
}

/** The claim of one replica (and the StatefulSet's template for it). */
export function claimSpec(storage: PlannedStorage): k8s.types.input.core.v1.PersistentVolumeClaimSpec {
    return {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: storage.size } },
        ...(storage.storageClass ? { storageClassName: storage.storageClass } : {}),
    };
}

/**
 * A stateful app's StatefulSet: one claim per replica from its template, kept when the
 * StatefulSet is deleted or scaled down, so data outlives pods, reschedules and replacements.
 */
export function appStatefulSet(
    name: string,
    app: PlannedAppBase & { storage: PlannedStorage },
    namespace: pulumi.Input<string>,
    secret: kx.Secret | undefined,
    opts: pulumi.CustomResourceOptions,
): k8s.apps.v1.StatefulSet {
    const metadata = objectMetadata(app, app.names.deployment, namespace);
    return new k8s.apps.v1.StatefulSet(name, {
        metadata,
        spec: {
            replicas: app.replicas,
            serviceName: app.names.service,
            selector: { matchLabels: app.selector },
            template: { metadata: templateMetadata(metadata.labels, secret), spec: podSpec(app, secret) },
            volumeClaimTemplates: [{ metadata: { name: app.storage.template, labels: metadata.labels }, spec: claimSpec(app.storage) }],
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        },
    }, opts);
}
