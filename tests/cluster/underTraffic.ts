/**
 * One change of the stack (a `pulumi up`) run while clients use another app through Traefik:
 * connections held open before it and a bounded loop of new ones during it, and Traefik's pods
 * before and after. What it reports is what the change did to everyone else's traffic.
 */
import { kubectlJson } from "../support/harness";
import { isReady, Pod } from "./node";
import { Attempt, ConnectionLoop, duringChange, HeldConnection, poller, until } from "./traffic";

export interface ChangeReport {
    what: string;
    /** Seconds the change took (its `pulumi up`), and until Traefik's pods had settled after it. */
    upSeconds: number;
    held: number;
    /** Held connections the server side closed, and when (seconds after the up began). */
    closed: { at: number; how: string }[];
    attempts: number;
    refused: Attempt[];
    podsBefore: string[];
    podsAfter: string[];
    /** When each replaced Traefik pod was deleted (its deletionTimestamp minus its grace), seconds after the up began. */
    deletedAt: number[];
}

/** Traefik's pods (by the chart's selector label) in `namespace`. */
export function traefikPods(env: Record<string, string>, namespace: string): Pod[] {
    return kubectlJson<{ items: Pod[] }>(env, "get", "pods", "-n", namespace, "-l", "app.kubernetes.io/name=traefik").items;
}

/**
 * Runs `change` while `heldCount` connections to `port` are held and a loop connects to it every
 * 200 ms; waits `settleSeconds` (at least until Traefik's pods are all Ready and no old one is
 * left) before it counts.
 */
export async function underTraffic(env: Record<string, string>, traefikNamespace: string, port: number, what: string, change: () => Promise<void>, settleSeconds: number, heldCount = 3): Promise<ChangeReport> {
    const podsBefore = traefikPods(env, traefikNamespace).filter(isReady).map((p) => p.metadata.name).sort();
    const held = Array.from({ length: heldCount }, () => new HeldConnection(port));
    await until(10, "the held connections to exchange", () => (held.every((h) => h.exchanges >= 1) ? true : undefined), () => held.map((h) => h.describe()).join("; "));
    const loop = new ConnectionLoop(port, 1500);
    const deletions = new Map<string, number>();
    const watch = poller(() => {
        for (const p of traefikPods(env, traefikNamespace)) {
            if (p.metadata.deletionTimestamp && podsBefore.includes(p.metadata.name)) {
                const grace = (p.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30;
                deletions.set(p.metadata.name, Date.parse(p.metadata.deletionTimestamp) - grace * 1000);
            }
        }
    }, 500, settleSeconds + 900);
    const t0 = Date.now();
    let upSeconds = 0;
    const attempts = await duringChange(async () => {
        await change();
        upSeconds = (Date.now() - t0) / 1000;
        const settled = Date.now() + settleSeconds * 1000;
        await until(settleSeconds + 240, "Traefik's pods to settle", () => {
            const now = traefikPods(env, traefikNamespace);
            return Date.now() >= settled && now.length > 0 && now.every(isReady) ? true : undefined;
        });
    }, loop, watch, held);
    for (const h of held) {
        h.stop();
    }
    const closed = held.filter((h) => h.ended && h.ended.how !== "stopped by the test").map((h) => ({ at: (h.ended!.at - t0) / 1000, how: h.ended!.how }));
    return {
        what, upSeconds, held: held.length, closed, attempts: attempts.length,
        refused: attempts.filter((a) => a.end !== "ok").map((a) => ({ ...a, at: a.at - t0 })),
        podsBefore, podsAfter: traefikPods(env, traefikNamespace).filter(isReady).map((p) => p.metadata.name).sort(),
        deletedAt: [...deletions.values()].map((at) => (at - t0) / 1000).sort((a, b) => a - b),
    };
}

/** One line of a report, for the test's log and BENCHMARKS.md. */
export function describeReport(r: ChangeReport): string {
    const pods = r.podsBefore.join(",") === r.podsAfter.join(",") ? "Traefik's pods unchanged" : `Traefik's pods ${r.podsBefore.join(",")} -> ${r.podsAfter.join(",")}`;
    return `${r.what}: up ${r.upSeconds.toFixed(1)} s; ${r.closed.length} of ${r.held} held connections closed${r.closed.length ? ` (at ${r.closed.map((c) => `${c.at.toFixed(1)} s`).join(", ")})` : ""}; ` +
        `${r.refused.length} of ${r.attempts} new connections failed; ${pods}${r.deletedAt.length ? `; old pods deleted at ${r.deletedAt.map((d) => `${d.toFixed(1)} s`).join(", ")}` : ""}`;
}
