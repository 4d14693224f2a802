/**
 * PromQL selectors built from typed values: every label value the alerts and the dashboard put
 * into a query goes through here, quoted and escaped as PromQL's string literals take it (and as a
 * regular expression where it is matched as one).
 */

/** A PromQL string literal: double-quoted, backslash and quote escaped. */
export function promString(value: string): string {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** A literal text as an RE2 expression that matches only it. */
export function literalRegex(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One label matcher: equality, or `=~` for a regular expression. */
export type Matcher = string | { regex: string };

/** `metric{label="value",...}`, labels in the order given. */
export function selector(metric: string, labels: Record<string, Matcher>): string {
    const matchers = Object.entries(labels).map(([name, m]) => (typeof m === "string" ? `${name}=${promString(m)}` : `${name}=~${promString(m.regex)}`));
    return `${metric}{${matchers.join(",")}}`;
}

/** A range for rate/deriv windows: Prometheus's duration syntax in seconds. */
export function range(seconds: number): string {
    return `[${seconds}s]`;
}
