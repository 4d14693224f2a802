/**
 * A backend the e2e test runs inside a network namespace (it cannot bind there from the test
 * process): a plain TCP echo server like the tcp-echo image, or a TLS server that terminates with
 * its own certificate and answers `<name>:<bytes>`. One JSON line on stdout when it listens and one
 * per connection, with the peer address, so the test can tell which backend each byte reached.
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
    socket.on("data", (data) => socket.write(reply(data)));
    socket.on("error", () => socket.destroy());
}

const server = values.cert && values.key
    ? tls.createServer({ cert: fs.readFileSync(values.cert), key: fs.readFileSync(values.key) }, (socket) => {
        onConnection(socket, (data) => Buffer.concat([Buffer.from(`${name}:`), data]));
    })
    : net.createServer((socket) => onConnection(socket, (data) => data));
server.listen(Number(port), host, () => report({ event: "listening", host, port: Number(port) }));
for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => process.exit(0));
}
