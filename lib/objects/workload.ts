/**
 * An app's workload as plain data: the pod spec, the Deployment's and StatefulSet's specs and a
 * claim's. components/k8s/workload.ts registers exactly these, and lib/objects/validate.ts checks
 * them against Kubernetes' schemas before anything is registered.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { PlannedAppBase, PlannedStorage } from "../model";

type Input<T> = pulumi.Input<T>;

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

/** Pod-template annotation holding the resourceVersion of the Secret the pods read. */
export const SECRET_VERSION_ANNOTATION = "tcp-platform/secret-version";

/** The app's credentials Secret as the pods read it: its name, and the version a rotation changes. */
export interface SecretRef {
    name: string;
    resourceVersion: Input<string>;
}

/** The container's environment: the app's values, then each secret as a reference to the Secret (a later name replaces an earlier). */
function environment(app: PlannedAppBase, secret: SecretRef | undefined): k8s.types.input.core.v1.EnvVar[] {
    const env = new Map<string, k8s.types.input.core.v1.EnvVar>(Object.entries(app.env).map(([name, value]) => [name, { name, value }]));
    // The Secret exists exactly when the app reads secrets (appObjects makes it from secretEnv).
    if (secret) {
        for (const s of app.secretEnv) {
            env.set(s.env, { name: s.env, valueFrom: { secretKeyRef: { name: secret.name, key: s.env } } });
        }
    }
    return [...env.values()];
}

/** The app's pod: one container, its told port, secrets as env refs, writable and data volumes. */
export function podSpec(app: PlannedAppBase, secret: SecretRef | undefined): k8s.types.input.core.v1.PodSpec {
    const { container } = app;
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
    return {
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
            ports: [{ name: app.portName, containerPort: container.port, ...(app.protocol === "UDP" ? { protocol: "UDP" } : {}) }],
            env: environment(app, secret),
            volumeMounts,
            ...(app.resources ? { resources: app.resources } : {}),
            securityContext: containerSecurityContext(app),
            ...(app.protocol === "TCP" ? { readinessProbe: { tcpSocket: { port: app.portName }, periodSeconds: rollout.readinessPeriodSeconds } } : {}),
            lifecycle: { preStop: { sleep: { seconds: rollout.drainSeconds } } },
        }],
    };
}

/**
 * The pod template: the workload's labels, and the version of the Secret the container reads, so
 * that a rotated secret rolls the pods (the Secret is updated in place, the workload too). Its
 * resourceVersion rather than a hash of its values: a hash of a password would be readable by
 * anyone who may read the workload.
 */
function podTemplate(app: PlannedAppBase, labels: Record<string, string>, secret: SecretRef | undefined): k8s.types.input.core.v1.PodTemplateSpec {
    return {
        metadata: { labels, ...(secret ? { annotations: { [SECRET_VERSION_ANNOTATION]: secret.resourceVersion } } : {}) },
        spec: podSpec(app, secret),
    };
}

/** Labels of an app's objects: the selector's and the stack's and app's own. */
export function appLabels(app: PlannedAppBase): Record<string, string> {
    return { ...app.selector, ...app.labels };
}

/** The app's Deployment spec: the seed's selector and labels, a rollout that surges. */
export function deploymentSpec(app: PlannedAppBase, secret: SecretRef | undefined): k8s.types.input.apps.v1.DeploymentSpec {
    return {
        replicas: app.replicas,
        selector: { matchLabels: app.selector },
        // Surge (the default 25%, at least one pod) instead of taking a serving pod away.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } },
        template: podTemplate(app, appLabels(app), secret),
    };
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
 * A stateful app's StatefulSet spec: one claim per replica from its template, kept when the
 * StatefulSet is deleted or scaled down, so data outlives pods, reschedules and replacements.
 */
export function statefulSetSpec(app: PlannedAppBase & { storage: PlannedStorage }, secret: SecretRef | undefined): k8s.types.input.apps.v1.StatefulSetSpec {
    const labels = appLabels(app);
    return {
        replicas: app.replicas,
        serviceName: app.names.service,
        selector: { matchLabels: app.selector },
        template: podTemplate(app, labels, secret),
        volumeClaimTemplates: [{ metadata: { name: app.storage.template, labels }, spec: claimSpec(app.storage) }],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
    };
}
