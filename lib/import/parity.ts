/**
 * Parity: every field of an object users run today (`kubectl kustomize` of an overlay, an object
 * of the live cluster) must be in what the stack renders, with the same value; the render may hold
 * more. The import refuses what would differ, and the unit tier checks the imported stacks with it.
 */
import type { Problem } from "../problems";
import { describe, KubeObject, refusal, Sourced } from "./objects";
import { builtThrough } from "./provenance";

/** Every leaf of `expected` must be in `actual` with the same value; `actual` may hold more. Lists have the same length. */
export function missingFields(expected: unknown, actual: unknown, at = ""): string[] {
    if (expected !== null && typeof expected === "object") {
        if (actual === null || typeof actual !== "object" || Array.isArray(expected) !== Array.isArray(actual)) {
            return [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
        }
        if (Array.isArray(expected) && (actual as unknown[]).length !== expected.length) {
            return [`${at}: expected ${expected.length} items, got ${(actual as unknown[]).length}`];
        }
        return Object.entries(expected).flatMap(([key, value]) => missingFields(value, (actual as Record<string, unknown>)[key], `${at}.${key}`));
    }
    return expected === actual ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/** A field the stack leaves out on purpose, and why (the seed's overlay sets it; nothing reads it). */
export interface LeftOut {
    kinds: string[];
    field: string;
    why: string;
}

export const LEFT_OUT: LeftOut[] = [{
    kinds: ["IngressRouteTCP", "IngressRouteUDP"],
    field: "metadata.annotations.traefik.ingress.kubernetes.io/router.entrypoints",
    why: "only Traefik's Ingress provider reads this annotation; an IngressRouteTCP's entryPoints are its spec's",
}];

/** The differences between `expected` and the rendered object of the same kind, namespace and name, left-out fields aside. */
export function differences(expected: KubeObject, rendered: KubeObject[]): string[] {
    const at = `${expected.kind}/${expected.metadata.name}`;
    const actual = rendered.find((m) => m.kind === expected.kind && m.metadata.name === expected.metadata.name &&
        (m.metadata.namespace ?? "") === (expected.metadata.namespace ?? ""));
    if (!actual) {
        return [`${at}: the render has no such object`];
    }
    const leftOut = LEFT_OUT.filter((l) => l.kinds.includes(expected.kind)).map((l) => `${at}.${l.field}:`);
    return missingFields(expected, actual, at).filter((d) => !leftOut.some((prefix) => d.startsWith(prefix)));
}

/** What `stack` would change of objects users run: one refusal per object, naming its file, its fields and their values. */
export function parityProblems(stack: string, expected: Sourced[], rendered: KubeObject[]): Problem[] {
    return expected.flatMap((sourced) => {
        const found = differences(sourced.object, rendered);
        if (found.length === 0) {
            return [];
        }
        const prefix = `${sourced.object.kind}/${sourced.object.metadata.name}`;
        const fields = found.map((d) => d.slice(prefix.length).replace(/^\./, ""));
        return [refusal(sourced, found[0].endsWith("the render has no such object")
            ? `has no counterpart in stack ${stack}: the stack creates no ${sourced.object.kind} of that name`
            : `would not be kept by stack ${stack}${builtThrough(sourced) ? ` (${builtThrough(sourced)})` : ""}: ${fields.join("; ")}`,
        found[0].endsWith("the render has no such object")
            ? `the import carries Deployments, their Services and IngressRouteTCP/UDP routes (and the namespaces and NetworkPolicies the stack makes); move ${describe(sourced.object)} out of what is imported, or keep managing it as today`
            : "the stack has no setting for these fields: change the source so that it needs none, or keep managing this app as today")];
    });
}
