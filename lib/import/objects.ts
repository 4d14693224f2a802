/**
 * Kubernetes objects as an import reads them (built by Kustomize, or read from a file or the live
 * cluster), where each came from, and the refusal style of an import: the file, the object, the
 * reason and the fix, in the shape of the stack configuration's Problem.
 */
import type { Problem } from "../problems";
import { valueAt } from "../valuePath";

/** An object as YAML or the API gives it: only what the import reads is typed. */
export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [field: string]: unknown };
    [field: string]: unknown;
}

/** Where an object came from: the file that wrote it, and what changed it on the way (Kustomize's transformers). */
export interface Source {
    file: string;
    /** Kustomization files whose transformers changed it, with the transformers' kinds. */
    changedBy: { file: string; kinds: string[] }[];
}

/** An object and where it came from. */
export interface Sourced {
    object: KubeObject;
    source: Source;
}

/** `Deployment backend/tcp-echo-demo`. */
export function describe(object: Pick<KubeObject, "kind" | "metadata">): string {
    const { namespace, name } = object.metadata;
    return `${object.kind} ${namespace ? `${namespace}/` : ""}${name}`;
}

/** A refusal of an import: the file and the object it names, the value, the reason and the fix. */
export function refusal(at: Sourced | string, problem: string, fix: string, value?: unknown): Problem {
    const path = typeof at === "string" ? at : `${at.source.file}: ${describe(at.object)}`;
    return { path, value, problem, fix };
}

/** The labels of an object (none: an empty mapping). */
export function labelsOf(object: KubeObject): Record<string, string> {
    return object.metadata.labels ?? {};
}

/** A field of a loosely typed object, by path: `field(o, "spec", "selector", "matchLabels")`. */
export function field(object: unknown, ...path: (string | number)[]): unknown {
    return valueAt(object, path);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A string-to-string mapping (labels, selectors), or undefined when it is not one. */
export function stringMap(value: unknown): Record<string, string> | undefined {
    return isRecord(value) && Object.values(value).every((v) => typeof v === "string") ? (value as Record<string, string>) : undefined;
}

/** Whether every label of `selector` is in `labels` with the same value. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The kinds that make an app: its workload, its Service, its route. */
export const ROUTE_KINDS = ["IngressRouteTCP", "IngressRouteUDP"] as const;
