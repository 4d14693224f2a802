/**
 * Clients the test speaks through Traefik with: raw TCP, the Redis inline protocol, the MySQL
 * handshake (greeting and a mysql_native_password login), and TLS with SNI. Every client targets
 * 127.0.0.1 only, never throws for a network outcome (refused, reset, timed out: the result says
 * which), and is bounded by a timeout.
 */
import { createHash } from "crypto";
import * as dgram from "dgram";
import * as fs from "fs";
import * as net from "net";
import * as tls from "tls";

export const LOOPBACK = "127.0.0.1";

/**
 * The one way every client ends: the first call of the returned `finish` (or `timeoutMs`) closes
 * the socket and reports why; later calls (a close after an error, say) do nothing.
 */
export function settleOnce(socket: net.Socket, timeoutMs: number, report: (end: string) => void): (end: string) => void {
    let settled = false;
    const finish = (end: string) => {
        if (!settled) {
            settled = true;
            clearTimeout(timer);
            socket.destroy();
            report(end);
        }
    };
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    return finish;
}

export interface Exchange {
    /** Every byte received. */
    data: Buffer;
    /** Why the exchange ended: "done" (predicate satisfied), "closed" (by the peer), "timeout", or an error code. */
    end: string;
}

/**
 * Connects to 127.0.0.1:`port` (from the loopback address `from`, when given), sends `payload`,
 * and collects the reply until `done(data)`, the peer closes, an error, or `timeoutMs`.
 */
export function tcpExchange(port: number, payload: Buffer | string | undefined, done: (data: Buffer) => boolean, timeoutMs = 3000, from?: string): Promise<Exchange> {
    return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        const socket = net.connect({ host: LOOPBACK, port, ...(from ? { localAddress: from } : {}) });
        const finish = settleOnce(socket, timeoutMs, (end) => resolve({ data: Buffer.concat(chunks), end }));
        socket.on("connect", () => {
            if (payload !== undefined) {
                socket.write(payload);
            }
        });
        socket.on("data", (chunk) => {
            chunks.push(chunk);
            if (done(Buffer.concat(chunks))) {
                finish("done");
            }
        });
        socket.on("error", (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
        socket.on("close", () => finish("closed"));
    });
}

/** Sends bytes, expects exactly them back (an echo server). */
export async function echo(port: number, payload: string): Promise<Exchange> {
    return tcpExchange(port, payload, (data) => data.length >= payload.length);
}

/** Redis inline `PING`; a Redis server answers `+PONG\r\n`. */
export async function redisPing(port: number): Promise<Exchange> {
    return tcpExchange(port, "PING\r\n", (data) => data.includes("\r\n"));
}

export interface MysqlHandshake {
    end: string;
    /** Protocol version of the greeting (10), when one arrived. */
    protocol?: number;
    serverVersion?: string;
    authPlugin?: string;
    /** First byte of the reply to the login: 0x00 OK, 0xff error. */
    loginReply?: number;
    loginError?: string;
}

/** One MySQL packet: 3-byte little-endian length, sequence id, payload. */
function mysqlPacket(sequence: number, payload: Buffer): Buffer {
    const header = Buffer.alloc(4);
    header.writeUIntLE(payload.length, 0, 3);
    header[3] = sequence;
    return Buffer.concat([header, payload]);
}

/** Splits complete packets off the front of `data`. */
function mysqlPackets(data: Buffer): Buffer[] {
    const packets: Buffer[] = [];
    let offset = 0;
    while (offset + 4 <= data.length) {
        const length = data.readUIntLE(offset, 3);
        if (offset + 4 + length > data.length) {
            break;
        }
        packets.push(data.subarray(offset + 4, offset + 4 + length));
        offset += 4 + length;
    }
    return packets;
}

const sha1 = (...parts: Buffer[]) => createHash("sha1").update(Buffer.concat(parts)).digest();

/**
 * The server speaks first: reads its greeting (protocol 10), then logs in as `user` with
 * mysql_native_password (SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw)))) and reads the reply.
 */
export function mysqlLogin(port: number, user: string, password: string, timeoutMs = 5000): Promise<MysqlHandshake> {
    return new Promise((resolve) => {
        const result: Omit<MysqlHandshake, "end"> = {};
        let received = Buffer.alloc(0);
        let sentLogin = false;
        const socket = net.connect({ host: LOOPBACK, port });
        const finish = settleOnce(socket, timeoutMs, (end) => resolve({ ...result, end }));
        socket.on("data", (chunk) => {
            received = Buffer.concat([received, chunk]);
            const packets = mysqlPackets(received);
            if (!sentLogin && packets.length >= 1) {
                const greeting = packets[0];
                result.protocol = greeting[0];
                if (greeting[0] !== 10) {
                    return finish("not a protocol-10 greeting");
                }
                let at = greeting.indexOf(0, 1);
                result.serverVersion = greeting.subarray(1, at).toString("latin1");
                at += 1 + 4; // NUL, connection id
                const scramble1 = greeting.subarray(at, at + 8);
                at += 8 + 1 + 2 + 1 + 2 + 2; // scramble part 1, filler, caps low, charset, status, caps high
                const authDataLength = greeting[at];
                at += 1 + 10; // length, reserved
                const part2Length = Math.max(13, authDataLength - 8);
                const scramble2 = greeting.subarray(at, at + part2Length - 1); // without its trailing NUL
                at += part2Length;
                result.authPlugin = greeting.subarray(at, greeting.indexOf(0, at) < 0 ? greeting.length : greeting.indexOf(0, at)).toString("latin1");
                const scramble = Buffer.concat([scramble1, scramble2]).subarray(0, 20);
                const hash = sha1(Buffer.from(password));
                const mask = sha1(scramble, sha1(hash));
                const token = Buffer.from(hash.map((b, i) => b ^ mask[i]));
                // CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH
                const flags = Buffer.alloc(4);
                flags.writeUInt32LE(0x1 | 0x200 | 0x8000 | 0x80000);
                const maxPacket = Buffer.alloc(4);
                maxPacket.writeUInt32LE(1 << 24);
                const response = Buffer.concat([
                    flags, maxPacket, Buffer.from([33]), Buffer.alloc(23),
                    Buffer.from(`${user}\0`), Buffer.from([token.length]), token, Buffer.from("mysql_native_password\0"),
                ]);
                sentLogin = true;
                socket.write(mysqlPacket(1, response));
                received = received.subarray(4 + greeting.length);
                return;
            }
            if (sentLogin && packets.length >= 1) {
                const reply = packets[0];
                result.loginReply = reply[0];
                if (reply[0] === 0xff) {
                    result.loginError = reply.subarray(3).toString("utf8");
                }
                finish("done");
            }
        });
        socket.on("error", (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
        socket.on("close", () => finish("closed"));
    });
}

export interface TlsExchange {
    end: string;
    /** Whether the chain verified against the test CA and the name matched the SNI host. */
    authorized?: boolean;
    authorizationError?: string;
    subjectCN?: string;
    subjectAltName?: string;
    data: Buffer;
}

/** Who the server said it was: whether its chain and name verified for `servername`, and its certificate's names. */
function peerIdentity(socket: tls.TLSSocket, servername: string): Pick<TlsExchange, "authorized" | "authorizationError" | "subjectCN" | "subjectAltName"> {
    const cert = socket.getPeerCertificate();
    const identityError = tls.checkServerIdentity(servername, cert);
    return {
        authorized: socket.authorized && identityError === undefined,
        authorizationError: socket.authorizationError?.message ?? identityError?.message,
        subjectCN: typeof cert.subject?.CN === "string" ? cert.subject.CN : undefined,
        subjectAltName: cert.subjectaltname,
    };
}

/** A TLS handshake with SNI `servername` through 127.0.0.1:`port`, then `payload`, collecting the reply. */
export function tlsExchange(port: number, servername: string, caFile: string, payload: string, expectBytes: number, timeoutMs = 5000): Promise<TlsExchange> {
    return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        const result: Omit<TlsExchange, "end" | "data"> = {};
        // rejectUnauthorized off so that a wrong certificate is reported, not thrown; the test asserts `authorized`.
        const socket = tls.connect({ host: LOOPBACK, port, servername, ca: fs.readFileSync(caFile), rejectUnauthorized: false });
        const finish = settleOnce(socket, timeoutMs, (end) => resolve({ ...result, end, data: Buffer.concat(chunks) }));
        socket.on("secureConnect", () => {
            Object.assign(result, peerIdentity(socket, servername));
            socket.write(payload);
        });
        socket.on("data", (chunk) => {
            chunks.push(chunk);
            if (Buffer.concat(chunks).length >= expectBytes) {
                finish("done");
            }
        });
        socket.on("error", (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
        socket.on("close", () => finish("closed"));
    });
}

/** Whether a TCP port on 127.0.0.1 can be bound right now. */
export function portFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once("error", () => resolve(false));
        server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
    });
}

/** Whether a UDP port on 127.0.0.1 can be bound right now. */
export function udpPortFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = dgram.createSocket("udp4");
        socket.once("error", () => resolve(false));
        socket.bind(port, LOOPBACK, () => socket.close(() => resolve(true)));
    });
}

/** A port the kernel considers free on 127.0.0.1 (ephemeral range). */
export function ephemeralPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, LOOPBACK, () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

export interface PostgresTls extends Omit<TlsExchange, "data"> {
    /** The server's answer to the startup message, by its message type ('R': authentication). */
    reply?: string;
}

/**
 * PostgreSQL's own way into TLS, as psql does it: an SSLRequest, the server's `S`, then the TLS
 * handshake with SNI `servername`, and a startup message whose answer shows the server behind it.
 */
export function postgresStartTls(port: number, servername: string, caFile: string, timeoutMs = 5000): Promise<PostgresTls> {
    return new Promise((resolve) => {
        const result: Omit<PostgresTls, "end"> = {};
        const plain = net.connect({ host: LOOPBACK, port });
        let finish = settleOnce(plain, timeoutMs, (end) => resolve({ ...result, end }));
        plain.on("connect", () => {
            const request = Buffer.alloc(8);
            request.writeInt32BE(8, 0);
            request.writeInt32BE(80877103, 4);
            plain.write(request);
        });
        plain.once("data", (answer) => {
            if (answer.toString("latin1") !== "S") {
                return finish(`no TLS: the server answered ${JSON.stringify(answer.toString("latin1"))}`);
            }
            const secure = tls.connect({ socket: plain, servername, ca: fs.readFileSync(caFile), rejectUnauthorized: false });
            finish = settleOnce(secure, timeoutMs, (end) => resolve({ ...result, end }));
            secure.on("secureConnect", () => {
                Object.assign(result, peerIdentity(secure, servername));
                const params = Buffer.from("user\0postgres\0database\0postgres\0\0");
                const startup = Buffer.alloc(8);
                startup.writeInt32BE(8 + params.length, 0);
                startup.writeInt32BE(196608, 4); // protocol 3.0
                secure.write(Buffer.concat([startup, params]));
            });
            secure.once("data", (message) => {
                result.reply = String.fromCharCode(message[0]);
                finish("done");
            });
            secure.on("error", (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
            secure.on("close", () => finish("closed"));
        });
        plain.on("error", (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    });
}

/** What two exchanges on one connection, an idle wait apart, got back. */
export interface HeldExchange {
    first: string;
    second: string;
    end: string;
}

/**
 * Opens a connection (plain TCP, or TLS with SNI `tls.servername`), sends `payload` and waits for
 * `reply`, stays idle `idleMs`, then does it again on the same connection. Bounded by
 * `idleMs` plus ten seconds.
 */
export function heldExchange(port: number, payload: string, reply: string, idleMs: number, tlsTo?: { servername: string; caFile: string }): Promise<HeldExchange> {
    return new Promise((resolve) => {
        let received = "";
        const answers: string[] = [];
        const socket: net.Socket = tlsTo
            ? tls.connect({ host: LOOPBACK, port, servername: tlsTo.servername, ca: fs.readFileSync(tlsTo.caFile), rejectUnauthorized: false })
            : net.connect({ host: LOOPBACK, port });
        const finish = settleOnce(socket, idleMs + 10_000, (end) => resolve({ first: answers[0] ?? received, second: answers[1] ?? (answers[0] ? received : ""), end }));
        socket.once(tlsTo ? "secureConnect" : "connect", () => socket.write(payload));
        socket.on("data", (chunk) => {
            received += chunk.toString("utf8");
            if (received.length < reply.length) {
                return;
            }
            answers.push(received);
            received = "";
            if (answers.length === 2) {
                return finish("done");
            }
            setTimeout(() => socket.write(payload), idleMs);
        });
        socket.on("error", (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
        socket.on("close", () => finish("closed"));
    });
}
