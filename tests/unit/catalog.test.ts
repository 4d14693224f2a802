/** The app catalog as data: catalog/<id>.yaml read and validated, every bad file refused at once in the stack config's error style. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadCatalog, projectCatalog } from "../../lib/config/catalogFiles";
import { tlsServerArgs } from "../../lib/plan/apps";
import { ConfigError, formatProblem } from "../../lib/problems";

/** A catalog directory holding `files` (name → text). */
function catalogDir(files: Record<string, string>): string {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tcp-platform-catalog-")), "catalog");
    fs.mkdirSync(dir);
    for (const [name, text] of Object.entries(files)) {
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}

function problemsOf(dir: string): string[] {
    try {
        loadCatalog(dir);
        return [];
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        assert.match(err.message, /^the app catalog has \d+ problems?; nothing was deployed:/);
        return err.problems.map(formatProblem);
    }
}

const echo = `kind: tcp
namespace: backend
deploymentName: echo
stem: echo
selector: {app: echo}
replicas: 1
portName: tcp
servicePort: 7
container: {name: echo, image: echo:1.0, port: 7007, listen: {env: PORT}}
`;

describe("the app catalog as data", () => {
    it("reads the project's apps from catalog/, the file name the id", () => {
        const catalog = projectCatalog();
        assert.deepEqual(Object.keys(catalog), ["cache", "db", "dns-demo", "hello-api", "mysql-demo", "redis-demo", "tcp-demo"]);
        assert.deepEqual(catalog["tcp-demo"].container, { name: "proxy", image: "tcp-echo-server", placeholder: true, port: 3333, listen: { env: "PORT" } });
        assert.equal(catalog["redis-demo"].container.placeholder, false, "placeholder defaults to false");
    });

    it("gives a TLS server's arguments as data: {cert} and {key} stand for the mounted files", () => {
        const { tlsServer } = projectCatalog().db.container;
        assert.ok(tlsServer);
        assert.deepEqual(tlsServerArgs(tlsServer.args, { cert: "/tls/tls.crt", key: "/tls/tls.key" }),
            ["-c", "ssl=on", "-c", "ssl_cert_file=/tls/tls.crt", "-c", "ssl_key_file=/tls/tls.key"]);
    });

    it("takes a definition as the program needs it, and an app whose image listens by itself", () => {
        const dir = catalogDir({ "echo.yaml": echo, "plain.yaml": echo.replace(", listen: {env: PORT}", ", command: [/echo, --port, \"7007\"]") });
        const catalog = loadCatalog(dir);
        assert.deepEqual(catalog.echo.container.listen, { env: "PORT" });
        assert.equal(catalog.plain.container.listen, undefined);
        assert.deepEqual(catalog.plain.container.command, ["/echo", "--port", "7007"]);
    });

    it("refuses every bad file at once, naming the file, the key, the value and the fix", () => {
        const dir = catalogDir({
            "echo.yaml": echo.replace("stem: echo", "stme: echo"),
            "tls.yaml": echo.replace("listen: {env: PORT}", "listen: {arg: --port, env: PORT}, tlsServer: {mountPath: /tls, args: [--cert, \"{crt}\"]}"),
            "Bad_Name.yaml": echo,
            "udp.yaml": echo.replace("kind: tcp", "kind: sctp"),
            "broken.yaml": "kind: [tcp",
            "notes.txt": "not a definition",
        });
        assert.deepEqual(problemsOf(dir), [
            "catalog/Bad_Name.yaml: is not an app id (the file's name is the app's id) (got \"Bad_Name\"). Fix: name the file <id>.yaml, the id in lowercase letters, digits and '-'",
            "catalog/broken.yaml: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 11: (got nothing). Fix: correct the YAML syntax",
            "catalog/echo.yaml: stem: is required (got nothing). Fix: set it (string)",
            "catalog/echo.yaml: stme: is not a known key (got \"echo\"). Fix: did you mean \"stem\"? Known keys: kind, namespace, deploymentName, stem, serviceName, routeName, selector, replicas, portName, servicePort, container, storage, tls",
            "catalog/tls.yaml: container.listen: is not a way to tell an image its port (got {\"arg\":\"--port\",\"env\":\"PORT\"}). Fix: write {arg: <flag>} (with joined: true for --flag=<port>) or {env: <VARIABLE>}",
            "catalog/tls.yaml: container.tlsServer.args[1]: names a file other than {cert} and {key} (got \"{crt}\"). Fix: write {cert} for the mounted certificate and {key} for its key; nothing else in braces",
            "catalog/udp.yaml: kind: is not a kind of app (got \"sctp\"). Fix: write one of tcp, udp, http",
        ]);
    });

    it("refuses a catalog directory that is not there", () => {
        assert.deepEqual(problemsOf(path.join(os.tmpdir(), "no-such-catalog-h26")), [
            `no-such-catalog-h26: does not exist (got "${path.join(os.tmpdir(), "no-such-catalog-h26")}"). Fix: create it with one <id>.yaml per app (npm run import writes them)`,
        ]);
    });
});
