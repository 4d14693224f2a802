/** zod's issues, and app ids not in the catalog, as Problems: the schema pass of validation. */
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { Catalog, catalogEntry } from "../catalog";
import { HIDDEN_SECRET, PROJECT } from "../constants";
import { Problem } from "../problems";
import { valueAt } from "../valuePath";

/** How a problem's path starts: a stack's config keys are `tcp-platform:<key>`; a catalog file's, `catalog/<id>.yaml: <key>`. */
const stackKeys = `${PROJECT}:`;

function pathOf(path: readonly PropertyKey[], root: string): string {
    return path.slice(1).reduce<string>(
        (text, key) => (typeof key === "number" ? `${text}[${key}]` : `${text}.${String(key)}`),
        `${root}${String(path[0] ?? "")}`,
    );
}

/** The keys a strict object at `path` accepts, for "did you mean" hints. */
function knownKeysAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
    let schema: z.ZodType = root;
    for (const key of path) {
        schema = unwrap(schema);
        if (schema instanceof z.ZodObject) {
            schema = schema.shape[key as string] as z.ZodType;
        } else if (schema instanceof z.ZodRecord) {
            schema = schema.valueType as z.ZodType;
        } else if (schema instanceof z.ZodArray) {
            schema = schema.element as z.ZodType;
        } else {
            return [];
        }
        if (!schema) {
            return [];
        }
    }
    schema = unwrap(schema);
    return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
    let s = schema;
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) {
        s = s.unwrap() as z.ZodType;
    }
    return s;
}

/** zod's issues in our error style: path, value, problem and fix. */
export function schemaProblems(schema: z.ZodType, error: z.ZodError, raw: Record<string, unknown>, secret: Set<string>, root = stackKeys): Problem[] {
    const problems: Problem[] = [];
    const pathText = (path: readonly PropertyKey[]) => pathOf(path, root);
    const pending = [...error.issues];
    for (let issue = pending.shift(); issue !== undefined; issue = pending.shift()) {
        const value = secret.has(String(issue.path[0])) ? HIDDEN_SECRET : valueAt(raw, issue.path);
        switch (issue.code) {
            case "unrecognized_keys": {
                const known = knownKeysAt(schema, issue.path);
                for (const key of issue.keys) {
                    const suggestion = known.length ? closest(key, known) : undefined;
                    problems.push({
                        path: pathText([...issue.path, key]),
                        value: valueAt(raw, [...issue.path, key]),
                        problem: "is not a known key",
                        fix: suggestion ? `did you mean "${suggestion}"? Known keys: ${known.join(", ")}` : "remove it",
                    });
                }
                break;
            }
            case "invalid_type": {
                const expected = typeNames[issue.expected] ?? issue.expected;
                problems.push({
                    path: pathText(issue.path),
                    value,
                    problem: value === undefined ? "is required" : `must be ${article(expected)}`,
                    fix: value === undefined ? `set it (${expected})` : `write ${article(expected)} here`,
                });
                break;
            }
            case "too_small":
            case "too_big":
                problems.push({
                    path: pathText(issue.path),
                    value,
                    problem: issue.message.replace(/^Too (small|big): expected \w+ to /, "must "),
                    fix: "bring it within that range",
                });
                break;
            case "invalid_value":
                problems.push({ path: pathText(issue.path), value, problem: "is not an accepted value", fix: oneOf(issue.values, value) });
                break;
            case "invalid_union": {
                // Literals (`1 | 2`): the accepted values. Otherwise the branch that took the value's type says what is wrong.
                const branches = issue.errors;
                const literals = branches.length > 0 && branches.every((b) => b.length === 1 && b[0].code === "invalid_value" && b[0].path.length === 0)
                    ? branches.flatMap((b) => (b[0] as { values: unknown[] }).values) : undefined;
                const typed = branches.find((b) => !b.some((i) => i.code === "invalid_type" && i.path.length === 0));
                if (literals) {
                    problems.push({ path: pathText(issue.path), value, problem: "is not an accepted value", fix: oneOf(literals, value) });
                } else if (typed) {
                    const at = issue.path;
                    pending.unshift(...typed.map((i) => ({ ...i, path: [...at, ...i.path] })));
                } else {
                    const expected = branches.flatMap((b) => b.map((i) => (i.code === "invalid_type" ? typeNames[i.expected] ?? i.expected : undefined)).filter((e) => e !== undefined));
                    problems.push({ path: pathText(issue.path), value, problem: value === undefined ? "is required" : `must be ${expected.map(article).join(" or ")}`, fix: `write ${expected.map(article).join(" or ")} here` });
                }
                break;
            }
            case "invalid_key": {
                // A record key that fails its own check: report the key, with that check's words.
                const inner = issue.issues[0] as { message: string; params?: { fix?: string } } | undefined;
                problems.push({
                    path: pathText(issue.path),
                    value: issue.path[issue.path.length - 1],
                    problem: inner?.message ?? "is not an accepted key",
                    fix: inner?.params?.fix ?? "rename it",
                });
                break;
            }
            default: {
                const params = (issue as { params?: { fix?: string } }).params;
                problems.push({
                    path: pathText(issue.path),
                    value,
                    problem: issue.message,
                    fix: params?.fix ?? "correct the value",
                });
            }
        }
    }
    return problems;
}

// zod's type names, in the words of a YAML file.
const typeNames: Record<string, string> = { record: "mapping", object: "mapping", array: "list" };

/** The accepted values, the one the value misspells first ("nodeport": did you mean "NodePort"?). */
function oneOf(values: readonly unknown[], value: unknown): string {
    const list = `use one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
    const words = values.filter((v): v is string => typeof v === "string");
    if (typeof value !== "string" || words.length === 0) {
        return list;
    }
    const near = words.find((w) => w.toLowerCase() === value.toLowerCase()) ?? closest(value, words);
    return distance(near.toLowerCase(), value.toLowerCase()) <= Math.max(2, near.length / 3) ? `did you mean ${JSON.stringify(near)}? ${list}` : list;
}

function article(noun: string): string {
    return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function unknownApp(catalog: Catalog, id: string): Problem {
    const ids = Object.keys(catalog);
    return {
        path: `${PROJECT}:apps.${id}`,
        value: id,
        problem: "is not an app in the catalog",
        fix: `did you mean "${closest(id, ids)}"? Catalog apps (catalog/<id>.yaml): ${ids.join(", ")}`,
    };
}

/**
 * App ids as the stack file wrote them. The schema's record drops a `__proto__` key (JavaScript
 * would take it as the object's prototype), so ids are checked here, on the raw keys, first.
 */
export function unknownAppProblems(catalog: Catalog, raw: Record<string, unknown>): Problem[] {
    const apps = raw.apps;
    if (apps === null || typeof apps !== "object" || Array.isArray(apps)) {
        return [];
    }
    return Object.keys(apps).filter((id) => !catalogEntry(catalog, id)).map((id) => unknownApp(catalog, id));
}

/** Near-misses of this project's namespace (`tcp-platfrom:apps`, `tcpplatform:traefik`): the engine passes them on unread. */
export function namespaceProblems(otherKeys: string[]): Problem[] {
    return otherKeys.flatMap((fullKey) => {
        const colon = fullKey.indexOf(":");
        const namespace = fullKey.slice(0, colon);
        const near = distance(namespace.toLowerCase(), PROJECT) <= 3 || namespace.replace(/[-_.\s]/g, "").toLowerCase() === PROJECT.replace(/-/g, "");
        return near ? [{
            path: fullKey,
            value: namespace,
            problem: `is in the config namespace "${namespace}", which this project does not read (its keys are ${PROJECT}:<key>)`,
            fix: `did you mean "${PROJECT}:${fullKey.slice(colon + 1)}"?`,
        }] : [];
    });
}
