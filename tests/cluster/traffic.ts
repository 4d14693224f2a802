/**
 * Traffic the cluster tier drives through Traefik while it changes things: one short exchange,
 * a bounded loop of them (what a client connecting now sees), and connections held open across
 * a change (what an established session sees). Bare TCP sockets, no protocol, so that a refusal,
 * a reset and a close are told apart and each byte is timed. Only 127.0.0.x is ever dialled.
 */
import { randomBytes } from "crypto";
import * as net from "net";
import { LOOPBACK } from "./clients";
import { sleep } from "./node";

export const nonce = (label: string) => `${label}-${randomBytes(6).toString("hex")}`;

/** Polls `check` every 250 ms until it returns a value other than undefined, or `seconds` pass. */
export async function until<T>(seconds: number, what: string, check: () => T | undefined | Promise<T | undefined>, last: () => string = () => ""): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
        const value = await check();
        if (value !== undefined) {
            return value;
        }
        await sleep(250);
    }
    throw new Error(`timed out after ${seconds} s waiting for ${what}${last() ? `; last: ${last()}` : ""}`);
}

/**
 * Runs `each` every `intervalMs` until `stop` is awaited, for at most `maxSeconds`: a watch beside
 * a change that cannot outlive its test (a failed test that never stopped it kept mocha running).
 */
export function poller(each: () => void, intervalMs: number, maxSeconds: number): { stop: () => Promise<void> } {
    let polling = true;
    const deadline = Date.now() + maxSeconds * 1000;
    const done = (async () => {
        while (polling && Date.now() < deadline) {
            each();
            await sleep(intervalMs);
        }
    })();
    return { stop: async () => { polling = false; await done; } };
}

/**
 * Runs `change` while `loop` connects and `watch` polls beside it, and stops both however it ends
 * (the held connections too when it fails): returns the attempts the loop made meanwhile.
 */
export async function duringChange(change: () => Promise<void>, loop: ConnectionLoop, watch: { stop: () => Promise<void> }, held: HeldConnection[]): Promise<Attempt[]> {
    try {
        await change();
    } catch (err) {
        for (const h of held) {
            h.stop();
        }
        await loop.stop();
        await watch.stop();
        throw err;
    }
    const attempts = await loop.stop();
    await watch.stop();
    return attempts;
}

/** The outcome of one short TCP exchange: sent a line, expected exactly it back. */
export interface Attempt { at: number; end: string; ms: number }

/**
 * One connection to 127.0.0.1:`port` (from `source`, a loopback address): send a line, read it
 * back, close. Never throws; bounded.
 */
export function exchangeOnce(port: number, timeoutMs = 3000, source?: string): Promise<Attempt> {
    return new Promise((resolve) => {
        const at = Date.now();
        const line = `${nonce("loop")}\n`;
        let got = "";
        let settled = false;
        const socket = net.connect({ host: LOOPBACK, port, ...(source ? { localAddress: source } : {}) });
        const finish = (end: string) => {
            if (!settled) {
                settled = true;
                clearTimeout(timer);
                socket.destroy();
                resolve({ at, end, ms: Date.now() - at });
            }
        };
        const timer = setTimeout(() => finish(got ? `timeout after ${JSON.stringify(got)}` : "timeout"), timeoutMs);
        socket.on("connect", () => socket.write(line));
        socket.on("data", (d) => {
            got += d.toString();
            if (got === line) {
                finish("ok");
            } else if (!line.startsWith(got)) {
                finish(`wrong bytes ${JSON.stringify(got)}`);
            }
        });
        socket.on("error", (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
        socket.on("close", () => finish(got ? `closed after ${JSON.stringify(got)}` : "closed before any byte"));
    });
}

/**
 * New connections, one every `intervalMs`, at most `max` of them, until `stop`. Each from another
 * loopback source address: back-to-back connections from one address to a localhost NodePort are
 * refused now and then whatever the pods do (the kernel reuses loopback ports still in TIME_WAIT,
 * tcp_tw_reuse=2): 21 of 1500 to a plain NodePort Service with no Traefik and no rollout, 0 of
 * 1500 with rotating sources.
 */
export class ConnectionLoop {
    readonly attempts: Attempt[] = [];
    private looping = true;
    private readonly done: Promise<void>;

    constructor(port: number, max = 900, intervalMs = 200) {
        this.done = (async () => {
            while (this.looping && this.attempts.length < max) {
                this.attempts.push(await exchangeOnce(port, 3000, `127.0.0.${2 + (this.attempts.length % 250)}`));
                await sleep(intervalMs);
            }
        })();
    }

    async stop(): Promise<Attempt[]> {
        this.looping = false;
        await this.done;
        return this.attempts;
    }

    get failed(): Attempt[] {
        return this.attempts.filter((a) => a.end !== "ok");
    }
}

/**
 * A connection held open across a change, exchanging a line every second until the server side
 * ends it (or `stop`). Records every exchange and how and when it ended.
 */
export class HeldConnection {
    readonly opened = Date.now();
    lastOk = 0;
    exchanges = 0;
    failures: string[] = [];
    ended?: { at: number; how: string };
    private socket: net.Socket;
    private pending?: { line: string; got: string; since: number };
    private timer: NodeJS.Timeout;

    constructor(port: number) {
        this.socket = net.connect({ host: LOOPBACK, port });
        this.socket.on("data", (d) => {
            if (!this.pending) {
                this.failures.push(`unexpected bytes ${JSON.stringify(d.toString())}`);
                return;
            }
            this.pending.got += d.toString();
            if (this.pending.got === this.pending.line) {
                this.exchanges++;
                this.lastOk = Date.now();
                this.pending = undefined;
            }
        });
        this.socket.on("error", (err: NodeJS.ErrnoException) => this.end(err.code ?? err.message));
        this.socket.on("close", () => this.end("closed by the server side"));
        this.timer = setInterval(() => {
            if (this.pending && Date.now() - this.pending.since > 2000) {
                this.failures.push(`no echo of ${JSON.stringify(this.pending.line)} within 2 s (got ${JSON.stringify(this.pending.got)})`);
                this.pending = undefined;
            }
            if (!this.pending && !this.ended) {
                this.pending = { line: `${nonce("held")}\n`, got: "", since: Date.now() };
                this.socket.write(this.pending.line);
            }
        }, 1000);
    }

    private end(how: string): void {
        if (!this.ended) {
            this.ended = { at: Date.now(), how };
            clearInterval(this.timer);
        }
    }

    /** Open and exchanging, as far as the last seconds show. */
    get alive(): boolean {
        return !this.ended && this.failures.length === 0 && Date.now() - this.lastOk < 3000;
    }

    stop(): void {
        this.end("stopped by the test");
        this.socket.destroy();
    }

    describe(): string {
        return JSON.stringify({ opened: new Date(this.opened).toISOString(), exchanges: this.exchanges, failures: this.failures, ended: this.ended && { ...this.ended, at: new Date(this.ended.at).toISOString() }, pending: this.pending });
    }
}
