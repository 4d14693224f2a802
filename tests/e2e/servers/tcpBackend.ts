/**
 * A backend the e2e test runs inside a network namespace (it cannot bind there from the test
 * process): a plain TCP echo server like the tcp-echo image, or a TLS server that terminates with
 * its own certificate and answers `<name>:<bytes>`. One JSON line on stdout when it listens and one
 * per connection, with the peer address, so the test can tell which backend each byte reached.
 * With --proxy-protocol it first reads the PROXY protocol header (version 1 or 2) a proxy sends
 * ahead of the client's bytes, reports it, and answers `<source address>:<source port>\n` before
 * echoing.
 *
 *   node -r ts-node/register/transpile-only tcpBackend.ts --name echo --host 10.203.1.2 --port 3333
 *   ... --name db --host 10.203.4.2 --port 5432 --cert db.crt --key db.key
 */
import * as fs from "fs";
import * as net from "net";
import * as tls from "tls";
import { parseArgs } from "util";

const { values } = parseArgs({
    options: {
        name: { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        cert: { type: "string" },
        key: { type: "string" },
        "proxy-protocol": { type: "boolean", default: false },
    },
});
const { name, host, port } = values;
if (!name || !host || !port) {
    throw new Error("usage: tcpBackend.ts --name NAME --host ADDRESS --port PORT [--cert FILE --key FILE]");
}

function report(event: Record<string, unknown>): void {
    process.stdout.write(`${JSON.stringify({ backend: name, ...event })}\n`);
}

function onConnection(socket: net.Socket | tls.TLSSocket, reply: (data: Buffer) => Buffer): void {
    const servername = socket instanceof tls.TLSSocket ? (socket as tls.TLSSocket & { servername?: string | false }).servername : undefined;
    report({ event: "connection", remote: socket.remoteAddress, ...(servername ? { servername } : {}) });
    socket.on("data", (data) => {
        report({ event: "data", bytes: data.length });
        socket.write(reply(data));
    });
    socket.on("error", () => socket.destroy());
}

const PROXY_V2_SIGNATURE = Buffer.from("0d0a0d0a000d0a515549540a", "hex");

/** A PROXY protocol header at the start of `data`: its length and the source it names; undefined while incomplete. */
function proxyHeader(data: Buffer): { length: number; version: number; source: string; sourcePort: number } | undefined | Error {
    if (data.subarray(0, 12).equals(PROXY_V2_SIGNATURE)) {
        if (data.length < 16 || data.length < 16 + data.readUInt16BE(14)) {
            return undefined;
        }
        const family = data[13];
        if (family !== 0x11) {
            return new Error(`PROXY v2 family ${family} is not TCP over IPv4`);
        }
        return { length: 16 + data.readUInt16BE(14), version: 2, source: [...data.subarray(16, 20)].join("."), sourcePort: data.readUInt16BE(24) };
    }
    const end = data.indexOf("\r\n");
    if (end < 0) {
        return data.length < 108 ? undefined : new Error("no PROXY header");
    }
    const [word, , source, , sourcePort] = data.subarray(0, end).toString("latin1").split(" ");
    return word === "PROXY" ? { length: end + 2, version: 1, source, sourcePort: Number(sourcePort) } : new Error("no PROXY header");
}

/** Reads the PROXY header, reports it, answers with the source, then echoes. */
function onProxiedConnection(socket: net.Socket): void {
    report({ event: "connection", remote: socket.remoteAddress });
    let pending = Buffer.alloc(0);
    let header = false;
    socket.on("data", (data) => {
        if (header) {
            socket.write(data);
            return;
        }
        pending = Buffer.concat([pending, data]);
        const parsed = proxyHeader(pending);
        if (parsed instanceof Error) {
            report({ event: "no-proxy-header", remote: socket.remoteAddress, error: parsed.message });
            socket.destroy();
            return;
        }
        if (parsed) {
            header = true;
            report({ event: "proxied", version: parsed.version, source: parsed.source, sourcePort: parsed.sourcePort });
            socket.write(`${parsed.source}:${parsed.sourcePort}\n`);
            if (pending.length > parsed.length) {
                socket.write(pending.subarray(parsed.length));
            }
        }
    });
    socket.on("error", () => socket.destroy());
}

const server = values["proxy-protocol"]
    ? net.createServer(onProxiedConnection)
    : values.cert && values.key
    ? tls.createServer({ cert: fs.readFileSync(values.cert), key: fs.readFileSync(values.key) }, (socket) => {
        onConnection(socket, (data) => Buffer.concat([Buffer.from(`${name}:`), data]));
    })
    : net.createServer((socket) => onConnection(socket, (data) => data));
server.listen(Number(port), host, () => report({ event: "listening", host, port: Number(port) }));
for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => process.exit(0));
}
