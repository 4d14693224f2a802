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

/** What was refused, and what was therefore not done: a stack's configuration (the default), the catalog, an import. */
export interface Refused {
    subject: string;
    outcome: string;
}

const stackConfiguration: Refused = { subject: "the stack configuration", outcome: "nothing was deployed" };

/** Raised for a refused configuration; its message lists every problem. */
export class ConfigError extends Error {
    constructor(public readonly problems: Problem[], refused: Refused = stackConfiguration) {
        super(
            `${refused.subject} has ${problems.length} problem${problems.length === 1 ? "" : "s"}; ` +
                `${refused.outcome}:\n` +
                problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}
