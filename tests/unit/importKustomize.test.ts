/**
 * `npm run import -- kustomize`: the seed's tree and generated trees imported, and each imported
 * stack's render holding every field of `kubectl kustomize` of the same overlay (the parity
 * check, 0 differences), Traefik's planned entryPoints equal to the Argo CD Application's ports;
 * what cannot be carried refused, naming the file, the object and the reason, with nothing written.
 */
import { strict as assert } from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as YAML from "yaml";
import { loadCatalog } from "../../lib/config/catalogFiles";
import { rawConfigFromStackFile } from "../../lib/config/load";
import { KubeObject } from "../../lib/import/objects";
import { differences } from "../../lib/import/parity";
import { ConfigError, formatProblem } from "../../lib/problems";
import { evaluate } from "../../tools/evaluate";
import { importKustomizeTree } from "../../tools/importKustomize";
import { plannedPorts, writeImport } from "../../tools/importOutput";
import { manifestsOf, traefikValuesOf } from "../../tools/manifests";
import { projectDir } from "../support/helpers";
import { FEATURES, generateTree } from "../support/kustomizeTrees";

const seedTree = path.resolve(projectDir, "../shared/seed/kustomize");
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `tcp-platform-${prefix}-`));

/** `kubectl kustomize` of an overlay, as its users build it (no annotations of the import's). */
async function kustomize(overlay: string): Promise<KubeObject[]> {
    const { stdout } = await promisify(execFile)("kubectl", ["kustomize", overlay], { encoding: "utf8" });
    return YAML.parseAllDocuments(stdout).map((d) => d.toJSON() as KubeObject);
}

/** Every difference between the builds of `overlays` and stack `stack` of `dir` as render evaluates it; and its planned ports. */
async function renderAgainst(dir: string, stack: string, overlays: string[]): Promise<{ differences: string[]; objects: number; ports: Record<string, unknown> }> {
    const { resources } = await evaluate(rawConfigFromStackFile(path.join(dir, `Pulumi.${stack}.yaml`), projectDir), stack, [], loadCatalog(path.join(dir, "catalog")));
    const rendered = manifestsOf(resources);
    const built = (await Promise.all(overlays.map(kustomize))).flat();
    return { differences: built.flatMap((o) => differences(o, rendered)), objects: built.length, ports: plannedPorts(traefikValuesOf(resources).ports as Record<string, unknown>) };
}

/** The refusals of an import into `out`, and that it wrote nothing there. */
async function refusals(tree: string, out: string, options: { env?: Record<string, string>; serve?: Record<string, string> } = {}): Promise<string[]> {
    const before = fs.readdirSync(out, { recursive: true }).sort();
    try {
        await importKustomizeTree(tree, options.env ?? {}, options.serve ?? {}, out, projectDir);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        assert.match(err.message, /^the import has \d+ problems?; nothing was written:/);
        assert.deepEqual(fs.readdirSync(out, { recursive: true }).sort(), before, "nothing is written");
        return err.problems.map(formatProblem);
    }
    assert.fail("the import was not refused");
}

describe("npm run import -- kustomize", function () {
    this.timeout(240_000);

    describe("the seed's tree", () => {
        // As the project has it: its catalog (tcp-demo and redis-demo among it), not its stack files.
        const out = tmp("seed-import");
        fs.cpSync(path.join(projectDir, "catalog"), path.join(out, "catalog"), { recursive: true });
        const run = (...args: string[]) => execFileSync("npm", ["run", "--silent", ...args], { cwd: projectDir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

        it("is refused while the Application's redis port has no app, naming the route no overlay builds, and nothing is written", async () => {
            assert.deepEqual(await refusals(seedTree, out, { env: { development: "dev" } }), [
                "argocd-bootstrap/ingress-controller/traefik-app.yaml: Application argocd/traefik-ingress: values.ports.redis: no app of environment development's overlays binds it " +
                "(apps/backend/redis-demo/base/ingress-route-tcp.yaml (IngressRouteTCP backend/redis-route) binds it, but no overlay builds that file), and nothing serves it: " +
                "Traefik would stop listening on 6379 (NodePort 30379) (got {\"port\":6379,\"exposedPort\":6379,\"protocol\":\"TCP\",\"nodePort\":30379}). " +
                "Fix: add an overlay that builds the app, or name the catalog app that serves it: --serve redis=<id>",
            ]);
        });

        it("is imported by the command, and `npm run render` of the stack holds every field of kubectl kustomize of the overlay: 0 differences", async () => {
            const printed = run("import", "--", "kustomize", seedTree, "--env", "development=dev", "--serve", "redis=redis-demo", "--out", out);
            assert.match(printed, /^checked stack dev: its render holds every field of 3 objects users run \(0 differences\); Traefik's entryPoints are the ones declared today \(mytcp, redis\)\nkept catalog\/tcp-demo\.yaml: it renders what the import read\nwrote .*Pulumi\.dev\.yaml\n$/);
            const stackText = fs.readFileSync(path.join(out, "Pulumi.dev.yaml"), "utf8");
            for (const source of ["apps/backend/tcp-demo/base/deployment.yaml", "apps/backend/tcp-demo/overlays/development/kustomization.yaml images[0]", "values.ports.mytcp", "spec.replicas of Deployment backend/tcp-echo-demo", "--serve redis=redis-demo"]) {
                assert.ok(stackText.includes(source), `the stack file says where its values came from: ${source}`);
            }
            run("render", "--", "--stack", "dev", "--dir", out, "--out", path.join(out, "render"));
            const rendered = YAML.parseAllDocuments(fs.readFileSync(path.join(out, "render/manifests.yaml"), "utf8")).map((d) => d.toJSON() as KubeObject);
            const built = await kustomize(path.join(seedTree, "apps/backend/tcp-demo/overlays/development"));
            assert.deepEqual(built.map((o) => o.kind).sort(), ["Deployment", "IngressRouteTCP", "Service"]);
            assert.deepEqual(built.flatMap((o) => differences(o, rendered)), []);
            // Traefik's planned entryPoints are the Application's ports, field for field.
            const application = YAML.parse(fs.readFileSync(path.join(seedTree, "argocd-bootstrap/ingress-controller/traefik-app.yaml"), "utf8"));
            const declared = YAML.parse(application.spec.source.helm.values).ports;
            const values = YAML.parse(fs.readFileSync(path.join(out, "render/traefik-values.yaml"), "utf8"));
            assert.deepEqual(values.ports, declared);
        });

        it("is refused where the stack file exists already", async () => {
            const into = tmp("seed-import-again");
            fs.cpSync(path.join(projectDir, "catalog"), path.join(into, "catalog"), { recursive: true });
            fs.writeFileSync(path.join(into, "Pulumi.dev.yaml"), "config: {}\n");
            assert.deepEqual(await refusals(seedTree, into, { env: { development: "dev" }, serve: { redis: "redis-demo" } }), [
                `${path.join(into, "Pulumi.dev.yaml")}: exists already: the import writes new stack files only (got nothing). Fix: import into another directory (--out), or the environment as another stack (--env <env>=<stack>)`,
            ]);
        });
    });

    describe("generated trees", () => {
        const seeds = [1, 2, 3, 4, 5, 6];
        const totals = { stacks: 0, apps: 0, objects: 0 };
        const covered = new Set<string>();
        after(() => console.log(`      ${seeds.length} trees, ${totals.apps} apps, ${totals.stacks} stacks, ${totals.objects} built objects: 0 differences`));
        for (const seed of seeds) {
            it(`tree ${seed}: every stack's render holds every field of its overlays' builds, and Traefik's entryPoints are the Application's ports`, async () => {
                const tree = generateTree(tmp(`tree-${seed}`), seed);
                const out = tmp(`tree-${seed}-import`);
                writeImport(out, await importKustomizeTree(tree.dir, {}, {}, out, projectDir));
                assert.deepEqual(fs.readdirSync(path.join(out, "catalog")).sort(), tree.apps.map((a) => `${a.id}.yaml`).sort());
                for (const env of tree.envs) {
                    const result = await renderAgainst(out, env, tree.apps.map((a) => path.join(tree.dir, a.overlays.find((o) => o.endsWith(`/${env}`))!)));
                    assert.deepEqual(result.differences, [], `stack ${env} of tree ${seed}`);
                    assert.deepEqual(result.ports, tree.ports);
                    totals.stacks += 1;
                    totals.objects += result.objects;
                }
                totals.apps += tree.apps.length;
                tree.features.forEach((f) => covered.add(f));
            });
        }

        it("between them make every kind of change the generator knows", () => {
            assert.deepEqual(FEATURES.filter((f) => !covered.has(f)), []);
        });
    });

    describe("what cannot be carried is refused, naming the file, the object and the reason, and nothing is written", () => {
        /** The seed's tcp-demo and its Application (the redis port, which no overlay builds an app for, left out), changed by `change`. */
        function seedLike(change: (dir: string) => void): string {
            const dir = tmp("refused-tree");
            fs.cpSync(path.join(seedTree, "apps/backend/tcp-demo"), path.join(dir, "apps/backend/tcp-demo"), { recursive: true });
            const application = YAML.parse(fs.readFileSync(path.join(seedTree, "argocd-bootstrap/ingress-controller/traefik-app.yaml"), "utf8"));
            const values = YAML.parse(application.spec.source.helm.values);
            delete values.ports.redis;
            values.additionalArguments = values.additionalArguments.filter((a: string) => !a.includes("redis"));
            application.spec.source.helm.values = YAML.stringify(values);
            fs.mkdirSync(path.join(dir, "argocd"));
            fs.writeFileSync(path.join(dir, "argocd/traefik-app.yaml"), YAML.stringify(application));
            change(dir);
            return dir;
        }
        const overlay = "apps/backend/tcp-demo/overlays/development";
        const addToOverlay = (dir: string, file: string, object: unknown, how: "resources" | "patches") => {
            fs.writeFileSync(path.join(dir, overlay, file), YAML.stringify(object));
            const kustomization = YAML.parse(fs.readFileSync(path.join(dir, overlay, "kustomization.yaml"), "utf8"));
            kustomization[how] = [...(kustomization[how] ?? []), how === "resources" ? file : { path: file, target: { kind: "Deployment", name: "tcp-echo-demo" } }];
            fs.writeFileSync(path.join(dir, overlay, "kustomization.yaml"), YAML.stringify(kustomization));
        };

        it("imports the seed-like tree as it is (the cases below each change one thing)", async () => {
            const out = tmp("refused-out");
            writeImport(out, await importKustomizeTree(seedLike(() => undefined), {}, {}, out, projectDir));
            assert.deepEqual(fs.readdirSync(out).sort(), ["Pulumi.development.yaml", "catalog"]);
        });

        it("an HTTP Ingress", async () => {
            const tree = seedLike((dir) => addToOverlay(dir, "ingress.yaml", {
                apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "hello", namespace: "backend" },
                spec: { rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "tcp-echo-service", port: { number: 3333 } } } }] } }] },
            }, "resources"));
            assert.deepEqual(await refusals(tree, tmp("refused-out")), [
                `${overlay}/ingress.yaml: Ingress backend/hello: is an HTTP Ingress: the import carries TCP and UDP apps (IngressRouteTCP/UDP); Traefik routes HTTP apps by IngressRoute on web, which a catalog file of kind http describes (got nothing). Fix: leave it out of what is imported, or move it by hand`,
            ]);
        });

        it("a patch that sets a field the plan has no setting for", async () => {
            const tree = seedLike((dir) => addToOverlay(dir, "patch-probe.yaml", {
                apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "tcp-echo-demo" },
                spec: { template: { spec: { hostNetwork: true, containers: [{ name: "proxy", livenessProbe: { tcpSocket: { port: 3333 } } }] } } },
            }, "patches"));
            assert.deepEqual(await refusals(tree, tmp("refused-out")), [
                "apps/backend/tcp-demo/base/deployment.yaml: Deployment backend/tcp-echo-demo: would not be kept by stack development " +
                `(built through ${overlay}/kustomization.yaml (patches, labels, images)): ` +
                "spec.template.spec.containers.0.livenessProbe: expected {\"tcpSocket\":{\"port\":3333}}, got undefined; spec.template.spec.hostNetwork: expected true, got undefined (got nothing). " +
                "Fix: the stack has no setting for these fields: change the source so that it needs none, or keep managing this app as today",
            ]);
        });

        it("a namePrefix that renames the Service but not the route's reference to it", async () => {
            const tree = seedLike((dir) => fs.appendFileSync(path.join(dir, overlay, "kustomization.yaml"), "namePrefix: dev-\n"));
            assert.deepEqual(await refusals(tree, tmp("refused-out")), [
                "apps/backend/tcp-demo/base/ingress-route-tcp.yaml: IngressRouteTCP backend/dev-tcp-echo-route: sends to Service tcp-echo-service, which is not among what is imported " +
                "(a namePrefix renames a Service but not a route's reference to it, unless the kustomization's configurations teach Kustomize that field) (got \"tcp-echo-service\"). " +
                "Fix: send the route to a Service of the same build, by its built name",
                ...["service.yaml: Service", "deployment.yaml: Deployment"].map((o) => `apps/backend/tcp-demo/base/${o} backend/dev-tcp-echo-${o.startsWith("service") ? "service" : "demo"}: ` +
                    "is not behind any route (IngressRouteTCP/UDP to its Service): the stack routes every app it runs through Traefik (got nothing). Fix: add the app's route to the build, or leave the app out of what is imported"),
            ]);
        });

        it("a Traefik value the stack has no setting for", async () => {
            const tree = seedLike((dir) => {
                const file = path.join(dir, "argocd/traefik-app.yaml");
                const application = YAML.parse(fs.readFileSync(file, "utf8"));
                application.spec.source.helm.values += "deployment:\n  replicas: 3\n";
                fs.writeFileSync(file, YAML.stringify(application));
            });
            assert.deepEqual(await refusals(tree, tmp("refused-out")), [
                "argocd/traefik-app.yaml: Application argocd/traefik-ingress: values.deployment: the stack has no setting for it (got {\"replicas\":3}). " +
                "Fix: remove it from the Application's values, or set it on Traefik by hand after the import",
            ]);
        });
    });
});
