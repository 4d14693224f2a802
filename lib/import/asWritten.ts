/**
 * An object read back from the API server (or `kubectl get -o yaml`) as its author wrote it: what
 * the server keeps for itself (uid, resourceVersion, status, managed fields) and the defaults it
 * fills in are taken off, so that parity compares only what someone chose. A field set to other
 * than its default stays, and the stack must keep it.
 */
import { isDeepStrictEqual } from "util";
import { isRecord, KubeObject } from "./objects";

type Json = Record<string, unknown>;

/** Deletes `key` of `object` when its value is `value` (deeply). */
function dropDefault(object: unknown, key: string, value: unknown): void {
    if (isRecord(object) && isDeepStrictEqual(object[key], value)) {
        delete object[key];
    }
}

const SERVER_METADATA = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionGracePeriodSeconds"];
const SERVER_ANNOTATIONS = ["deployment.kubernetes.io/revision", "kubectl.kubernetes.io/last-applied-configuration"];

function metadata(object: Json): void {
    const meta = object.metadata as Json;
    SERVER_METADATA.forEach((key) => delete meta[key]);
    if (isRecord(meta.annotations)) {
        SERVER_ANNOTATIONS.forEach((key) => delete (meta.annotations as Json)[key]);
        if (Object.keys(meta.annotations).length === 0) {
            delete meta.annotations;
        }
    }
}

/** What the API server fills into a container when the author says nothing. */
function container(c: Json): void {
    dropDefault(c, "terminationMessagePath", "/dev/termination-log");
    dropDefault(c, "terminationMessagePolicy", "File");
    const image = typeof c.image === "string" ? c.image : "";
    const latest = !/:[^/]+$/.test(image.split("@")[0]) || image.endsWith(":latest");
    dropDefault(c, "imagePullPolicy", latest && !image.includes("@") ? "Always" : "IfNotPresent");
    dropDefault(c, "resources", {});
    for (const port of Array.isArray(c.ports) ? (c.ports as Json[]) : []) {
        dropDefault(port, "protocol", "TCP");
    }
}

function deployment(spec: Json): void {
    dropDefault(spec, "progressDeadlineSeconds", 600);
    dropDefault(spec, "revisionHistoryLimit", 10);
    dropDefault(spec, "strategy", { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
    const template = spec.template as Json | undefined;
    if (isRecord(template?.metadata)) {
        dropDefault(template.metadata, "creationTimestamp", null);
    }
    const pod = template?.spec as Json | undefined;
    if (!isRecord(pod)) {
        return;
    }
    dropDefault(pod, "dnsPolicy", "ClusterFirst");
    dropDefault(pod, "restartPolicy", "Always");
    dropDefault(pod, "schedulerName", "default-scheduler");
    dropDefault(pod, "securityContext", {});
    dropDefault(pod, "terminationGracePeriodSeconds", 30);
    for (const c of Array.isArray(pod.containers) ? (pod.containers as Json[]) : []) {
        container(c);
    }
}

function service(spec: Json): void {
    ["clusterIP", "clusterIPs", "ipFamilies"].forEach((key) => delete spec[key]);
    dropDefault(spec, "ipFamilyPolicy", "SingleStack");
    dropDefault(spec, "sessionAffinity", "None");
    dropDefault(spec, "internalTrafficPolicy", "Cluster");
    dropDefault(spec, "type", "ClusterIP");
    for (const port of Array.isArray(spec.ports) ? (spec.ports as Json[]) : []) {
        dropDefault(port, "protocol", "TCP");
    }
}

/** `object` without what the server keeps or defaults (a copy). */
export function asWritten(object: KubeObject): KubeObject {
    const copy = structuredClone(object) as Json & KubeObject;
    delete copy.status;
    metadata(copy);
    if (isRecord(copy.spec)) {
        if (copy.kind === "Deployment") {
            deployment(copy.spec);
        } else if (copy.kind === "Service") {
            service(copy.spec);
        }
    }
    return copy;
}
