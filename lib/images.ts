/** Image references: split into name, tag and digest once, for the stacks' mappings and the policy pack. */

export interface ImageRef {
    name: string;
    tag?: string;
    digest?: string;
}

/** `registry:5000/team/app:1.0@sha256:...` into its parts; a registry port is not a tag. */
export function splitImage(image: string): ImageRef {
    const [beforeDigest, digest] = image.split("@", 2);
    const lastSlash = beforeDigest.lastIndexOf("/");
    const colon = beforeDigest.indexOf(":", lastSlash + 1);
    return colon < 0
        ? { name: beforeDigest, digest }
        : { name: beforeDigest.slice(0, colon), tag: beforeDigest.slice(colon + 1), digest };
}

/** One of a stack's `images` entries (Kustomize `images:` semantics). */
export interface ImageMapping {
    name: string;
    newName?: string;
    newTag?: string;
    digest?: string;
}

/** The image an app runs after the stack's `images` mappings. */
export function mapImage(image: string, mappings: ImageMapping[]): { image: string; mapped: boolean } {
    const { name, tag, digest } = splitImage(image);
    const mapping = mappings.find((m) => m.name === name);
    if (!mapping) {
        return { image, mapped: false };
    }
    const newName = mapping.newName ?? name;
    if (mapping.digest) {
        return { image: `${newName}@${mapping.digest}`, mapped: true };
    }
    const newTag = mapping.newTag ?? tag;
    return { image: newName + (digest ? `@${digest}` : newTag ? `:${newTag}` : ""), mapped: true };
}

/**
 * The image before `mappings` made `image` of it (Kustomize's images transformer run backwards):
 * the mapping's name, with the tag or digest `image` has when the mapping set neither; undefined
 * when no mapping gives `image`.
 */
export function unmapImage(image: string, mappings: ImageMapping[]): { image: string; mapping: number } | undefined {
    const built = splitImage(image);
    for (const [i, m] of mappings.entries()) {
        const original = m.newTag || m.digest ? m.name : m.name + (built.digest ? `@${built.digest}` : built.tag ? `:${built.tag}` : "");
        if (mapImage(original, [m]).image === image) {
            return { image: original, mapping: i };
        }
    }
    return undefined;
}

/** The one mapping that makes `to` of `from` (undefined when they are the same image, or none can: a mapping cannot drop a tag). */
export function mappingBetween(from: string, to: string): ImageMapping | undefined {
    if (from === to) {
        return undefined;
    }
    const a = splitImage(from);
    const b = splitImage(to);
    const mapping: ImageMapping = {
        name: a.name,
        ...(b.name !== a.name ? { newName: b.name } : {}),
        ...(b.digest ? { digest: b.digest } : b.tag !== undefined && b.tag !== a.tag ? { newTag: b.tag } : {}),
    };
    return mapImage(from, [mapping]).image === to ? mapping : undefined;
}
