/**
 * Clients for the TCP features' proofs: a connection held open across exchanges (from a chosen
 * loopback source), a TLS handshake with a chosen version, client certificate and ALPN, a PROXY
 * protocol v1 header written as a load balancer writes it, and a DNS query over UDP. Every client
 * targets 127.0.0.1, never throws for a network outcome, and is bounded by a timeout.
 */
import * as dgram from "dgram";
import * as fs from "fs";
import * as net from "net";
import * as tls from "tls";
import { LOOPBACK, settleOnce } from "./clients";

/** A connection kept open: each `exchange` sends bytes and waits for a reply; `ended` tells how it ended. */
export class HeldConnection {
    private received = Buffer.alloc(0);
    private waiter?: () => void;
    /** Set once the connection ends: "closed", "ECONNREFUSED", "ECONNRESET", ... */
    ended?: string;
    /** When it ended (Date.now()). */
    endedAt?: number;

    private constructor(readonly socket: net.Socket) {
        socket.on("data", (chunk) => {
            this.received = Buffer.concat([this.received, chunk]);
            this.waiter?.();
        });
        const end = (how: string) => {
            this.ended ??= how;
            this.endedAt ??= Date.now();
            this.waiter?.();
        };
        socket.on("error", (err: NodeJS.ErrnoException) => end(err.code ?? err.message));
        socket.on("close", () => end("closed"));
    }

    /** Connects from loopback address `from` to 127.0.0.1:`port`; resolves once connected or failed. */
    static open(port: number, from = LOOPBACK, timeoutMs = 3000): Promise<HeldConnection> {
        return new Promise((resolve) => {
            const connection = new HeldConnection(net.connect({ host: LOOPBACK, port, localAddress: from }));
            const timer = setTimeout(() => resolve(connection), timeoutMs);
            const done = () => {
                clearTimeout(timer);
                resolve(connection);
            };
            connection.socket.once("connect", done);
            connection.socket.once("close", done);
        });
    }

    /** Sends `payload`; resolves with what came back once `bytes` arrived, the connection ended, or `timeoutMs`. */
    exchange(payload: string | Buffer, bytes: number, timeoutMs = 3000): Promise<string> {
        this.received = Buffer.alloc(0);
        return new Promise((resolve) => {
            const finish = () => {
                clearTimeout(timer);
                this.waiter = undefined;
                resolve(this.received.toString("latin1"));
            };
            const timer = setTimeout(finish, timeoutMs);
            this.waiter = () => {
                if (this.received.length >= bytes || this.ended) {
                    finish();
                }
            };
            if (this.ended) {
                return finish();
            }
            this.socket.write(payload);
        });
    }

    /** Resolves when the connection ends, or after `timeoutMs` (then `ended` is still unset). */
    closed(timeoutMs: number): Promise<void> {
        return new Promise((resolve) => {
            if (this.ended) {
                return resolve();
            }
            const timer = setTimeout(resolve, timeoutMs);
            this.socket.once("close", () => {
                clearTimeout(timer);
                resolve();
            });
        });
    }

    close(): void {
        this.socket.destroy();
    }
}

/** A PROXY protocol v1 header for a TCP4 client `source:sourcePort` connecting to 127.0.0.1:`port`. */
export function proxyV1Header(source: string, sourcePort: number, port: number): string {
    return `PROXY TCP4 ${source} ${LOOPBACK} ${sourcePort} ${port}\r\n`;
}

export interface TlsAttempt {
    end: string;
    /** Whether the handshake completed (in TLS 1.3 the server may still refuse the client's certificate after it). */
    handshake: boolean;
    version?: string;
    alpn?: string | false;
    subjectCN?: string;
    data: string;
}

export interface TlsClientOptions {
    servername: string;
    caFile: string;
    maxVersion?: tls.SecureVersion;
    /** A client certificate and its key. */
    client?: { cert: string; key: string };
    alpn?: string[];
}

/** A TLS handshake through 127.0.0.1:`port`, then `payload`; collects `expectBytes` of reply. */
export function tlsAttempt(port: number, options: TlsClientOptions, payload: string, expectBytes: number, timeoutMs = 5000): Promise<TlsAttempt> {
    return new Promise((resolve) => {
        let data = "";
        const result: Omit<TlsAttempt, "end" | "data"> = { handshake: false };
        const socket = tls.connect({
            host: LOOPBACK, port, servername: options.servername, ca: fs.readFileSync(options.caFile), rejectUnauthorized: false,
            ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
            ...(options.client ? { cert: fs.readFileSync(options.client.cert), key: fs.readFileSync(options.client.key) } : {}),
            ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
        });
        const finish = settleOnce(socket, timeoutMs, (end) => resolve({ ...result, end, data }));
        socket.on("secureConnect", () => {
            const cn = socket.getPeerCertificate().subject?.CN;
            Object.assign(result, { handshake: true, version: socket.getProtocol() ?? undefined, alpn: socket.alpnProtocol, subjectCN: typeof cn === "string" ? cn : undefined });
            socket.write(payload);
        });
        socket.on("data", (chunk) => {
            data += chunk.toString("latin1");
            if (data.length >= expectBytes) {
                finish("done");
            }
        });
        socket.on("error", (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
        socket.on("close", () => finish("closed"));
    });
}

export interface DnsAnswer {
    end: string;
    /** The query id the answer carries. */
    id?: number;
    /** The addresses of the A records in the answer's sections. */
    addresses: string[];
}

/** An A query for `name` to 127.0.0.1:`port` over UDP; the addresses its answer holds. */
export function dnsQuery(port: number, name: string, timeoutMs = 3000): Promise<DnsAnswer> {
    return new Promise((resolve) => {
        const socket = dgram.createSocket("udp4");
        const id = Math.floor(Math.random() * 0xffff);
        const header = Buffer.alloc(12);
        header.writeUInt16BE(id, 0);
        header.writeUInt16BE(0x0100, 2); // recursion desired
        header.writeUInt16BE(1, 4); // one question
        const qname = Buffer.concat([...name.split(".").map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])), Buffer.from([0])]);
        const question = Buffer.concat([header, qname, Buffer.from([0, 1, 0, 1])]); // A, IN
        let settled = false;
        const finish = (answer: DnsAnswer) => {
            if (!settled) {
                settled = true;
                clearTimeout(timer);
                socket.close();
                resolve(answer);
            }
        };
        const timer = setTimeout(() => finish({ end: "timeout", addresses: [] }), timeoutMs);
        socket.on("message", (message) => finish({ end: "done", id: message.readUInt16BE(0), addresses: aRecords(message, qname.length) }));
        socket.on("error", (err: NodeJS.ErrnoException) => finish({ end: err.code ?? err.message, addresses: [] }));
        socket.send(question, port, LOOPBACK);
    });
}

/** The A records of a DNS message whose question name is `qnameLength` bytes long (names compressed or not). */
function aRecords(message: Buffer, qnameLength: number): string[] {
    const records = message.readUInt16BE(6) + message.readUInt16BE(8) + message.readUInt16BE(10);
    let at = 12 + qnameLength + 4;
    const addresses: string[] = [];
    for (let i = 0; i < records && at < message.length; i++) {
        // A name: labels ending in a zero byte, or a two-byte pointer.
        while (message[at] !== 0 && (message[at] & 0xc0) !== 0xc0) {
            at += message[at] + 1;
        }
        at += message[at] === 0 ? 1 : 2;
        const type = message.readUInt16BE(at);
        const length = message.readUInt16BE(at + 8);
        if (type === 1 && length === 4) {
            addresses.push([...message.subarray(at + 10, at + 14)].join("."));
        }
        at += 10 + length;
    }
    return addresses;
}
