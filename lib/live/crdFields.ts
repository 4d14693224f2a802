/**
 * Whether the cluster's CRDs hold every field the plan's objects set. Where another owner
 * installed Traefik's CRDs (an older chart line's, say), the stack uses them as they are; a field
 * their schema lacks would be pruned by the API server or refused at `pulumi up`, half-way
 * through. Read from the CRD's structural schema, checked before anything is registered.
 */
import { LiveRead, SchemaNode } from "./cluster";
import { describeOwner, ownerOf } from "../ownership";
import { PlatformPlan } from "../model";
import { PROJECT } from "../constants";
import { TRAEFIK_API_VERSION } from "../crds/kind";
import { Problem } from "../problems";

/** The paths under `at` that `value` sets and `schema` does not declare (none where it keeps unknown fields). */
export function fieldsOutside(schema: SchemaNode | undefined, value: unknown, at: string): string[] {
    if (!schema || schema["x-kubernetes-preserve-unknown-fields"] || value === null || typeof value !== "object") {
        return [];
    }
    if (Array.isArray(value)) {
        return [...new Set(value.flatMap((item, i) => fieldsOutside(schema.items, item, `${at}[${i}]`)))];
    }
    const extra = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
    return Object.entries(value as Record<string, unknown>).flatMap(([key, field]) => {
        const declared = schema.properties?.[key] ?? extra;
        if (declared) {
            return fieldsOutside(declared, field, `${at}.${key}`);
        }
        return schema.properties === undefined || schema.additionalProperties === true ? [] : [`${at}.${key}`];
    });
}

/** A Traefik custom object the plan sets, with the key that brings it. */
interface PlannedCustomObject { kind: string; namespace: string; name: string; spec: unknown; path: string }

/** Traefik's custom objects of the plan: the TCP and UDP routes and the objects they refer to. */
function traefikObjectsOf(plan: PlatformPlan): PlannedCustomObject[] {
    return plan.apps.flatMap((app) => {
        if (app.kind === "http") {
            return [];
        }
        const path = `${PROJECT}:apps.${app.id}`;
        const route = app.route.kind === "IngressRouteTCP" || app.route.kind === "IngressRouteUDP" ? [{ ...app.route, namespace: app.namespace, path }] : [];
        return [...route, ...app.traefikObjects.map((o) => ({ kind: o.kind, name: o.name, spec: o.spec, namespace: app.namespace, path }))];
    });
}

/** The CRD of a traefik.io kind: Traefik's plurals are the kind's lower case and an s. */
export function traefikCrdName(kind: string): string {
    return `${kind.toLowerCase()}s.traefik.io`;
}

/** The CRDs of the traefik.io kinds the plan's objects use. */
export function traefikCrdsOf(plan: PlatformPlan): string[] {
    return [...new Set(traefikObjectsOf(plan).map((o) => traefikCrdName(o.kind)))];
}

/**
 * Objects that set fields the cluster's CRDs (another owner's: the stack does not change them)
 * do not have, each with the fields, the CRD and its owner.
 */
export function crdFieldProblems(plan: PlatformPlan, crds: Map<string, LiveRead>): Problem[] {
    const version = TRAEFIK_API_VERSION.split("/")[1];
    return traefikObjectsOf(plan).flatMap((object) => {
        const name = traefikCrdName(object.kind);
        const live = crds.get(name);
        if (live === undefined || live === "forbidden" || (live !== "absent" && !live.crd?.schemas)) {
            return [];
        }
        const schema = live === "absent" ? undefined : live.crd?.schemas?.[version];
        const missing = schema ? fieldsOutside(schema.properties?.spec, object.spec, "spec") : [];
        if (schema && missing.length === 0) {
            return [];
        }
        const lacks = live === "absent" ? `the cluster has no CRD ${name}, though it has Traefik's others`
            : schema ? `it sets ${missing.join(", ")}, which the cluster's ${name} does not have` : `the cluster's ${name} does not serve ${version}`;
        const owner = live === "absent" ? "" : ` (owned by ${describeOwner(ownerOf(live.labels))}; this stack uses them as they are)`;
        return [{
            path: object.path, value: `${object.kind} ${object.namespace}/${object.name}`,
            problem: `${lacks}${owner}: the API server would drop it or refuse it at pulumi up, half-way`,
            fix: `have the CRDs' owner apply the CRDs of Traefik's chart ${plan.traefik.chart.version} (its crds/ directory, kubectl apply --server-side -f), or leave out the keys that need them`,
        }];
    });
}
