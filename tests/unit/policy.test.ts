import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { parse } from "yaml";
import { evaluate } from "../../tools/evaluate";
import { guaranteedInProduction, nodePortsInRange, productionTraefikRedundant, pinnedImages, productionDatabasesAllowListed, requestsAndLimits, ResourceView, rules, seedNaming, stackRules, tcpRouteMatches, tlsOptionsWhereTerminated } from "../../policy/rules";
import { devWith, stackRaw } from "../support/helpers";

function deployment(labels: Record<string, string>, container: Record<string, unknown>): ResourceView {
    return {
        type: "kubernetes:apps/v1:Deployment",
        props: { metadata: { name: "web", labels }, spec: { template: { spec: { containers: [{ name: "c", ...container }] } } } },
    };
}

const sized = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "250m", memory: "256Mi" } };

function route(name: string, spec: Record<string, unknown>): ResourceView {
    return { type: "kubernetes:traefik.io/v1alpha1:IngressRouteTCP", props: { metadata: { name }, spec } };
}

describe("policy pack rules", () => {
    it("is a policy project the CLI can load (PulumiPolicy.yaml is a YAML mapping with a runtime)", () => {
        const project = parse(readFileSync("policy/PulumiPolicy.yaml", "utf8"));
        assert.equal(project.runtime, "nodejs");
        assert.equal(typeof project.description, "string");
    });

    it("requires requests and limits on every container", () => {
        assert.deepEqual(requestsAndLimits.check(deployment({}, { image: "a:1", resources: sized })), []);
        assert.deepEqual(requestsAndLimits.check(deployment({}, { image: "a:1", resources: { requests: { cpu: "1" } } })), [
            'container "c" of web has no limits.cpu',
            'container "c" of web has no requests.memory',
            'container "c" of web has no limits.memory',
        ]);
    });

    it("requires QoS Guaranteed in production only", () => {
        const burstable = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "0.5", memory: "256Mi" } };
        assert.deepEqual(guaranteedInProduction.check(deployment({ environment: "development" }, { resources: burstable })), []);
        assert.deepEqual(guaranteedInProduction.check(deployment({ environment: "production" }, { resources: burstable })), [
            'container "c" of web is not QoS Guaranteed: cpu request 100m != limit 0.5',
        ]);
        // Equal quantities written differently are equal.
        assert.deepEqual(guaranteedInProduction.check(deployment({ environment: "production" }, { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1000m", memory: "1024Mi" } } })), []);
    });

    it("refuses placeholders and latest, accepts tags and digests", () => {
        assert.deepEqual(pinnedImages.check(deployment({}, { image: "iceymoss/tcp-echo:1.0" })), []);
        assert.deepEqual(pinnedImages.check(deployment({}, { image: `redis@sha256:${"a".repeat(64)}` })), []);
        assert.deepEqual(pinnedImages.check(deployment({}, { image: "localhost:5000/app:2" })), []);
        assert.match(pinnedImages.check(deployment({}, { image: "tcp-echo-server" }))[0], /has no tag: an unmapped placeholder/);
        assert.match(pinnedImages.check(deployment({}, { image: "localhost:5000/app" }))[0], /has no tag/);
        assert.match(pinnedImages.check(deployment({}, { image: "redis:latest" }))[0], /pin a version instead of latest/);
    });

    it("checks the seed's naming of routes and services", () => {
        const ok = route("tcp-echo-route", { routes: [{ match: "HostSNI(`*`)", services: [{ name: "tcp-echo-service", port: 3333 }] }] });
        assert.deepEqual(seedNaming.check(ok), []);
        assert.deepEqual(seedNaming.check(route("tcp-echo-route", { routes: [{ match: "HostSNI(`*`)", services: [{ name: "echo", port: 3333 }] }] })),
            ["route tcp-echo-route sends traffic to echo, not tcp-echo-service"]);
        assert.deepEqual(seedNaming.check(route("echo", { routes: [] })), ["route echo is not named <name>-route"]);
        const ingress: ResourceView = { type: "kubernetes:networking.k8s.io/v1:Ingress", props: { metadata: { name: "hello-api-route" }, spec: { rules: [{ http: { paths: [{ backend: { service: { name: "hello-api-service" } } }] } }] } } };
        assert.deepEqual(seedNaming.check(ingress), []);
        const httpRoute = (service: string): ResourceView => ({
            type: "kubernetes:traefik.io/v1alpha1:IngressRoute",
            props: { metadata: { name: "hello-api-route" }, spec: { routes: [{ match: "PathPrefix(`/`)", kind: "Rule", services: [{ name: service, port: 80 }] }] } },
        });
        assert.deepEqual(seedNaming.check(httpRoute("hello-api-service")), []);
        assert.deepEqual(seedNaming.check(httpRoute("other")), ["route hello-api-route sends traffic to other, not hello-api-service"]);
        // Traefik's own readiness route (to ping@internal) is not an app's; a route mixing it with an app's Service is.
        const traefikRoute = (services: any[]): ResourceView => ({
            type: "kubernetes:traefik.io/v1alpha1:IngressRoute",
            props: { metadata: { name: "traefik-ingress-ready" }, spec: { entryPoints: ["traefik"], routes: [{ match: "Path(`/ready`)", kind: "Rule", services }] } },
        });
        assert.deepEqual(seedNaming.check(traefikRoute([{ name: "ping@internal", kind: "TraefikService" }])), []);
        assert.deepEqual(seedNaming.check(traefikRoute([{ name: "ping@internal", kind: "TraefikService" }, { name: "db-service", port: 5432 }])), ["route traefik-ingress-ready is not named <name>-route"]);
        assert.deepEqual(seedNaming.check(traefikRoute([{ name: "ping", kind: "TraefikService" }])), ["route traefik-ingress-ready is not named <name>-route"]);
    });

    it("lets a plain-TCP route match only HostSNI(`*`), and an SNI route only with TLS", () => {
        assert.deepEqual(tcpRouteMatches.check(route("a-route", { routes: [{ match: "HostSNI(`*`)" }] })), []);
        assert.deepEqual(tcpRouteMatches.check(route("db-route", { routes: [{ match: "HostSNI(`db.example.com`)" }], tls: { passthrough: true } })), []);
        assert.deepEqual(tcpRouteMatches.check(route("db-route", { routes: [{ match: "HostSNI(`db.example.com`)" }] })),
            ["route db-route has no TLS, so it can only match HostSNI(`*`), not HostSNI(`db.example.com`)"]);
    });

    it("keeps NodePorts in 30000-32767, on Services and in chart values", () => {
        const service = (nodePort: number): ResourceView => ({ type: "kubernetes:core/v1:Service", props: { metadata: { name: "traefik" }, spec: { type: "NodePort", ports: [{ port: 80, nodePort }] } } });
        assert.deepEqual(nodePortsInRange.check(service(30999)), []);
        assert.deepEqual(nodePortsInRange.check(service(8080)), ["traefik uses NodePort 8080, outside 30000-32767"]);
        const chart: ResourceView = { type: "kubernetes:helm.sh/v4:Chart", props: { values: { ports: { mytcp: { nodePort: 40000 } } } } };
        assert.deepEqual(nodePortsInRange.check(chart), ["kubernetes:helm.sh/v4:Chart uses NodePort 40000, outside 30000-32767"]);
    });

    it("refuses a production Traefik of one pod or without a budget; prod as committed passes", async () => {
        const install = (values: Record<string, unknown>): ResourceView => ({ type: "kubernetes:helm.sh/v4:Chart", props: { values: { commonLabels: { environment: "production" }, ...values } } });
        assert.deepEqual(productionTraefikRedundant.check(install({ deployment: { replicas: 1 }, podDisruptionBudget: { enabled: false } })),
            ["production Traefik keeps 1 pod and no PodDisruptionBudget: set tcp-platform:traefik.replicas to 2 or more"]);
        assert.deepEqual(productionTraefikRedundant.check(install({ autoscaling: { enabled: true, minReplicas: 2 }, podDisruptionBudget: { enabled: true } })), []);
        assert.deepEqual(productionTraefikRedundant.check({ ...install({}), props: { values: { commonLabels: { environment: "development" } } } }), []);
        const { resources } = await evaluate(stackRaw("prod"), "prod");
        assert.deepEqual(resources.flatMap((r) => productionTraefikRedundant.check({ type: r.type, props: r.inputs })), []);
        const one = await evaluate(devWith((v) => { v.labels.environment = "production"; }), "dev");
        assert.equal(one.resources.flatMap((r) => productionTraefikRedundant.check({ type: r.type, props: r.inputs })).length, 1);
    });

    it("flags a production database reachable on a NodePort without an IP allow-list (advisory)", async () => {
        const { resources } = await evaluate(stackRaw("prod"), "prod");
        const views = resources.map((r) => ({ type: r.type, props: r.inputs }));
        // prod as committed: mysql-demo on its own NodePort, db on websecure (a NodePort Service), no allow-list.
        assert.deepEqual(productionDatabasesAllowListed.check(views), [
            "route mysql-route brings clients of NodePort entryPoint mysql to database mysql-demo with no IP allow-list: set apps.<id>.ipAllowList to the clients' ranges",
            "route db-route brings clients of NodePort entryPoint websecure to database db with no IP allow-list: set apps.<id>.ipAllowList to the clients' ranges",
        ]);
        assert.equal(productionDatabasesAllowListed.enforcementLevel, "advisory");
        const raw = stackRaw("prod");
        const apps = raw.values.apps as Record<string, any>;
        apps["mysql-demo"].ipAllowList = ["10.0.0.0/8"];
        apps.db.ipAllowList = ["10.0.0.0/8"];
        const allowListed = await evaluate(raw, "prod");
        assert.deepEqual(productionDatabasesAllowListed.check(allowListed.resources.map((r) => ({ type: r.type, props: r.inputs }))), []);
        // Without a NodePort, or outside production, nothing is flagged.
        (raw.values.traefik as Record<string, any>).serviceType = "ClusterIP";
        delete apps["mysql-demo"].ipAllowList;
        delete apps["mysql-demo"].entryPoint.nodePort;
        delete apps["redis-demo"].entryPoint.nodePort;
        delete apps["tcp-demo"].entryPoint.nodePort;
        delete (raw.values.traefik as Record<string, any>).portPool.nodePort;
        const clusterIp = await evaluate(raw, "prod");
        assert.deepEqual(productionDatabasesAllowListed.check(clusterIp.resources.map((r) => ({ type: r.type, props: r.inputs }))), []);
        const dev = await evaluate(devWith(() => undefined), "dev");
        assert.deepEqual(stackRules.flatMap((rule) => rule.check(dev.resources.map((r) => ({ type: r.type, props: r.inputs })))), []);
    });

    it("refuses TLS options on a passthrough route, where Traefik never negotiates", () => {
        assert.deepEqual(tlsOptionsWhereTerminated.check(route("cache-route", { routes: [], tls: { secretName: "cache-tls", options: { name: "cache-tls-options" } } })), []);
        assert.deepEqual(tlsOptionsWhereTerminated.check(route("db-route", { routes: [], tls: { passthrough: true, options: { name: "db-tls-options" } } })),
            ["route db-route names TLS options db-tls-options with passthrough, where Traefik never negotiates TLS"]);
    });

    it("lets a route send traffic to its canary's Service", () => {
        const canary = route("tcp-echo-route", { routes: [{ match: "HostSNI(`*`)", services: [{ name: "tcp-echo-service", port: 3333, weight: 80 }, { name: "tcp-echo-canary-service", port: 3333, weight: 20 }] }] });
        assert.deepEqual(seedNaming.check(canary), []);
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`finds nothing to report in what the ${stack} stack registers`, async () => {
            const { resources } = await evaluate(stackRaw(stack), stack);
            const violations = resources.flatMap((r) => rules.flatMap((rule) => rule.check({ type: r.type, props: r.inputs }).map((m) => `${rule.name}: ${m}`)));
            assert.deepEqual(violations, []);
        });
    }
});
