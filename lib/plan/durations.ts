/** Durations as the schema accepts them ("1m30s", or a number of seconds), in seconds. */
import type { Duration } from "../config/schema";

/** Seconds of a duration the schema accepted. */
export function seconds(d: Duration): number {
    if (typeof d === "number") {
        return d;
    }
    const [, h = "0", m = "0", s = "0"] = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d) ?? [];
    return Number(h) * 3600 + Number(m) * 60 + Number(s);
}
