/**
 * How tools/objectSchemas.ts makes the modules' schemas say what the API server enforces, in
 * JSON Schema that ajv runs: each rewrite names the server behaviour it stands for.
 */
import { QUANTITY_PATTERN } from "../lib/quantity";

const QUANTITY_DEF = "io.k8s.apimachinery.pkg.api.resource.Quantity";

/** A schema node as JSON (OpenAPI v3 or a CRD's structural schema). */
export type SchemaTree = { [key: string]: unknown };

const OBJECT_META_DEF = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

// Documentation, and extensions about merging and client generation: nothing the server validates by.
const DROPPED = new Set(["description", "default", "example", "x-kubernetes-patch-strategy", "x-kubernetes-patch-merge-key",
    "x-kubernetes-group-version-kind", "x-kubernetes-unions", "x-kubernetes-map-type",
    // CEL rules need a CEL evaluator; the server runs them (docs/config.md says which kinds carry them).
    "x-kubernetes-validations"]);

function isTree(value: unknown): value is SchemaTree {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The value with the dropped keys removed at every level; the keys under `properties` are field names, kept. */
export function trimmed(value: unknown, fieldNames = false): unknown {
    if (Array.isArray(value)) {
        return value.map((v) => trimmed(v));
    }
    if (!isTree(value)) {
        return value;
    }
    return Object.fromEntries(Object.entries(value)
        .filter(([key]) => fieldNames || !DROPPED.has(key))
        .map(([key, v]) => [key, trimmed(v, !fieldNames && key === "properties")]));
}

/** The definitions a node refers to (`#/components/schemas/<id>`). */
export function refsOf(node: unknown): string[] {
    if (Array.isArray(node)) {
        return node.flatMap(refsOf);
    }
    if (!isTree(node)) {
        return [];
    }
    return Object.entries(node).flatMap(([key, v]) =>
        key === "$ref" && typeof v === "string" ? [v.replace("#/components/schemas/", "")] : refsOf(v));
}

/**
 * RE2 (the server's regexps) makes a pattern case-insensitive with a leading (?i), which
 * JavaScript's do not read: each letter outside a class becomes the class of both its cases.
 */
export function caseInsensitive(pattern: string): string {
    const flag = /^(\^?)\(\?i\)/;
    if (!flag.test(pattern)) {
        return pattern;
    }
    let inClass = false;
    return pattern.replace(flag, "$1").replace(/\\.|[[\]]|[A-Za-z]/g, (c) => {
        if (c === "[" || c === "]") {
            inClass = c === "[";
            return c;
        }
        return c.length > 1 || inClass ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`;
    });
}

/**
 * Server-side apply refuses a field the type does not declare ("field not declared in schema"),
 * and a CRD's structural schema prunes one: an object node with properties and no
 * additionalProperties (nor x-kubernetes-preserve-unknown-fields) is closed.
 */
function closed(node: SchemaTree, fieldNames = false): SchemaTree {
    const out: SchemaTree = {};
    for (const [key, v] of Object.entries(node)) {
        if (Array.isArray(v)) {
            const items: unknown[] = v;
            out[key] = items.map((item) => (isTree(item) ? closed(item) : item));
        } else if (isTree(v)) {
            out[key] = closed(v, !fieldNames && key === "properties");
        } else if (key === "pattern" && typeof v === "string" && !fieldNames) {
            out[key] = caseInsensitive(v);
        } else if (key === "$ref" && typeof v === "string" && !fieldNames) {
            out[key] = v.replace("#/components/schemas/", "#/$defs/");
        } else {
            out[key] = v;
        }
    }
    if (!fieldNames && isTree(node.properties) && node.additionalProperties === undefined && !node["x-kubernetes-preserve-unknown-fields"]) {
        out.additionalProperties = false;
    }
    return out;
}

/** A built-in definition as the server validates it. */
export function normalizeKubernetes(id: string, node: SchemaTree): SchemaTree {
    // The OpenAPI says only "string or number"; the API server refuses "64MB" or "1 Gi" when it parses.
    if (id === QUANTITY_DEF) {
        return { anyOf: [{ type: "string", pattern: QUANTITY_PATTERN }, { type: "number" }] };
    }
    // `format: int-or-string` beside its oneOf says what the oneOf says; ajv would take it for a string format.
    const { format, ...rest } = node;
    return closed(format === "int-or-string" ? rest : node);
}

/** A CRD's schema as the server validates a custom object: its metadata is an ObjectMeta. */
export function normalizeCrd(node: SchemaTree): SchemaTree {
    const top = closed(node);
    const properties = isTree(top.properties) ? top.properties : {};
    return { ...top, properties: { ...properties, metadata: { $ref: `#/$defs/${OBJECT_META_DEF}` } } };
}
