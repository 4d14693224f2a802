/**
 * Gateway routing (issue 18): dev and prod rendered with `traefik.routing: gateway` on chart 41,
 * each Gateway API object checked against the CRD the program installs, the values against the
 * chart's schema; validation and the live checks of the new mode.
 */
import Ajv2020 from "ajv/dist/2020";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { RawConfig } from "../../lib/config/schema";
import { gatewayApiCrdObjects } from "../../lib/crds/gatewayApiBundle";
import { objectKey } from "../../lib/live/cluster";
import { gatewayCrdDecision } from "../../lib/live/crds";
import { GATEWAY_SENTINEL_CRD, LiveFacts } from "../../lib/live/facts";
import { projectCatalog } from "../../lib/config/catalogFiles";
import { parseConfig } from "../../lib/config/parse";
import { PlanDraft } from "../../lib/model";
import { planPlatform } from "../../lib/plan/plan";
import { formatProblem } from "../../lib/problems";
import { gatewayProblems } from "../../lib/rules/gateway";
import { validate } from "../../lib/rules/validate";
import { gatewayListenersBound, rules, stackRules } from "../../policy/rules";
import { localChartDir } from "../../tools/charts";
import { GATEWAY_API, GATEWAY_API_CRDS, gatewayApiModuleDir, generateGatewayApiFiles } from "../../tools/crdTypes";
import { evaluate, Evaluation } from "../../tools/evaluate";
import { Manifest, manifestsOf, traefikValuesOf } from "../../tools/manifests";
import { problemsOf, projectDir, stackRaw } from "../support/helpers";

const chartsDir = path.resolve(projectDir, "../shared/charts");

/** A stack file's config in gateway routing on chart 41 (`change` applied after). */
export function gatewayStack(stack: "dev" | "prod", change: (values: Record<string, any>) => void = () => undefined): RawConfig {
    const raw = stackRaw(stack);
    const values = structuredClone(raw.values) as Record<string, any>;
    values.traefik.chart.version = "41.3.0";
    values.traefik.routing = "gateway";
    change(values);
    return { values, secretKeys: new Set(raw.secretKeys), identity: raw.identity };
}

function find(manifests: Manifest[], kind: string, name: string): any {
    const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
    assert.ok(found, `no ${kind} ${name} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
    return found;
}

/** The CRD schema of a Gateway API kind, with unknown fields refused (the API server would prune them). */
function strictSchema(kind: string): object {
    const crd = gatewayApiCrdObjects().find((c) => (c.spec as any).names.kind === kind)!;
    const schema = (crd.spec as any).versions.find((v: any) => v.name === "v1").schema.openAPIV3Schema;
    return JSON.parse(JSON.stringify(schema), (key, value) =>
        value && typeof value === "object" && value.properties && value.additionalProperties === undefined && key !== "metadata" ? { ...value, additionalProperties: false } : value);
}

const expected = {
    dev: {
        listeners: [["tcp-demo", 9999, "TCP", undefined], ["redis-demo", 6379, "TCP", undefined], ["mysql-demo", 3306, "TCP", undefined], ["db", 8443, "TLS", "db.dev.example.com"], ["cache", 8443, "TLS", "cache.dev.example.com"]],
        stack: "dev",
    },
    prod: {
        listeners: [["tcp-demo", 19999, "TCP", undefined], ["redis-demo", 6379, "TCP", undefined], ["mysql-demo", 3306, "TCP", undefined], ["db", 8443, "TLS", "db.example.com"], ["cache", 8443, "TLS", "cache.example.com"]],
        stack: "prod",
    },
} as const;

for (const stack of ["dev", "prod"] as const) {
    describe(`${stack} in gateway routing (chart 41.3.0)`, () => {
        let run: Evaluation;
        let manifests: Manifest[];
        let values: any;
        before(async () => {
            run = await evaluate(gatewayStack(stack), stack);
            manifests = manifestsOf(run.resources);
            values = traefikValuesOf(run.resources);
        });

        it("deploys a Gateway of its Traefik's GatewayClass with one listener per TCP app, on its entryPoint's port", () => {
            const gateway = find(manifests, "Gateway", "traefik-ingress-gateway");
            assert.equal(gateway.metadata.namespace, "traefik");
            assert.equal(gateway.spec.gatewayClassName, "tcp-platform-traefik");
            const listeners = Object.fromEntries(Object.entries(values.ports).map(([name, p]: [string, any]) => [p.port, name]));
            assert.deepEqual(gateway.spec.listeners.map((l: any) => [l.name, l.port, l.protocol, l.hostname]), expected[stack].listeners);
            for (const l of gateway.spec.listeners) {
                assert.ok(l.port === 8443 || listeners[l.port], `listener ${l.name}'s port ${l.port} is one of Traefik's entryPoints`);
                assert.deepEqual(l.tls, l.protocol === "TLS" ? { mode: "Passthrough" } : undefined);
                assert.deepEqual(l.allowedRoutes.kinds, [{ group: "gateway.networking.k8s.io", kind: l.protocol === "TLS" ? "TLSRoute" : "TCPRoute" }]);
            }
            assert.deepEqual(find(manifests, "Gateway", "traefik-ingress-gateway").spec.listeners.find((l: any) => l.name === "db").allowedRoutes.namespaces,
                { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": "backend" } } });
        });

        it("binds a TCPRoute per plain-TCP app and a TLSRoute per SNI app to its listener by sectionName; no IngressRouteTCP", () => {
            assert.deepEqual(manifests.filter((m) => m.kind === "IngressRouteTCP"), []);
            const echo = find(manifests, "TCPRoute", "tcp-echo-route");
            assert.deepEqual(echo.spec, {
                parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "traefik-ingress-gateway", namespace: "traefik", sectionName: "tcp-demo" }],
                rules: [{ backendRefs: [{ name: "tcp-echo-service", port: 3333 }] }],
            });
            const db = find(manifests, "TLSRoute", "db-route");
            assert.equal(db.apiVersion, "gateway.networking.k8s.io/v1");
            assert.deepEqual(db.spec.hostnames, [stack === "dev" ? "db.dev.example.com" : "db.example.com"]);
            assert.equal(db.spec.parentRefs[0].sectionName, "db");
            assert.deepEqual(manifests.filter((m) => m.kind === "TCPRoute" || m.kind === "TLSRoute").map((m) => `${m.kind}/${m.metadata.name}`).sort(),
                ["TCPRoute/mysql-route", "TCPRoute/redis-route", "TCPRoute/tcp-echo-route", "TLSRoute/cache-route", "TLSRoute/db-route"]);
            assert.equal(find(manifests, "IngressRoute", "hello-api-route").kind, "IngressRoute", "the HTTP app keeps its IngressRoute");
        });

        it("writes every Gateway API object as the installed CRD's v1 schema accepts it (no unknown field)", () => {
            const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
            const objects = manifests.filter((m) => m.apiVersion === "gateway.networking.k8s.io/v1");
            assert.deepEqual([...new Set(objects.map((m) => m.kind))].sort(), ["Gateway", "TCPRoute", "TLSRoute"]);
            for (const object of objects) {
                const check = ajv.compile(strictSchema(object.kind));
                assert.ok(check(object), `${object.kind}/${object.metadata.name}: ${JSON.stringify(check.errors)}`);
            }
        });

        it("installs the Gateway API v1.6.1 experimental CRDs Traefik watches, labelled as the stack's", () => {
            const crds = manifests.filter((m) => m.kind === "CustomResourceDefinition");
            assert.deepEqual(crds.map((c) => c.metadata.name).sort(), GATEWAY_API_CRDS.map((p) => `${p}.gateway.networking.k8s.io`).sort());
            for (const crd of crds) {
                assert.equal(crd.metadata.annotations?.["gateway.networking.k8s.io/bundle-version"], GATEWAY_API.version);
                assert.equal(crd.metadata.annotations?.["gateway.networking.k8s.io/channel"], "experimental");
                assert.equal(crd.metadata.labels?.["tcp-platform/stack"], stack);
            }
            const tcproutes = crds.find((c) => c.metadata.name === "tcproutes.gateway.networking.k8s.io") as any;
            assert.deepEqual(tcproutes.spec.versions.map((v: any) => [v.name, v.served]), [["v1", true], ["v1alpha2", true]], "Traefik 3.7 lists TCPRoutes through v1alpha2");
        });

        it("enables Traefik's Gateway provider on the experimental channel, with a ClusterRole and the chart's class, not its Gateway", () => {
            assert.deepEqual(values.providers.kubernetesGateway, {
                enabled: true, experimentalChannel: true, namespaces: ["traefik", ...run.platform.plan.namespaces],
                labelSelector: `tcp-platform/project=tcp-platform,tcp-platform/stack=${stack}`,
            });
            assert.deepEqual(values.rbac, { namespaced: false });
            assert.deepEqual(values.gateway, { enabled: false });
            assert.deepEqual(values.gatewayClass, { enabled: true, name: "tcp-platform-traefik" });
            assert.equal(values.commonLabels["tcp-platform/stack"], stack, "the chart's GatewayClass carries the labels the provider selects it by");
            const chartDir = localChartDir(chartsDir, "41.3.0");
            const check = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(chartDir, "values.schema.json"), "utf8")));
            assert.ok(check(values), JSON.stringify(check.errors, null, 1));
            assert.match(fs.readFileSync(path.join(chartDir, "templates", "gatewayclass.yaml"), "utf8"), /name: \{\{ default "traefik" \.Values\.gatewayClass\.name \}\}/);
        });

        it("makes websecure Traefik's only default entryPoint, so that the provider's deny-unknown-host TLS router stays off the plain-TCP entryPoints", () => {
            // On a plain-TCP entryPoint that router made Traefik wait for the client's first bytes:
            // MySQL's greeting never came (tests/e2e/gateway.test.ts).
            const defaults = Object.entries(values.ports as Record<string, any>).filter(([, port]) => port?.asDefault).map(([name]) => name);
            assert.deepEqual(defaults, ["websecure"]);
        });

        it("passes every policy of the pack", () => {
            const views = run.resources.map((r) => ({ type: r.type, props: r.inputs }));
            const violations = [...views.flatMap((v) => rules.flatMap((rule) => rule.check(v))), ...stackRules.flatMap((rule) => rule.check(views))];
            assert.deepEqual(violations, []);
        });

        it("lists every object it registers in the plan's inventory (the CRDs aside: their ownership is decided apart)", () => {
            const registered = manifests.filter((m) => m.kind !== "CustomResourceDefinition").map((m) => objectKey({ kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name })).sort();
            assert.deepEqual(run.platform.plan.objects.map(objectKey).sort(), registered);
        });
    });
}

describe("gateway routing: validation", () => {
    it("refuses chart 26 (Traefik v2.10) with the reason", () => {
        const raw = gatewayStack("dev", (v) => {
            v.traefik.chart.version = "26.0.0";
        });
        assert.deepEqual(problemsOf(raw), [
            "tcp-platform:traefik.routing: cannot be used with this Traefik: chart 26.0.0 ships Traefik v2, whose Gateway provider is experimental and implements Gateway API v0.4 (v1alpha2 Gateways and GatewayClasses), which the v1.6.1 CRDs no longer serve: it cannot read this program's Gateway, TCPRoutes or TLSRoutes (got \"gateway\"). " +
            "Fix: install chart 41.3.0 or later (traefik.chart.version, or traefik.chart.path: ../shared/charts/traefik-41.3.0.tgz), or keep traefik.routing: ingressRoute",
        ]);
    });

    it("refuses what a TCPRoute or TLSRoute cannot carry, and a TLS app without a host", () => {
        const raw = gatewayStack("dev", (v) => {
            v.apps["tcp-demo"].ipAllowList = ["10.0.0.0/8"];
            v.apps.cache = { entryPoint: { name: "cachetls", port: 7000, nodePort: 30700 }, tls: { passthrough: true, certificate: { secretName: "cache-tls" } } };
            v.apps.db = { host: "db.example.com", tls: { secretName: "db-tls" } };
        });
        const problems = problemsOf(raw);
        assert.equal(problems.length, 3, problems.join("\n"));
        assert.match(problems[0], /^tcp-platform:apps\.tcp-demo\.ipAllowList: is an allow-list \(a MiddlewareTCP\): TCPRoutes and TLSRoutes take no filters/);
        assert.ok(problems.some((p) => p.startsWith("tcp-platform:apps.db.tls: terminates TLS in Traefik")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith("tcp-platform:apps.cache.host: is required in gateway routing")), problems.join("\n"));
    });

    /** The rules' input: dev's gateway plan before validation, which a test then breaks. */
    function gatewayDraft(): PlanDraft {
        return planPlatform(parseConfig(gatewayStack("dev"), projectCatalog()), projectCatalog());
    }

    it("flags a listener whose port is not one of Traefik's entryPoints, and a host on a TCP listener", () => {
        const plan = gatewayDraft();
        const echo = plan.traefik.gateway!.listeners.find((l) => l.name === "tcp-demo")!;
        echo.port = 9998;
        echo.hostname = "echo.example.com";
        assert.deepEqual(gatewayProblems(plan).map(formatProblem), [
            "tcp-platform:apps.tcp-demo: has a listener on port 9998, which is not the port of one of Traefik's TCP entryPoints: Traefik would not program it (got 9998). Fix: route the app through a declared entryPoint: entryPoint: {name, port, nodePort}",
            "tcp-platform:apps.tcp-demo.host: is a host name on a TCP listener: a TCP listener matches every connection on its port, with no SNI to tell hosts apart (got \"echo.example.com\"). Fix: remove host, or pass TLS through (tls: {passthrough: true, ...}) for a TLS listener of that host",
        ]);
    });

    it("flags a route without a listener", () => {
        const plan = gatewayDraft();
        plan.traefik.gateway!.listeners = plan.traefik.gateway!.listeners.filter((l) => l.name !== "redis-demo");
        assert.deepEqual(gatewayProblems(plan).map(formatProblem), [
            "tcp-platform:apps.redis-demo: has a TCPRoute without a listener of the Gateway (sectionName redis-demo): no traffic would reach it (got \"redis-route\"). Fix: route the app through one of Traefik's TCP entryPoints",
        ]);
    });

    it("keeps dev and prod in ingressRoute routing by default", () => {
        for (const stack of ["dev", "prod"] as const) {
            const plan = validate(stackRaw(stack));
            assert.equal(plan.traefik.routing, "ingressRoute");
            assert.equal(plan.traefik.gateway, undefined);
        }
    });
});

describe("gateway routing: the policy pack", () => {
    it("flags a listener off Traefik's entryPoints, a host on a TCP listener, and a route without a listener", async () => {
        const run = await evaluate(gatewayStack("dev"), "dev");
        const views = run.resources.map((r) => ({ type: r.type, props: structuredClone(r.inputs) as Record<string, any> }));
        assert.deepEqual(gatewayListenersBound.check(views), []);
        const gateway = views.find((v) => v.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway")!;
        const echo = gateway.props.spec.listeners.find((l: any) => l.name === "tcp-demo");
        echo.port = 9998;
        echo.hostname = "echo.example.com";
        gateway.props.spec.listeners = gateway.props.spec.listeners.filter((l: any) => l.name !== "redis-demo");
        assert.deepEqual(gatewayListenersBound.check(views), [
            "Gateway traefik-ingress-gateway: listener tcp-demo is on port 9998, which is none of Traefik's TCP entryPoints: Traefik would not program it",
            "Gateway traefik-ingress-gateway: TCP listener tcp-demo has host name echo.example.com, which a TCP listener cannot match (no SNI)",
            "TCPRoute redis-route names no listener of a Gateway of the stack (traefik-ingress-gateway, sectionName redis-demo): no traffic would reach it",
        ]);
    });
});

describe("gateway routing: the cluster's Gateway API CRDs", () => {
    const plan = validate(gatewayStack("dev"));
    const facts = (gatewayCrds: LiveFacts["gatewayCrds"]) => ({ gatewayCrds } as LiveFacts);
    const crd = (labels: Record<string, string>, served: string[], channel: string) => ({
        name: GATEWAY_SENTINEL_CRD.name, labels, ownerReferences: [],
        crd: { served, annotations: { "gateway.networking.k8s.io/bundle-version": "v1.6.1", "gateway.networking.k8s.io/channel": channel } },
    });

    it("installs them where there are none, or they are the stack's own", () => {
        assert.deepEqual(gatewayCrdDecision(plan, facts("absent"), false), { decision: "own", problems: [] });
        assert.deepEqual(gatewayCrdDecision(plan, facts(crd({ "tcp-platform/project": "tcp-platform", "tcp-platform/stack": "dev" }, ["v1", "v1alpha2"], "experimental")), false), { decision: "own", problems: [] });
    });

    it("uses another owner's CRDs when they serve TCPRoute v1alpha2, and refuses with the reason when they do not", () => {
        assert.deepEqual(gatewayCrdDecision(plan, facts(crd({}, ["v1", "v1alpha2"], "experimental")), false), { decision: "skip", problems: [] });
        const { decision, problems } = gatewayCrdDecision(plan, facts(crd({}, ["v1"], "standard")), false);
        assert.equal(decision, undefined);
        assert.deepEqual(problems.map(formatProblem), [
            "tcp-platform:traefik.routing: needs TCPRoute served as v1alpha2 (Traefik 3.7 reads it only there), but the cluster's tcproutes.gateway.networking.k8s.io (Gateway API v1.6.1, standard channel, owned by no stack (no tcp-platform/stack label: made by kubectl, Helm or Argo CD?)) serves v1; " +
            "the program does not replace CRDs another owner installed, which every Gateway controller of the cluster uses (got \"gateway\"). " +
            "Fix: have the CRDs' owner install the experimental channel of Gateway API v1.6.1 (kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/experimental-install.yaml), or keep traefik.routing: ingressRoute",
        ]);
    });
});

describe("generated Gateway API files", () => {
    it("are the module's CRDs verbatim, and the types tools/crdTypes.ts makes of them (npm run crd-types)", function () {
        let moduleDir: string;
        try {
            moduleDir = gatewayApiModuleDir();
        } catch {
            this.skip();
        }
        for (const [file, text] of generateGatewayApiFiles(moduleDir!)) {
            assert.equal(fs.readFileSync(path.join(projectDir, file), "utf8"), text, `${file} is stale: run npm run crd-types`);
        }
        assert.equal(YAML.parseAllDocuments(fs.readFileSync(path.join(projectDir, "lib/crds/gatewayApiCrds.yaml"), "utf8")).filter((d) => d.toJS()).length, GATEWAY_API_CRDS.length);
    });
});
