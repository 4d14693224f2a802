/**
 * What the API server checks that JSON Schema does not say by itself: the formats of Kubernetes'
 * OpenAPI and the x-kubernetes extensions, as an Ajv that compiles the objects' schemas. Written
 * as code keywords and a formats module, so that the compiled validators can be saved as a module
 * (lib/objects/validate.ts keeps them in the project's cache) and loaded without compiling.
 */
import Ajv, { _, KeywordCxt, stringify } from "ajv";
import * as net from "net";
import { member } from "../valuePath";

/** The formats the schemas use, as the server reads them. */
export const formats = {
    int32: { type: "number" as const, validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 },
    int64: { type: "number" as const, validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 63 },
    byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
    "date-time": /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i,
    ipv4: (s: string) => net.isIPv4(s),
    ipv6: (s: string) => net.isIPv6(s),
};

/** Whether a list the server keys holds each key once: by its map keys (`map`), or whole (`set`). */
export function uniqueListItems(listType: string, data: unknown, keys: string[]): boolean {
    if (!Array.isArray(data) || (listType !== "map" && listType !== "set")) {
        return true;
    }
    const keyOf = (item: unknown) => JSON.stringify(listType === "map" ? keys.map((k) => member(item, k)) : item);
    return new Set(data.map(keyOf)).size === data.length;
}

/** This module, as the saved validators require it. */
const self = __filename;

/**
 * The Ajv the schemas compile with. `source`: keep the code, to save it. Refs are compiled once
 * each, not inlined at every use (a Deployment's pod spec: a quarter of the time); the document
 * is generated and checked in CI (tests/unit/objectValidation.test.ts), not on every run.
 */
export function objectAjv(source = false): Ajv {
    const ajv = new Ajv({
        allErrors: true, inlineRefs: false, validateSchema: false, strictTypes: false, strictRequired: false, strictTuples: false,
        code: { source, formats: _`require(${self}).formats` },
    });
    // Annotations: the anyOf of integer and string says it; the list's keys are read with its type.
    ajv.addKeyword({ keyword: "x-kubernetes-int-or-string" });
    ajv.addKeyword({ keyword: "x-kubernetes-list-map-keys" });
    ajv.addKeyword({
        keyword: "x-kubernetes-list-type",
        schemaType: "string",
        error: { message: "must hold each key once", params: ({ params }) => _`{keys: ${params.keys ?? ""}}` },
        code(cxt: KeywordCxt) {
            const listKeys = member(cxt.parentSchema, "x-kubernetes-list-map-keys");
            const keys = Array.isArray(listKeys) ? listKeys.filter((k) => typeof k === "string") : [];
            const unique = cxt.gen.scopeValue("func", { ref: uniqueListItems, code: _`require(${self}).uniqueListItems` });
            cxt.setParams({ keys: keys.join(" and ") });
            const listType: unknown = cxt.schema;
            cxt.fail(_`!${unique}(${String(listType)}, ${cxt.data}, ${stringify(keys)})`);
        },
    });
    for (const [name, format] of Object.entries(formats)) {
        ajv.addFormat(name, format);
    }
    return ajv;
}
