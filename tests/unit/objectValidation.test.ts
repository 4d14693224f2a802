/**
 * Every object the program registers is checked offline against Kubernetes 1.34.4's OpenAPI and
 * the CRDs' schemas before anything is registered (lib/objects/validate.ts): the committed stacks
 * pass on both chart lines and both routing modes, the objects checked are exactly the objects
 * registered, and a refused object's message names the key, the value and the fix.
 */
import { strict as assert } from "assert";
import Ajv from "ajv";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HIDDEN_SECRET } from "../../lib/constants";
import { Manifest } from "../../lib/objects/appObjects";
import { plannedManifests } from "../../lib/objects/platformObjects";
import { committedSchemas, manifestProblems, ObjectSchemas, objectProblems, schemaKey } from "../../lib/objects/validate";
import { SECRET_VERSION_ANNOTATION } from "../../lib/objects/workload";
import { formatProblem } from "../../lib/problems";
import { validate } from "../../lib/rules/validate";
import { evaluate } from "../../tools/evaluate";
import { manifestsOf } from "../../tools/manifests";
import { goModuleDir } from "../../tools/crdTypes";
import { CERT_MANAGER, generateObjectSchemas, KUBERNETES, KUBERNETES_API, PROMETHEUS_OPERATOR, SCHEMA_FILE } from "../../tools/objectSchemas";
import { projectDir, stackRaw } from "../support/helpers";

const variants = [
    { name: "chart 26.0.0", change: (v: Record<string, any>) => { v.traefik.chart = { version: "26.0.0" }; } },
    { name: "chart 41.3.0", change: (v: Record<string, any>) => { v.traefik.chart = { version: "41.3.0" }; } },
    { name: "gateway routing", change: (v: Record<string, any>) => { v.traefik.chart = { version: "41.3.0" }; v.traefik.routing = "gateway"; } },
];

function withStack(stack: "dev" | "prod", change: (v: Record<string, any>) => void) {
    const raw = stackRaw(stack);
    const values: Record<string, any> = structuredClone(raw.values);
    change(values);
    return { ...raw, values };
}

/** A planned manifest as the render shows the registered one: no empty lists, secrets hidden, the Secret's version as the mocks store it. */
function asRendered(value: unknown, key = ""): unknown {
    if (Array.isArray(value)) {
        return value.map((v) => asRendered(v));
    }
    if (value && typeof value === "object") {
        const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0));
        return Object.fromEntries(entries.map(([k, v]) => [k, key === "stringData" ? HIDDEN_SECRET : k === SECRET_VERSION_ANNOTATION ? "1" : asRendered(v, k)]));
    }
    return value;
}

const order = (m: Manifest) => `${m.kind} ${typeof m.metadata.namespace === "string" ? m.metadata.namespace : ""} ${m.metadata.name}`;

describe("objects against the API server's schemas", () => {
    for (const stack of ["dev", "prod"] as const) {
        for (const { name, change } of variants) {
            it(`passes every object of ${stack} (${name})`, () => {
                const plan = validate(withStack(stack, change));
                const kinds = new Set(plannedManifests(plan).map((p) => p.manifest.kind));
                assert.deepEqual(objectProblems(plan), []);
                assert.ok(kinds.has("Deployment") && kinds.has("NetworkPolicy") && kinds.has("PodMonitor"), [...kinds].join(", "));
            });
        }

        it(`checks exactly the objects ${stack} registers (the Gateway API's CRDs aside: verbatim from their module)`, async () => {
            for (const { change } of [variants[0], variants[2]]) {
                const raw = withStack(stack, change);
                const { resources, platform } = await evaluate(raw, stack);
                const registered = manifestsOf(resources).filter((m) => m.kind !== "CustomResourceDefinition").sort((a, b) => order(a).localeCompare(order(b)));
                // Offline the program registers the operator's objects (PodMonitor, PrometheusRule), not the scrape ConfigMap.
                const planned = plannedManifests(platform.plan).map((p) => p.manifest).filter((m) => m.metadata.name !== platform.plan.traefik.monitoring?.names.scrapeConfig)
                    .sort((a, b) => order(a).localeCompare(order(b)));
                assert.deepEqual(planned.map(order), registered.map(order));
                assert.deepEqual(planned.map((m) => asRendered(m)), registered);
            }
        });
    }

    describe("a refused object", () => {
        const plan = validate(stackRaw("dev"));
        const refusals = (manifest: Manifest, key: string) =>
            manifestProblems(manifest, key, "tcp-platform:apps.tcp-demo", "Kubernetes 1.34.4's Deployment schema", plan).map(formatProblem);
        const deployment = (spec: Record<string, unknown>): Manifest<{ spec: unknown }> => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "tcp-echo-demo", namespace: "backend" }, spec });
        const container = { name: "proxy", image: "tcp-echo-server" };
        const template = (c: Record<string, unknown>) => ({ selector: { matchLabels: { app: "tcp-echo" } }, template: { spec: { containers: [{ ...container, ...c }] } } });

        it("names the app's key, the value and the fix for a wrong type, a bad quantity, a misspelt field", () => {
            assert.deepEqual(refusals(deployment({ ...template({ resources: { limits: { memory: "64MB" } } }), replicas: "3", strategy: { tyep: "Recreate" } }), schemaKey("apps/v1", "Deployment")), [
                "tcp-platform:defaults.replicas: Deployment backend/tcp-echo-demo spec.replicas is not an integer, which Kubernetes 1.34.4's Deployment schema refuses: " +
                "the API server would refuse the object at pulumi up (got \"3\"). Fix: write an integer",
                "tcp-platform:apps.tcp-demo: Deployment backend/tcp-echo-demo sets spec.strategy.tyep, a field it does not have, which Kubernetes 1.34.4's Deployment schema refuses: " +
                "the API server would refuse the object at pulumi up (got \"Recreate\"). Fix: leave the field out: it is misspelt or belongs to another version",
                "tcp-platform:defaults.resources.limits.memory: Deployment backend/tcp-echo-demo spec.template.spec.containers[0].resources.limits.memory is not a Kubernetes quantity, " +
                "which Kubernetes 1.34.4's Deployment schema refuses: the API server would refuse the object at pulumi up (got \"64MB\"). Fix: write a number with at most one suffix: m, k, M, G, T, Ki, Mi, Gi, Ti (500m, 64Mi, 1Gi)",
            ]);
        });

        it("names the types an int-or-string takes, and the values of an enum the Go types hold", () => {
            const service: Manifest<{ spec: unknown }> = { apiVersion: "v1", kind: "Service", metadata: { name: "tcp-echo-service", namespace: "backend" }, spec: { ports: [{ port: 3333, targetPort: true, protocol: "tcp" }] } };
            assert.deepEqual(manifestProblems(service, schemaKey("v1", "Service"), "tcp-platform:apps.tcp-demo", "Kubernetes 1.34.4's Service schema", plan).map(formatProblem), [
                "tcp-platform:apps.tcp-demo: Service backend/tcp-echo-service spec.ports[0].protocol is not one of the values it takes, which Kubernetes 1.34.4's Service schema refuses: " +
                "the API server would refuse the object at pulumi up (got \"tcp\"). Fix: use one of: [\"TCP\",\"UDP\",\"SCTP\"]",
                "tcp-platform:apps.tcp-demo: Service backend/tcp-echo-service spec.ports[0].targetPort is not an integer or string, which Kubernetes 1.34.4's Service schema refuses: " +
                "the API server would refuse the object at pulumi up (got true). Fix: write an integer or string",
            ]);
        });

        it("refuses two items a list map keys alike (two container ports on one port and protocol)", () => {
            const ports = [{ name: "a", containerPort: 3333, protocol: "TCP" }, { name: "b", containerPort: 3333, protocol: "TCP" }];
            assert.deepEqual(refusals(deployment(template({ ports })), schemaKey("apps/v1", "Deployment")), [
                "tcp-platform:apps.tcp-demo: Deployment backend/tcp-echo-demo spec.template.spec.containers[0].ports has two items of the same containerPort and protocol (the list's key), " +
                "which Kubernetes 1.34.4's Deployment schema refuses: the API server would refuse the object at pulumi up " +
                "(got [{\"name\":\"a\",\"containerPort\":3333,\"protocol\":\"TCP\"},{\"name\":\"b\",\"containerPor...). Fix: give each item its own containerPort and protocol",
            ]);
        });
    });

    describe("the committed schemas (lib/objects/schemas.json)", () => {
        const parsed: unknown = JSON.parse(fs.readFileSync(path.join(projectDir, SCHEMA_FILE), "utf8"));
        const document = parsed !== null && typeof parsed === "object" ? parsed : {};

        it("are a valid JSON Schema document whose every kind compiles", () => {
            assert.equal(new Ajv({ strict: false }).validateSchema(document), true);
            const kinds = Object.keys("$defs" in document && document.$defs !== null && typeof document.$defs === "object" ? document.$defs : {}).filter((k) => k.startsWith("kind:"));
            assert.equal(kinds.length, 26);
            for (const key of kinds) {
                assert.ok(committedSchemas().validator(key), key);
            }
        });

        it("compile once per machine: the saved validators refuse what the compiled ones do, and a broken file is compiled again", () => {
            const text = fs.readFileSync(path.join(projectDir, SCHEMA_FILE), "utf8");
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "validators-"));
            const plan = validate(stackRaw("dev"));
            const broken: Manifest<{ spec: unknown }> = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data-db-0", namespace: "backend" }, spec: { resources: { requests: { storage: "1 Gi" } }, accessModes: "ReadWriteOnce" } };
            const refusals = (schemas: ObjectSchemas) => manifestProblems(broken, schemaKey("v1", "PersistentVolumeClaim"), "tcp-platform:apps.db", "the schema", plan, schemas).map(formatProblem);
            try {
                const compiled = refusals(new ObjectSchemas(text, dir));
                const [saved] = fs.readdirSync(dir);
                assert.match(saved, /^object-validators-[0-9a-f]{16}\.js$/);
                assert.deepEqual(refusals(new ObjectSchemas(text, dir)), compiled);
                fs.writeFileSync(path.join(dir, saved), "module.exports = {};");
                assert.deepEqual(refusals(new ObjectSchemas(text, dir)), compiled);
                assert.deepEqual(refusals(new ObjectSchemas(text, undefined)), compiled);
                assert.deepEqual(compiled.map((p) => p.split(": the API server")[0]), [
                    "tcp-platform:apps.db: PersistentVolumeClaim backend/data-db-0 spec.accessModes is not an array, which the schema refuses",
                    "tcp-platform:apps.db.storage.size: PersistentVolumeClaim backend/data-db-0 spec.resources.requests.storage is not a Kubernetes quantity, which the schema refuses",
                ]);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("are what the modules and the charts give (npm run object-schemas)", function () {
            let dirs: { kubernetes: string; kubernetesApi: string; certManager: string; prometheusOperator: string };
            try {
                dirs = { kubernetes: goModuleDir(KUBERNETES.module, KUBERNETES.version), kubernetesApi: goModuleDir(KUBERNETES_API.module, KUBERNETES_API.version), certManager: goModuleDir(CERT_MANAGER.module, CERT_MANAGER.version), prometheusOperator: goModuleDir(PROMETHEUS_OPERATOR.module, PROMETHEUS_OPERATOR.version) };
            } catch {
                this.skip();
            }
            const text = generateObjectSchemas({ ...dirs!, charts: path.resolve(projectDir, "../shared/charts"), project: projectDir });
            assert.equal(fs.readFileSync(path.join(projectDir, SCHEMA_FILE), "utf8"), text, `${SCHEMA_FILE} is stale: run npm run object-schemas`);
        });
    });
});
