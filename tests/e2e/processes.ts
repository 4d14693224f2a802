/**
 * Long-running child processes of the test (backends, Traefik): output kept in a log file and in
 * memory for assertions, bounded waits, and a stop that always ends in SIGKILL.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";

/** Every process started here, killed when the test process exits without stopping them. */
const started = new Set<ChildProcess>();
process.once("exit", () => {
    for (const child of started) {
        if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGKILL");
        }
    }
});

export class ManagedProcess {
    readonly child: ChildProcess;
    /** Everything the process wrote to stdout and stderr so far. */
    output = "";
    private exited: Promise<number | null>;
    private exitCode: number | null | undefined;

    constructor(readonly name: string, command: string, args: string[], readonly logFile: string, env: NodeJS.ProcessEnv = process.env) {
        const log = fs.createWriteStream(logFile);
        this.child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        started.add(this.child);
        const collect = (chunk: Buffer) => {
            this.output += chunk.toString("utf8");
            log.write(chunk);
        };
        this.child.stdout?.on("data", collect);
        this.child.stderr?.on("data", collect);
        this.exited = new Promise((resolve) => {
            this.child.on("error", (err) => {
                collect(Buffer.from(`spawn error: ${err.message}\n`));
                this.exitCode = null;
                resolve(null);
            });
            this.child.on("exit", (code) => {
                started.delete(this.child);
                this.exitCode = code;
                log.end();
                resolve(code);
            });
        });
    }

    get running(): boolean {
        return this.exitCode === undefined;
    }

    /** Waits until the output matches `pattern`; fails early when the process exits. */
    async waitForOutput(pattern: RegExp, seconds: number): Promise<RegExpMatchArray> {
        const deadline = Date.now() + seconds * 1000;
        while (Date.now() < deadline) {
            const match = pattern.exec(this.output);
            if (match) {
                return match;
            }
            if (!this.running) {
                throw new Error(`${this.name} exited (code ${String(this.exitCode)}) before printing ${String(pattern)}:\n${this.tail()}`);
            }
            await sleep(100);
        }
        throw new Error(`${this.name}: no ${String(pattern)} after ${seconds} s:\n${this.tail()}`);
    }

    /** The last lines of output, for failure messages. */
    tail(lines = 30): string {
        return this.output.trimEnd().split("\n").slice(-lines).join("\n");
    }

    /** SIGTERM, then SIGKILL after `graceSeconds`; resolves when the process is gone. */
    async stop(graceSeconds = 10): Promise<void> {
        if (!this.running) {
            return;
        }
        this.child.kill("SIGTERM");
        const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceSeconds * 1000));
        if ((await Promise.race([this.exited, timer])) === "timeout") {
            this.child.kill("SIGKILL");
            await Promise.race([this.exited, sleep(5000)]);
        }
    }
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls an async check until it returns a value other than undefined, or fails with its last error. */
export async function eventuallyAsync<T>(seconds: number, what: string, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    let last: unknown;
    while (Date.now() < deadline) {
        try {
            const value = await check();
            if (value !== undefined) {
                return value;
            }
        } catch (err) {
            last = err;
        }
        await sleep(500);
    }
    const reason = last instanceof Error ? `: ${last.message}` : "";
    throw new Error(`timed out after ${seconds} s waiting for ${what}${reason}`);
}
