/**
 * The real servers behind the routes, each in its own network namespace: a Node echo server
 * (tcp-demo), Debian's redis-server (redis-demo), Debian's MariaDB (mysql-demo), and two Node TLS
 * servers with test certificates (db, cache). Test certificates come from openssl at test time.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Netns } from "./netns";
import { ManagedProcess } from "./processes";

export interface Backend {
    /** The app id whose Service this backend stands behind. */
    app: string;
    netns: Netns;
    /** Port the server listens on: the container port the EndpointSlice announces. */
    port: number;
    process: ManagedProcess;
    /** Connections the server has accepted, not counting the ones this count itself makes. */
    connections(): number;
}

/** A TLS server identity: PEM files signed by the test CA. */
export interface TestCertificate {
    host: string;
    cert: string;
    key: string;
}

function openssl(dir: string, ...args: string[]): void {
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe", timeout: 30_000 });
}

/** A throwaway CA and one server certificate per host (CN and SAN = the host), valid one day. */
export function makeCertificates(dir: string, hosts: string[]): { ca: string; certs: Record<string, TestCertificate> } {
    fs.mkdirSync(dir, { recursive: true });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(dir, "req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=tcp-platform e2e test CA");
    const certs: Record<string, TestCertificate> = {};
    for (const host of hosts) {
        fs.writeFileSync(path.join(dir, `${host}.ext`), `subjectAltName=DNS:${host}\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n`);
        openssl(dir, "req", "-new", ...ec, "-keyout", `${host}.key`, "-out", `${host}.csr`, "-subj", `/CN=${host}`);
        openssl(dir, "x509", "-req", "-in", `${host}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-out", `${host}.crt`, "-extfile", `${host}.ext`);
        certs[host] = { host, cert: path.join(dir, `${host}.crt`), key: path.join(dir, `${host}.key`) };
    }
    return { ca: path.join(dir, "ca.crt"), certs };
}

/** A client certificate (CN `name`, clientAuth) signed by the CA makeCertificates made in `dir`. */
export function makeClientCertificate(dir: string, name: string): { cert: string; key: string } {
    fs.writeFileSync(path.join(dir, `${name}.ext`), "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n");
    openssl(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
    openssl(dir, "x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-out", `${name}.crt`, "-extfile", `${name}.ext`);
    return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
}

/** Runs `command` inside the namespace. */
function inNetns(netns: Netns, name: string, logDir: string, command: string, args: string[]): ManagedProcess {
    return new ManagedProcess(name, "ip", ["netns", "exec", netns.name, command, ...args], path.join(logDir, `${name}.log`));
}

/** The Node echo or TLS server of servers/tcpBackend.ts (with `proxyProtocol`: reading the PROXY header first). */
export async function startNodeBackend(app: string, netns: Netns, port: number, logDir: string, tls?: TestCertificate, proxyProtocol = false): Promise<Backend> {
    const script = path.join(__dirname, "servers", "tcpBackend.ts");
    const args = ["-r", require.resolve("ts-node/register/transpile-only"), script, "--name", app, "--host", netns.address, "--port", String(port)];
    if (tls) {
        args.push("--cert", tls.cert, "--key", tls.key);
    }
    if (proxyProtocol) {
        args.push("--proxy-protocol");
    }
    const proc = inNetns(netns, app, logDir, process.execPath, args);
    await proc.waitForOutput(/"event":"listening"/, 30);
    return { app, netns, port, process: proc, connections: () => connectionsOf(proc).length };
}

/** Debian's redis-server, bound to the namespace address only, nothing persisted. */
export async function startRedis(app: string, netns: Netns, port: number, logDir: string): Promise<Backend> {
    const dir = path.join(logDir, `${app}-data`);
    fs.mkdirSync(dir, { recursive: true });
    const proc = inNetns(netns, app, logDir, "redis-server", [
        "--bind", netns.address, "--port", String(port), "--protected-mode", "no",
        "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--logfile", "",
    ]);
    await proc.waitForOutput(/Ready to accept connections/, 30);
    // total_connections_received, less the redis-cli connections of these counts (the last one included).
    let queries = 0;
    const connections = () => {
        const stats = execFileSync("redis-cli", ["-h", netns.address, "-p", String(port), "INFO", "stats"], { encoding: "utf8", timeout: 10_000 });
        queries += 1;
        return Number(/total_connections_received:(\d+)/.exec(stats)?.[1] ?? NaN) - queries;
    };
    return { app, netns, port, process: proc, connections };
}

/**
 * Debian's MariaDB: a fresh data directory (mariadb-install-db), then mariadbd on the namespace
 * address. Root may log in from anywhere with `rootPassword`, as the mysql image's root does
 * with MYSQL_ROOT_PASSWORD; without such an account the server answers a connection from the
 * host's address with "Host ... is not allowed to connect" instead of its greeting.
 */
export async function startMariadb(app: string, netns: Netns, port: number, logDir: string, rootPassword: string): Promise<Backend> {
    const dir = path.join(logDir, `${app}-data`);
    fs.mkdirSync(dir, { recursive: true });
    execFileSync("mariadb-install-db", [
        "--no-defaults", `--datadir=${dir}/data`, "--user=root", "--auth-root-authentication-method=normal",
        "--skip-test-db", "--skip-name-resolve",
    ], { stdio: "pipe", timeout: 120_000 });
    const quoted = rootPassword.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
    // One statement per line: mariadbd reads the init file line by line.
    fs.writeFileSync(path.join(dir, "init.sql"), `CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '${quoted}';\nGRANT ALL ON *.* TO 'root'@'%';\n`, { mode: 0o600 });
    const proc = inNetns(netns, app, logDir, "mariadbd", [
        "--no-defaults", `--datadir=${dir}/data`, `--socket=${dir}/mysqld.sock`, `--pid-file=${dir}/mysqld.pid`,
        `--bind-address=${netns.address}`, `--port=${port}`, "--user=root", "--skip-name-resolve",
        "--skip-log-bin", "--innodb-buffer-pool-size=16M", `--init-file=${dir}/init.sql`,
    ]);
    await proc.waitForOutput(/ready for connections/, 60);
    // The server's Connections status through its Unix socket (root@localhost has no password
    // after --auth-root-authentication-method=normal), less the connections of these counts.
    let queries = 0;
    const connections = () => {
        const status = execFileSync("mariadb", ["--no-defaults", `--socket=${dir}/mysqld.sock`, "-uroot", "-N", "-B", "-e", "SHOW GLOBAL STATUS LIKE 'Connections'"], { encoding: "utf8", timeout: 10_000 });
        queries += 1;
        return Number(/Connections\s+(\d+)/.exec(status)?.[1] ?? NaN) - queries;
    };
    return { app, netns, port, process: proc, connections };
}

/** Connections a Node backend reported: peer address and, for TLS, the SNI it saw. */
export function connectionsOf(proc: ManagedProcess): { remote: string; servername?: string }[] {
    return proc.output.split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { event: string; remote: string; servername?: string })
        .filter((e) => e.event === "connection")
        .map(({ remote, servername }) => (servername ? { remote, servername } : { remote }));
}
