import { HIDDEN_SECRET } from "../../lib/constants";
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { projectDir } from "../support/helpers";

/** Runs one of the project's npm scripts the way a user does, and returns what it printed. */
function runScript(script: "render" | "ports", ...args: string[]) {
    const result = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(projectDir, "tools", `${script}.ts`), ...args], {
        cwd: projectDir,
        encoding: "utf8",
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("render and ports scripts", () => {
    let out: string;
    beforeEach(() => { out = fs.mkdtempSync(path.join(os.tmpdir(), "render-")); });
    afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

    for (const stack of ["dev", "prod"]) {
        it(`renders the ${stack} stack to manifests.yaml and traefik-values.yaml`, () => {
            const run = runScript("render", "--stack", stack, "--out", out);
            assert.equal(run.status, 0, run.stderr);
            const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(out, "manifests.yaml"), "utf8")).map((d) => d.toJSON());
            assert.ok(docs.length >= 15, `${docs.length} objects`);
            assert.ok(docs.every((d) => d.apiVersion && d.kind && d.metadata.name));
            const values = YAML.parse(fs.readFileSync(path.join(out, "traefik-values.yaml"), "utf8"));
            assert.equal(values.ports.redis.nodePort, 30379);
            for (const secret of docs.filter((d) => d.kind === "Secret")) {
                assert.ok(Object.values(secret.stringData).every((v) => v === HIDDEN_SECRET), "secrets are redacted");
            }
        });
    }

    it("renders the same bytes twice (stable order)", () => {
        runScript("render", "--stack", "dev", "--out", out);
        const first = fs.readFileSync(path.join(out, "manifests.yaml"), "utf8");
        runScript("render", "--stack", "dev", "--out", out);
        assert.equal(fs.readFileSync(path.join(out, "manifests.yaml"), "utf8"), first);
    });

    it("renders any stack file, and refuses a bad one with the validation message", () => {
        const file = path.join(projectDir, "Pulumi.test-bad-render.yaml");
        const dev = YAML.parse(fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8"));
        dev.config["tcp-platform:apps"]["tcp-demo"].entryPoint.nodePort = 40000;
        fs.writeFileSync(file, YAML.stringify(dev));
        try {
            const run = runScript("render", "--stack", "test-bad-render", "--out", out);
            assert.equal(run.status, 1);
            assert.match(run.stderr, /tcp-platform:apps\.tcp-demo\.entryPoint\.nodePort: is outside the NodePort range 30000-32767 \(got 40000\)/);
            assert.ok(!fs.existsSync(path.join(out, "manifests.yaml")), "nothing is written");
        } finally {
            fs.rmSync(file);
        }
    });

    it("prints the port table as Markdown", () => {
        const run = runScript("ports", "--stack", "dev");
        assert.equal(run.status, 0, run.stderr);
        const lines = run.stdout.trim().split("\n");
        assert.equal(lines[0], "| app | entryPoint | Traefik port | Service port | NodePort | match | backend service:port |");
        assert.ok(lines.includes("| tcp-demo | mytcp | 9999 | 9999 | 30999 | HostSNI(`*`) | tcp-echo-service:3333 |"));
        assert.ok(lines.includes("| redis-demo | redis | 6379 | 6379 | 30379 | HostSNI(`*`) | redis-service:6379 |"));
        assert.ok(lines.includes("| mysql-demo | mysql | 3306 | 3306 | 30306 | HostSNI(`*`) | mysql-service:3306 |"));
    });
});
