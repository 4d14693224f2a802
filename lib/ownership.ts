/**
 * Which stack owns an object. Every object the program creates carries its project and stack as
 * labels; before anything changes, what already exists under the planned names is read back and
 * checked against them (lib/live/ reads, this module decides).
 */

/** The Pulumi project and stack a deployment belongs to. */
export interface StackIdentity {
    project: string;
    stack: string;
}

/** Label keys of ownership; reserved, so a stack's own `labels` cannot forge or drop them. */
export const OWNER_LABEL_PREFIX = "tcp-platform/";
export const ownerLabelKeys = { project: `${OWNER_LABEL_PREFIX}project`, stack: `${OWNER_LABEL_PREFIX}stack` } as const;

export function ownerLabels(identity: StackIdentity): Record<string, string> {
    return { [ownerLabelKeys.project]: identity.project, [ownerLabelKeys.stack]: identity.stack };
}

/** The owner an object's labels name, if any. */
export function ownerOf(labels: Record<string, string> | undefined): StackIdentity | undefined {
    const project = labels?.[ownerLabelKeys.project];
    const stack = labels?.[ownerLabelKeys.stack];
    return project && stack ? { project, stack } : undefined;
}

export function sameOwner(a: StackIdentity | undefined, b: StackIdentity): boolean {
    return a !== undefined && a.project === b.project && a.stack === b.stack;
}

export function describeOwner(owner: StackIdentity | undefined): string {
    return owner ? `stack ${owner.stack} of project ${owner.project}` : "no stack (no tcp-platform/stack label: made by kubectl, Helm or Argo CD?)";
}
