/** Facts that validation, the program and the policy pack share: each written once. */

/** The Pulumi project, and the namespace of its config keys (`tcp-platform:<key>`). */
export const PROJECT = "tcp-platform";

/** The chart version the seed's Argo CD application pins; used when a stack names none. */
export const DEFAULT_CHART_VERSION = "26.0.0";

/** Where the Traefik chart comes from when a stack names no local path. */
export const TRAEFIK_CHART_REPO = "https://traefik.github.io/charts";

/** Kubernetes' default NodePort range (the API server's --service-node-port-range). */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** What is shown in place of a secret's value, wherever one would be shown. */
export const HIDDEN_SECRET = "[not shown]";

/** Size of each claim of a stateful app when the stack names none. */
export const DEFAULT_STORAGE_SIZE = "1Gi";
