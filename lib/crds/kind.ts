/** A custom resource kind the program creates: its apiVersion and kind, and (as a type only) its spec. */
export interface CrdKind<Spec> {
    apiVersion: string;
    kind: string;
    /** Never set: it carries the spec's type to the resource class that creates objects of the kind. */
    readonly spec?: Spec;
}

/** The group and version of every traefik.io kind the program creates (Traefik's chart serves only this one). */
export const TRAEFIK_API_VERSION = "traefik.io/v1alpha1";
