/**
 * A YAML file a user wrote (a stack file, a catalog file) as a value, or the one problem that
 * stops it being read: bad syntax, or one of the reader's limits against resource exhaustion
 * (nesting depth, aliases), each said as what it is.
 */
import * as YAML from "yaml";
import { Problem } from "../problems";

/** Deeper than any file of this project needs (a stack's keys nest about 8 levels), far below what exhausts the reader. */
export const MAX_NESTING = 64;
/** Alias expansions the reader follows: the yaml package's default, a guard against "billion laughs" files. */
export const MAX_ALIASES = 100;

const NESTING_FIX = `a stack or catalog file nests a few levels: look for an unclosed '[' or '{', or indentation that keeps growing, and keep within ${MAX_NESTING} levels`;

/** How deep collections nest under `node`, counted without recursion (the limit is about deep input). */
function nestingDepth(node: unknown): number {
    let deepest = 0;
    const pending: [unknown, number][] = [[node, 0]];
    while (pending.length > 0) {
        const [next, depth] = pending.pop()!;
        if (YAML.isMap(next) || YAML.isSeq(next)) {
            deepest = Math.max(deepest, depth + 1);
            for (const item of next.items) {
                if (YAML.isPair(item)) {
                    pending.push([item.key, depth + 1], [item.value, depth + 1]);
                } else {
                    pending.push([item, depth + 1]);
                }
            }
        }
    }
    return deepest;
}

export type YamlRead = { ok: true; value: unknown } | { ok: false; problem: Problem };

export function readYamlText(text: string, where: string): YamlRead {
    const fail = (problem: string, fix: string): YamlRead => ({ ok: false, problem: { path: where, value: undefined, problem, fix } });
    const doc = YAML.parseDocument(text);
    const [error] = doc.errors;
    if (error?.code === "RESOURCE_EXHAUSTION") {
        const [line, col] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [0, 0];
        return fail(`nests deeper than the YAML reader follows (it stopped at line ${line}, column ${col})`, NESTING_FIX);
    }
    if (error) {
        return fail(`is not valid YAML: ${error.message.split("\n")[0]}`, "correct the YAML syntax");
    }
    const depth = nestingDepth(doc.contents);
    if (depth > MAX_NESTING) {
        return fail(`nests ${depth} levels deep, more than the ${MAX_NESTING} a file of this project may`, NESTING_FIX);
    }
    try {
        return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIASES }) };
    } catch (err) {
        if (err instanceof ReferenceError && /alias/i.test(err.message)) {
            return fail(`has aliases (*name) that expand past the reader's limit of ${MAX_ALIASES} (a guard against "billion laughs" files): ${err.message}`, "write the values out, or refer to each anchor fewer times");
        }
        return fail(`is not valid YAML: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`, "correct the YAML syntax");
    }
}
