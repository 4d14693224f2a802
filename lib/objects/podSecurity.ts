/** Pod Security Admission labels for the namespaces the program creates. */

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * `enforce` is the stack's choice; `warn` and `audit` always ask for `restricted`, so anything
 * short of it shows up in `kubectl` output and the audit log even where it is not refused.
 */
export function namespaceLabels(enforce: PodSecurityLevel): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
    };
}
