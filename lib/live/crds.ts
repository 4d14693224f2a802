/**
 * Whose CRDs the stack uses: Traefik's and, in gateway routing, the Gateway API's. A stack
 * installs them where none are there or they are its own; otherwise their owner keeps them.
 */
import { GATEWAY_SENTINEL_CRD, LiveFacts } from "./facts";
import { describeOwner, ownerOf, sameOwner } from "../ownership";
import { PlatformPlan } from "../model";
import { Problem } from "../problems";

/**
 * Whether this stack installs Traefik's CRDs: when none are there, or they are its own (or it
 * adopts unlabelled ones); otherwise whoever installed them keeps them, and this stack uses them.
 */
export function crdDecision(plan: PlatformPlan, facts: LiveFacts, adopt: boolean): "own" | "skip" {
    const { crds } = facts;
    if (crds === "absent") {
        return "own";
    }
    if (crds === "forbidden") {
        return "skip";
    }
    const owner = ownerOf(crds.labels);
    return sameOwner(owner, plan.identity) || (owner === undefined && adopt) ? "own" : "skip";
}

/**
 * Whether this stack installs the Gateway API CRDs (gateway routing): as for Traefik's, when none
 * are there or they are its own (or it adopts unlabelled ones). Where someone else owns them they
 * stay theirs, and they must serve what Traefik reads: else the up is refused, with the reason,
 * rather than replacing CRDs that every Gateway controller of the cluster uses.
 */
export function gatewayCrdDecision(plan: PlatformPlan, facts: LiveFacts, adopt: boolean): { decision?: "own" | "skip"; problems: Problem[] } {
    const live = facts.gatewayCrds;
    if (!plan.traefik.gateway || live === undefined) {
        return { problems: [] };
    }
    if (live === "absent") {
        return { decision: "own", problems: [] };
    }
    if (live === "forbidden") {
        return { decision: "skip", problems: [] };
    }
    const owner = ownerOf(live.labels);
    if (sameOwner(owner, plan.identity) || (owner === undefined && adopt)) {
        return { decision: "own", problems: [] };
    }
    if (live.crd?.served.includes("v1alpha2")) {
        return { decision: "skip", problems: [] };
    }
    const annotations = live.crd?.annotations ?? {};
    const release = `Gateway API ${annotations["gateway.networking.k8s.io/bundle-version"] ?? "(release unknown)"}, ${annotations["gateway.networking.k8s.io/channel"] ?? "channel unknown"} channel`;
    return {
        problems: [{
            path: GATEWAY_SENTINEL_CRD.path, value: "gateway",
            problem: `needs TCPRoute served as v1alpha2 (Traefik 3.7 reads it only there), but the cluster's ${GATEWAY_SENTINEL_CRD.name} (${release}, owned by ${describeOwner(owner)}) serves ${live.crd?.served.join(", ") || "no version"}; the program does not replace CRDs another owner installed, which every Gateway controller of the cluster uses`,
            fix: "have the CRDs' owner install the experimental channel of Gateway API v1.6.1 (kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/experimental-install.yaml), or keep traefik.routing: ingressRoute",
        }],
    };
}

/**
 * How Traefik's metrics are scraped: through the Prometheus Operator (a PodMonitor and a
 * PrometheusRule) when its CRDs serve v1, else with the program's scrape config and rule file.
 * Unread (no monitoring): undefined.
 */
export function scrapeDecision(facts: LiveFacts): "operator" | "plain" | undefined {
    const crds = facts.operatorCrds;
    if (!crds) {
        return undefined;
    }
    return crds.every((crd) => typeof crd === "object" && (crd.crd?.served ?? []).includes("v1")) ? "operator" : "plain";
}
