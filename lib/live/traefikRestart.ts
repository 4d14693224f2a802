/**
 * Whether an up restarts Traefik, said at preview before it happens: the static configuration the
 * plan gives Traefik's pods (the record chartValues puts on them) against the one its running
 * Deployment's pods carry. Only what reaches the pod template is in the record, so it differs
 * exactly when the chart would replace the pods: growing the port pool, a new chart, resources.
 */
import { LiveRead } from "./cluster";
import { PlatformPlan } from "../model";
import { traefikValues } from "../plan/chartValues";
import { STATIC_CONFIG_ANNOTATION, StaticConfigSummary } from "../plan/traefikPodValues";

function parse(text: string | undefined): StaticConfigSummary | undefined {
    try {
        return text ? JSON.parse(text) as StaticConfigSummary : undefined;
    } catch {
        return undefined;
    }
}

/** What differs between two records, in words. */
export function staticConfigChanges(running: StaticConfigSummary, planned: StaticConfigSummary): string[] {
    const changes: string[] = [];
    if (running.chart !== planned.chart) {
        changes.push(`chart ${running.chart} -> ${planned.chart}`);
    }
    // By name and port; an entryPoint whose other settings changed is "changed".
    const short = (ep: string) => ep.split(" ")[0];
    const added = planned.entryPoints.filter((ep) => !running.entryPoints.map(short).includes(short(ep))).map(short);
    const removed = running.entryPoints.filter((ep) => !planned.entryPoints.map(short).includes(short(ep))).map(short);
    const changed = planned.entryPoints.filter((ep) => !running.entryPoints.includes(ep) && running.entryPoints.map(short).includes(short(ep))).map(short);
    for (const [what, list] of [["added", added], ["removed", removed], ["changed", changed]] as const) {
        if (list.length > 0) {
            changes.push(`entryPoints ${what}: ${list.join(", ")}`);
        }
    }
    if (running.settings !== planned.settings) {
        changes.push("other static settings (providers, arguments, resources, probes, shutdown, labels)");
    }
    return changes;
}

/** The warning for an up that replaces Traefik's pods; undefined when it does not (or nothing runs yet). */
export function restartWarning(plan: PlatformPlan, live: LiveRead): string | undefined {
    if (live === "absent" || live === "forbidden") {
        return undefined;
    }
    const planned = parse((traefikValues(plan.traefik).deployment as { podAnnotations: Record<string, string> }).podAnnotations[STATIC_CONFIG_ANNOTATION])!;
    const running = parse(live.podAnnotations?.[STATIC_CONFIG_ANNOTATION]);
    const changes = running ? staticConfigChanges(running, planned) : ["its running pods carry no record of their static configuration (installed before this program recorded it, or by hand)"];
    if (changes.length === 0) {
        return undefined;
    }
    const { availability, closesAfterSeconds } = plan.traefik;
    const apps = plan.apps.map((a) => a.id);
    const others = availability.floor >= 2
        ? "new connections go to the other ready pods meanwhile (one pod is replaced at a time)"
        : "new connections go to the new pod once it is ready (one replica: the old pod keeps serving until then)";
    return `this change restarts Traefik (${changes.join("; ")}): established connections of ${apps.length} app${apps.length === 1 ? "" : "s"} (${apps.join(", ")}) ` +
        `will be closed ${closesAfterSeconds} s after their pod's shutdown begins (traefik.gracePeriod); ${others}`;
}
