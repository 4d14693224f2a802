/** One error style for every refused configuration: the config path, the value, the fix. */

/** One thing wrong with the configuration. */
export interface Problem {
    /** Config path, e.g. `tcp-platform:apps.tcp-demo.entryPoint.nodePort`. */
    path: string;
    /** The offending value, shown in the message (never a secret's value). */
    value: unknown;
    /** What is wrong. */
    problem: string;
    /** What to do about it. */
    fix: string;
}

function showValue(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatProblem(p: Problem): string {
    return `${p.path}: ${p.problem} (got ${showValue(p.value)}). Fix: ${p.fix}`;
}

/** Raised for a refused configuration; its message lists every problem. */
export class ConfigError extends Error {
    constructor(public readonly problems: Problem[]) {
        super(
            `the stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}; ` +
                "nothing was deployed:\n" +
                problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}
