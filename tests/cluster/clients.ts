/**
 * The clients users run, from Debian's packages (nc, redis-cli, mariadb, psql, openssl, curl),
 * each bounded by a timeout, each reporting what it saw instead of throwing. They only ever
 * target 127.0.0.1 (NodePorts through kube-proxy's localhost NodePorts).
 */
import { spawnSync } from "child_process";

export const LOOPBACK = "127.0.0.1";

export interface ClientRun {
    /** The command line, for messages (secrets never appear in it: they go through the environment). */
    command: string;
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs a client with input and a timeout; never throws. */
export function run(command: string, args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): ClientRun {
    const result = spawnSync(command, args, {
        input: options.input ?? "",
        env: { ...process.env, ...(options.env ?? {}) },
        encoding: "utf8",
        timeout: options.timeoutMs ?? 15_000,
        killSignal: "SIGKILL",
    });
    return {
        command: [command, ...args].join(" "),
        status: result.status,
        stdout: result.stdout ?? "",
        stderr: (result.stderr ?? "") + (result.error ? `\n${result.error.message}` : ""),
    };
}

/** What a client run saw, for an assertion message. */
export function saw(r: ClientRun): string {
    return `\`${r.command}\` exited ${r.status}; stdout ${JSON.stringify(r.stdout.slice(0, 400))}; stderr ${JSON.stringify(r.stderr.slice(0, 400))}`;
}

/**
 * nc sends `payload` and prints what comes back, as a person types a line and waits for the
 * answer: its input stays open `waitS` seconds, and nc ends after 2 quiet seconds (-w 2).
 * Half-closing right after the bytes (nc -N, or a closed stdin with -q) gets no answer through
 * Traefik's TCP entryPoints at all (README: what the node showed).
 */
export function ncEcho(port: number, payload: string, waitS = 1): ClientRun {
    const r = run("sh", ["-c", '(printf %s "$1"; sleep "$2") | nc -w 2 127.0.0.1 "$3"', "nc", payload, String(waitS), String(port)], { timeoutMs: (waitS + 10) * 1000 });
    return { ...r, command: `(printf ${JSON.stringify(payload)}; sleep ${waitS}) | nc -w 2 ${LOOPBACK} ${port}` };
}

export function redisCli(port: number, args: string[], extra: string[] = []): ClientRun {
    return run("redis-cli", ["-h", LOOPBACK, "-p", String(port), ...extra, ...args]);
}

/** The mariadb client; the password travels in MYSQL_PWD, never on the command line. */
export function mariadb(port: number, password: string, sql: string): ClientRun {
    return run("mariadb", ["-h", LOOPBACK, "-P", String(port), "-u", "root", "--connect-timeout=5", "-N", "-B", "-e", sql], { env: { MYSQL_PWD: password } });
}

/**
 * psql to `host` (its TLS server name and the name the certificate must carry) at 127.0.0.1
 * (hostaddr), verifying the chain against `caFile`; the password travels in PGPASSWORD.
 */
export function psql(port: number, host: string, caFile: string, password: string, sql: string): ClientRun {
    const conninfo = `host=${host} hostaddr=${LOOPBACK} port=${port} user=postgres dbname=postgres sslmode=verify-full sslrootcert=${caFile} connect_timeout=5`;
    return run("psql", [conninfo, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], { env: { PGPASSWORD: password } });
}

/** openssl s_client with SNI `servername`, optionally after a STARTTLS exchange, sending `input`. */
export function sClient(port: number, servername: string, caFile: string, input: string, starttls?: string): ClientRun {
    return run("openssl", [
        "s_client", "-connect", `${LOOPBACK}:${port}`, "-servername", servername, "-CAfile", caFile,
        "-verify_return_error", "-verify_hostname", servername, "-quiet", "-no_ign_eof",
        ...(starttls ? ["-starttls", starttls] : []),
    ], { input, timeoutMs: 10_000 });
}

/** The subject of the certificate a TLS server presents for `servername` (s_client's -showcerts). */
export function presentedSubject(port: number, servername: string, caFile: string, starttls?: string): ClientRun & { subject?: string; verified?: boolean } {
    const r = run("openssl", [
        "s_client", "-connect", `${LOOPBACK}:${port}`, "-servername", servername, "-CAfile", caFile,
        "-verify_hostname", servername, ...(starttls ? ["-starttls", starttls] : []),
    ], { input: "", timeoutMs: 10_000 });
    const subject = /^subject=(.*)$/m.exec(r.stdout)?.[1]?.trim();
    const verified = /Verify return code: 0 \(ok\)/.test(r.stdout);
    return { ...r, subject, verified };
}

export function curl(port: number, path: string, host: string): ClientRun & { code?: number; body?: string } {
    const r = run("curl", ["-sS", "--max-time", "5", "-H", `Host: ${host}`, "-w", "\n%{http_code}", `http://${LOOPBACK}:${port}${path}`]);
    const at = r.stdout.lastIndexOf("\n");
    return { ...r, code: Number(r.stdout.slice(at + 1)), body: r.stdout.slice(0, at) };
}
