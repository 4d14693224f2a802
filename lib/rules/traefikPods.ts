/**
 * Traefik's pods: a replica count or an autoscaler (not both), an autoscaler that can scale, and a
 * disruption budget that can hold — one that lets a drain through, and keeps a pod while it does.
 */
import { PROJECT } from "../constants";
import { PlanDraft } from "../model";
import { Problem } from "../problems";

const at = `${PROJECT}:traefik`;

function autoscalingProblems(plan: PlanDraft): Problem[] {
    const { replicas, autoscaling, resources } = plan.config.traefik;
    if (!autoscaling) {
        return [];
    }
    const problems: Problem[] = [];
    if (replicas !== undefined) {
        problems.push({
            path: `${at}.replicas`, value: replicas,
            problem: "is set beside traefik.autoscaling: the autoscaler owns the replica count, and every up would set it back",
            fix: `remove traefik.replicas (traefik.autoscaling.min, ${autoscaling.min}, is the floor), or remove traefik.autoscaling`,
        });
    }
    if (autoscaling.min > autoscaling.max) {
        problems.push({ path: `${at}.autoscaling.min`, value: autoscaling.min, problem: `is above autoscaling.max (${autoscaling.max})`, fix: "set min at most max" });
    }
    if (resources?.requests?.cpu === undefined) {
        problems.push({
            path: `${at}.resources.requests.cpu`, value: undefined,
            problem: "is required with traefik.autoscaling: the autoscaler scales on CPU use as a percent of the request, and without one it never scales",
            fix: "set traefik.resources.requests.cpu (e.g. 100m)",
        });
    }
    return problems;
}

function budgetProblems(plan: PlanDraft): Problem[] {
    const budget = plan.config.traefik.disruptionBudget;
    const { floor } = plan.traefik.availability;
    if (!budget) {
        return [];
    }
    const path = `${at}.disruptionBudget`;
    if (budget.maxUnavailable !== undefined && budget.minAvailable !== undefined) {
        return [{ path, value: budget, problem: "sets both maxUnavailable and minAvailable, and a PodDisruptionBudget takes one", fix: "keep maxUnavailable (it follows the replica count), or minAvailable" }];
    }
    if (floor < 2) {
        return [{
            path, value: budget,
            problem: "applies to one Traefik pod: a budget there either blocks every drain (the pod may never be evicted) or protects nothing",
            fix: "set traefik.replicas (or autoscaling.min) to 2 or more, or remove the budget",
        }];
    }
    if (budget.maxUnavailable === 0) {
        return [{ path: `${path}.maxUnavailable`, value: 0, problem: "blocks every drain: no Traefik pod may ever be evicted, so a node drain waits forever", fix: "set 1 (the default)" }];
    }
    if (budget.maxUnavailable !== undefined && budget.maxUnavailable >= floor) {
        return [{ path: `${path}.maxUnavailable`, value: budget.maxUnavailable, problem: `lets a drain evict every Traefik pod at once (${floor} pods kept), which stops every app`, fix: `set it below ${floor} (1, the default)` }];
    }
    if (budget.minAvailable !== undefined && budget.minAvailable >= floor) {
        return [{ path: `${path}.minAvailable`, value: budget.minAvailable, problem: `blocks every drain: with ${floor} pods, keeping ${budget.minAvailable} available lets none be evicted`, fix: `set it below ${floor}, or use maxUnavailable: 1` }];
    }
    if (budget.minAvailable === 0) {
        return [{ path: `${path}.minAvailable`, value: 0, problem: "protects nothing: a drain may evict every Traefik pod at once", fix: `set it between 1 and ${floor - 1}, or use maxUnavailable: 1` }];
    }
    return [];
}

export function traefikPodProblems(plan: PlanDraft): Problem[] {
    return [...autoscalingProblems(plan), ...budgetProblems(plan)];
}
