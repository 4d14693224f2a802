/** Durations in what Traefik (Go's time.ParseDuration) and Prometheus both read. */

/** Seconds as "90s", or "1500ms" below whole seconds: both Go and Prometheus read either. */
export function durationText(seconds: number): string {
    return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}
