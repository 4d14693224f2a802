/**
 * A schema's refusal of an object as a Problem: the stack key that brings the object (as precise
 * as the plan knows it), the bad value, what the schema says and the fix.
 */
import type { ErrorObject } from "ajv";
import { PROJECT } from "../constants";
import { QUANTITY_PATTERN } from "../quantity";
import { StackConfig } from "../config/schema";
import { PlatformPlan } from "../model";
import { Problem } from "../problems";
import { Manifest } from "./appObjects";
import { pointerKeys, pointerStep, valueAt } from "../valuePath";

/** `/spec/ports/0/port` as `spec.ports[0].port`. */
export function fieldPath(pointer: string): string {
    return pointerKeys(pointer).reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : /^[\w-]+$/.test(part) ? `${out}${out ? "." : ""}${part}` : `${out}[${JSON.stringify(part)}]`), "");
}

/** Where an app's key lands in its objects: `apps.<id>.<key>` where the app's entry sets it, else `defaults.<key>`. */
const APP_FIELDS: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^\/spec\/replicas$/, () => "replicas"],
    [/^\/spec\/template\/spec\/containers\/0\/resources(?:\/(\w+)(?:\/(\w+))?)?$/, (m) => ["resources", m[1], m[2]].filter(Boolean).join(".")],
    [/^(?:\/spec\/volumeClaimTemplates\/0)?\/spec\/resources\/requests\/storage$/, () => "storage.size"],
    [/^(?:\/spec\/volumeClaimTemplates\/0)?\/spec\/storageClassName$/, () => "storage.storageClass"],
    [/^\/spec\/(?:hostnames|dnsNames)\/\d+$/, () => "host"],
];

/** An app's key of `apps.<id>` (`at`), as its entry or the stack's defaults set it. */
function appKey(config: StackConfig, at: string, field: string): string {
    const app = new RegExp(`^${PROJECT}:apps\\.([^.]+)$`).exec(at)?.[1];
    const entry = app === undefined ? undefined : Object.entries(config.apps).find(([id]) => id === app)?.[1];
    const top = field.split(".")[0];
    const sets = (values: object | undefined) => Object.entries(values ?? {}).some(([k, v]) => k === top && v !== undefined);
    return sets(entry) || !sets(config.defaults) ? `${at}.${field}` : `${PROJECT}:defaults.${field}`;
}

/**
 * The key of the field at `pointer` of an object `at` brings, as precisely as the plan knows it:
 * an app's replicas, resources, storage and host; a Gateway listener's app; the scrape interval.
 */
export function keyOfField(plan: PlatformPlan, kind: string, at: string, pointer: string): string {
    const listener = kind === "Gateway" ? /^\/spec\/listeners\/(\d+)(\/hostname)?/.exec(pointer) : null;
    const planned = listener ? plan.traefik.gateway?.listeners[Number(listener[1])] : undefined;
    if (planned) {
        return `${planned.path}${listener?.[2] ? ".host" : ""}`;
    }
    if (kind === "PodMonitor" && /^\/spec\/podMetricsEndpoints\/\d+\/interval$/.test(pointer)) {
        return `${at}.scrapeInterval`;
    }
    if (!at.startsWith(`${PROJECT}:apps.`)) {
        return at;
    }
    for (const [pattern, key] of APP_FIELDS) {
        const match = pattern.exec(pointer);
        if (match) {
            return appKey(plan.config, at, key(match));
        }
    }
    return at;
}

/** Fixes for the patterns of the schemas the program's values meet. */
const PATTERN_FIXES: Record<string, string> = {
    [QUANTITY_PATTERN]: "write a number with at most one suffix: m, k, M, G, T, Ki, Mi, Gi, Ti (500m, 64Mi, 1Gi)",
    // The Prometheus Operator's Duration.
    "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$":
        "use a duration Prometheus reads: whole numbers of ms, s, m, h, d, w or y (\"30s\", \"1m30s\")",
};

function article(word: string): string {
    return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** What is wrong and what to do, by the schema keyword that refused the value. */
function explain(error: ErrorObject, field: string): { problem: string; fix: string } {
    const { keyword, params } = error;
    const p: Record<string, unknown> = params;
    switch (keyword) {
        case "additionalProperties":
            return { problem: `sets ${field ? `${field}.` : ""}${String(p.additionalProperty)}, a field it does not have`, fix: "leave the field out: it is misspelt or belongs to another version" };
        case "required":
            return { problem: `lacks ${field ? `${field}.` : ""}${String(p.missingProperty)}`, fix: `set ${String(p.missingProperty)}` };
        case "type":
            return { problem: `${field} is not ${article(String(p.type))}`, fix: `write ${article(String(p.type))}` };
        case "enum":
            return { problem: `${field} is not one of the values it takes`, fix: `use one of: ${JSON.stringify(p.allowedValues)}` };
        case "pattern":
            return p.pattern === QUANTITY_PATTERN
                ? { problem: `${field} is not a Kubernetes quantity`, fix: PATTERN_FIXES[QUANTITY_PATTERN] }
                : { problem: `${field} does not match ${String(p.pattern)}`, fix: PATTERN_FIXES[String(p.pattern)] ?? `use a value matching ${String(p.pattern)}` };
        case "anyOf":
        case "oneOf":
            return { problem: `${field} is none of the forms it takes`, fix: `write a value of the schema at ${error.schemaPath}` };
        case "maxLength":
            return { problem: `${field} is longer than ${String(p.limit)} characters`, fix: `shorten it to at most ${String(p.limit)} characters` };
        case "minLength":
            return { problem: `${field} is shorter than ${String(p.limit)} characters`, fix: `lengthen it to at least ${String(p.limit)} characters` };
        case "maxItems":
        case "minItems":
            return { problem: `${field} has ${keyword === "maxItems" ? "more" : "fewer"} than ${String(p.limit)} items`, fix: `list ${keyword === "maxItems" ? "at most" : "at least"} ${String(p.limit)}` };
        case "maximum":
        case "minimum":
        case "exclusiveMaximum":
        case "exclusiveMinimum":
            return { problem: `${field} must be ${String(p.comparison)} ${String(p.limit)}`, fix: `use a value ${String(p.comparison)} ${String(p.limit)}` };
        case "format":
            return { problem: `${field} is not ${article(String(p.format))}`, fix: p.format === "int32" ? "use an integer from -2147483648 to 2147483647" : `write ${article(String(p.format))}` };
        case "x-kubernetes-list-type": {
            const by = typeof p.keys === "string" && p.keys ? p.keys : "value";
            return { problem: `${field} has two items of the same ${by} (the list's key)`, fix: `give each item its own ${by}` };
        }
        default:
            return { problem: `${field} ${error.message ?? "is refused"}`, fix: "change the value the schema refuses" };
    }
}

/** The object as messages name it: `Deployment backend/tcp-echo-demo`. */
export function objectName(manifest: Manifest): string {
    const { namespace, name } = manifest.metadata;
    return `${manifest.kind} ${typeof namespace === "string" ? `${namespace}/` : ""}${name}`;
}

/** One refusal by the schema `against`, of `manifest`, which the key `at` brings. */
export function fieldProblem(error: ErrorObject, manifest: Manifest, at: string, against: string, plan: PlatformPlan): Problem {
    const { problem, fix } = explain(error, fieldPath(error.instancePath));
    const extra = typeof error.params.additionalProperty === "string" ? pointerStep(error.params.additionalProperty) : "";
    return {
        path: keyOfField(plan, manifest.kind, at, error.instancePath),
        value: valueAt(manifest, pointerKeys(`${error.instancePath}${error.keyword === "additionalProperties" ? extra : ""}`)),
        problem: `${objectName(manifest)} ${problem}, which ${against} refuses: the API server would refuse the object at pulumi up`,
        fix,
    };
}
