/**
 * Where an imported value came from, in words for the comments of what the import writes: the
 * file an object was read from and what changed it (Kustomize's transformers, by the
 * kustomization that configured them), and the entryPoint a port declaration makes.
 */
import type { AppConfigInput } from "../config/schema";
import type { DeclaredPort } from "./argocd";
import { describe, Sourced } from "./objects";

/** Kustomize's built-in transformers, by what a kustomization calls them. */
const transformerWords: Record<string, string> = {
    PatchTransformer: "patches",
    PatchStrategicMergeTransformer: "patchesStrategicMerge",
    PatchJson6902Transformer: "patchesJson6902",
    LabelTransformer: "labels",
    AnnotationsTransformer: "commonAnnotations",
    ImageTagTransformer: "images",
    PrefixTransformer: "namePrefix",
    SuffixTransformer: "nameSuffix",
    PrefixSuffixTransformer: "namePrefix/nameSuffix",
    NamespaceTransformer: "namespace",
    ReplicaCountTransformer: "replicas",
};

/** `apps/x/base/deployment.yaml, built through apps/x/overlays/dev/kustomization.yaml (patches, labels, images)`: the transformers that ran over it. */
export function sourceText(sourced: Sourced): string {
    const through = builtThrough(sourced);
    return through ? `${sourced.source.file}, ${through}` : sourced.source.file;
}

/** `built through apps/x/overlays/dev/kustomization.yaml (patches, labels, images)`, or nothing for an object as written. */
export function builtThrough({ source }: Sourced): string {
    const changes = source.changedBy.map((c) => `${c.file} (${[...new Set(c.kinds.map((k) => transformerWords[k] ?? k))].join(", ")})`);
    return changes.length > 0 ? `built through ${changes.join("; ")}` : "";
}

/** One line per object: what it is and where it came from. */
export function objectLines(objects: Sourced[]): string[] {
    return objects.map((o) => `  ${describe(o.object)}: ${sourceText(o)}`);
}

/** A catalog file's header: the app, the command that imported it, its objects' sources. */
export function appHeader(id: string, importer: "kustomize" | "ingress-nginx", from: string, objects: Sourced[]): string[] {
    return [
        `${id}: what the app is, imported by \`npm run import -- ${importer}\` from ${from}.`,
        "Each stack that runs it says what its environment changes (replicas, resources, image, labels).",
        ...objectLines(objects),
    ];
}

/** A stack's entryPoint declaration for a port: exposedPort only where it differs. */
export function entryPointConfig(name: string, declared: DeclaredPort): NonNullable<AppConfigInput["entryPoint"]> {
    return {
        name,
        port: declared.port,
        ...(declared.exposedPort !== declared.port ? { exposedPort: declared.exposedPort } : {}),
        ...(declared.nodePort !== undefined ? { nodePort: declared.nodePort } : {}),
        ...(declared.proxyProtocol ? { proxyProtocol: declared.proxyProtocol } : {}),
    };
}
