/**
 * YAML text of what an import writes, as a person would write it: a header comment, a comment
 * before each value saying where it came from, and small mappings of plain values in flow style
 * (`entryPoint: {name: mytcp, port: 9999, nodePort: 30999}`), as the committed stack files do.
 */
import * as YAML from "yaml";
import { portableDocument } from "../portableYaml";
import type { Comment } from "./stacks";

/** Mappings of at most this many plain values are written on one line. */
const FLOW_MAX = 4;

function flowSmallMaps(node: unknown): void {
    if (YAML.isMap(node) || YAML.isSeq(node)) {
        for (const item of node.items) {
            flowSmallMaps(YAML.isPair(item) ? item.value : item);
        }
        if (YAML.isMap(node) && node.items.length > 0 && node.items.length <= FLOW_MAX && node.items.every((p) => YAML.isScalar(p.value))) {
            node.flow = true;
        }
    }
}

/** The node a comment goes before: a mapping's key, or a list's item. */
function anchorOf(doc: YAML.Document, path: (string | number)[]): YAML.Node | undefined {
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
    const last = path[path.length - 1];
    if (YAML.isMap(parent)) {
        const pair = parent.items.find((p) => YAML.isScalar(p.key) && p.key.value === last);
        return pair && YAML.isScalar(pair.key) ? pair.key : undefined;
    }
    if (YAML.isSeq(parent) && typeof last === "number") {
        const item = parent.items[last];
        return YAML.isNode(item) ? item : undefined;
    }
    return undefined;
}

/** `value` as YAML, `header` lines at the top, each comment before the value it is about. */
export function yamlText(value: unknown, header: string[], comments: Comment[]): string {
    const doc = portableDocument(value);
    flowSmallMaps(doc.contents);
    for (const { path, text } of comments) {
        const node = anchorOf(doc, path);
        if (!node) {
            throw new Error(`a comment for ${path.join(".")}, which the document does not have`);
        }
        const before = text.split("\n").map((line) => ` ${line}`).join("\n");
        node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${before}` : before;
    }
    doc.commentBefore = header.map((line) => ` ${line}`).join("\n");
    return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
