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
