/**
 * Paths into loosely typed values (parsed YAML, live objects, schema errors' JSON pointers), read
 * one way everywhere: own keys only, so that a key such as `constructor` never reaches the prototype.
 */

/** The value under one key of `value`, when `value` is an object or array that has it. */
export function member(value: unknown, key: PropertyKey): unknown {
    return value !== null && typeof value === "object" && Object.prototype.hasOwnProperty.call(value, key)
        ? (value as Record<PropertyKey, unknown>)[key]
        : undefined;
}

/** The value at `path` of `root`, or undefined where a step is missing. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((node, key) => member(node, key), root);
}

/** The keys of a JSON pointer (RFC 6901), unescaped: `/a~1b/0` is `["a/b", "0"]`. */
export function pointerKeys(pointer: string): string[] {
    return pointer.split("/").slice(1).map((key) => key.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** One key as a step of a JSON pointer: `a/b` is `/a~1b`. */
export function pointerStep(key: string): string {
    return `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
}
