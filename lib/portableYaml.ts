/**
 * YAML for other tools: kubectl, Argo CD and Prometheus read YAML 1.1 (Go's yaml.v2), where a
 * plain `no`, `on`, `0777` or `12:30` is not a string; newer readers take YAML 1.2, where `0o17`
 * is a number. Every string either would read as another type is written quoted.
 */
import * as YAML from "yaml";

// The yaml package's own resolution rules of both schemas: a plain string matching any is quoted.
const typedPlain = ["yaml-1.1", "core"].flatMap((schema) =>
    new YAML.Schema({ schema }).tags.flatMap((tag) => ("test" in tag && tag.test instanceof RegExp && tag.tag !== "tag:yaml.org,2002:str" ? [tag.test] : [])));

const MERGE_TAG = "tag:yaml.org,2002:merge";

/** Quotes, in place, every string scalar under `node` that a YAML 1.1 or 1.2 reader would not read as that string. */
export function quoteAmbiguous(node: YAML.Node | YAML.Document): void {
    YAML.visit(node, {
        Scalar(_, scalar) {
            if (typeof scalar.value === "string" && typedPlain.some((test) => test.test(scalar.value as string))) {
                scalar.type = "QUOTE_DOUBLE";
            }
        },
    });
}

/** `value` as a YAML 1.1 document (the yaml package's 1.1 schema) that YAML 1.2 readers read the same. */
export function portableDocument(value: unknown): YAML.Document {
    // Without the merge tag, whose stringifier writes a `<<` string plain (a merge key for 1.1 readers).
    const doc = new YAML.Document(value, { version: "1.1", customTags: (tags) => tags.filter((tag) => typeof tag === "string" || tag.tag !== MERGE_TAG) });
    quoteAmbiguous(doc);
    return doc;
}

export function portableYaml(value: unknown, options?: YAML.ToStringOptions): string {
    return portableDocument(value).toString(options);
}
