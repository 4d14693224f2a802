/**
 * Traefik's pods as a traffic plane: how many, the disruption budget and spread that keep them
 * available, the readiness gate of a new pod, and when a replaced pod closes what it carries.
 */
import { StackConfig } from "../config/schema";
import { PlannedAvailability, PlannedReadiness, PlannedShutdown } from "../traefikModel";
import { chartFullname, chartInstance, ChartProfile, TRAEFIK_DRAIN_SECONDS, traefikSelectorKeys } from "../traefik/profile";

/** Traefik's own default graceTimeOut (`transport.lifeCycle.graceTimeOut`), where the stack sets none. */
export const TRAEFIK_DEFAULT_GRACE_SECONDS = 10;

/** The path the readiness gate answers on (a constant: no stack value reaches the rule). */
export const READINESS_PATH = "/tcp-platform/ready";

type TraefikConfig = StackConfig["traefik"];

/** Replicas (default 1), or autoscaling; a PodDisruptionBudget when at least 2 pods are kept. */
export function planAvailability(traefik: TraefikConfig, namespace: string): PlannedAvailability {
    const { autoscaling, disruptionBudget } = traefik;
    const floor = autoscaling?.min ?? traefik.replicas ?? 1;
    const budget = disruptionBudget?.minAvailable !== undefined ? { minAvailable: disruptionBudget.minAvailable } : { maxUnavailable: disruptionBudget?.maxUnavailable ?? 1 };
    return {
        ...(autoscaling ? { autoscaling: { min: autoscaling.min, max: autoscaling.max, cpu: autoscaling.cpu } } : { replicas: traefik.replicas ?? 1 }),
        floor,
        ...(floor >= 2 ? { disruptionBudget: budget } : {}),
        // The chart's `traefik.labelselector`: its name, and the instance `<release>-<namespace>`.
        podSelector: { [traefikSelectorKeys[0]]: "traefik", [traefikSelectorKeys[1]]: chartInstance(traefik.releaseName, namespace) },
    };
}

export function planReadiness(releaseName: string, profile: ChartProfile): PlannedReadiness {
    const port = profile.builtinEntryPoints.find((b) => b.name === "traefik")?.port;
    if (port === undefined) {
        throw new Error(`chart ${profile.version}'s profile has no "traefik" entryPoint`);
    }
    return { routeName: `${chartFullname(releaseName)}-ready`.slice(0, 63), path: READINESS_PATH, port };
}

/** When a pod being replaced closes its established connections: the preStop drain, then accepting, then serving. */
export function closesAfterSeconds(shutdown: PlannedShutdown | undefined): number {
    return shutdown ? shutdown.needed : TRAEFIK_DRAIN_SECONDS + TRAEFIK_DEFAULT_GRACE_SECONDS;
}
