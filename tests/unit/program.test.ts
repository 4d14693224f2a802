import { strict as assert } from "assert";
import { evaluate, Evaluation } from "../../tools/evaluate";
import { Manifest, manifestsOf, traefikValuesOf } from "../../tools/manifests";
import { stackRaw } from "../support/helpers";

function find(manifests: Manifest[], kind: string, name: string): Manifest {
    const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
    assert.ok(found, `no ${kind} ${name} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
    return found;
}

describe("program under mocks", () => {
    describe("dev stack", () => {
        let run: Evaluation;
        let manifests: Manifest[];
        before(async () => {
            run = await evaluate(stackRaw("dev"), "dev");
            manifests = manifestsOf(run.resources);
        });

        it("creates exactly the objects of the enabled apps, Traefik and the namespaces", () => {
            const names = manifests.map((m) => `${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`);
            assert.deepEqual(names, [
                "Namespace//backend", "Namespace//traefik",
                "NetworkPolicy/backend/cache-allow-ingress", "NetworkPolicy/backend/db-allow-ingress",
                "NetworkPolicy/backend/default-deny-ingress", "NetworkPolicy/backend/hello-api-allow-ingress", "NetworkPolicy/backend/mysql-allow-ingress",
                "NetworkPolicy/backend/redis-allow-ingress", "NetworkPolicy/backend/tcp-echo-allow-ingress", "NetworkPolicy/traefik/traefik-ingress-ingress",
                "Secret/backend/db-credentials", "Secret/backend/mysql-credentials", "ConfigMap/traefik/traefik-ingress-dashboard",
                "Certificate/backend/cache-tls", "Certificate/backend/db-tls",
                "PersistentVolumeClaim/backend/data-db-0", "PersistentVolumeClaim/backend/data-mysql-demo-0",
                "Service/backend/cache-service", "Service/backend/db-service",
                "Service/backend/hello-api-service", "Service/backend/mysql-service", "Service/backend/redis-service", "Service/backend/tcp-echo-service",
                "Deployment/backend/cache", "Deployment/backend/hello-api", "Deployment/backend/redis-demo", "Deployment/backend/tcp-echo-demo",
                "StatefulSet/backend/db", "StatefulSet/backend/mysql-demo",
                "IngressRouteTCP/backend/cache-route", "IngressRouteTCP/backend/db-route",
                "IngressRouteTCP/backend/mysql-route", "IngressRouteTCP/backend/redis-route", "IngressRouteTCP/backend/tcp-echo-route",
                "IngressRoute/backend/hello-api-route",
                // Offline no cluster says whether the Prometheus Operator is there: its objects are rendered.
                "PrometheusRule/traefik/traefik-ingress-alerts", "PodMonitor/traefik/traefik-ingress-metrics",
            ]);
        });

        it("builds tcp-demo as the seed's base and development overlay", () => {
            const deployment = find(manifests, "Deployment", "tcp-echo-demo") as any;
            assert.equal(deployment.metadata.namespace, "backend");
            assert.deepEqual(deployment.metadata.labels, { app: "tcp-echo", environment: "development", project: "ic2", "tcp-platform/project": "tcp-platform", "tcp-platform/stack": "dev" });
            assert.equal(deployment.spec.replicas, 1);
            // Selectors never carry environment labels: a live selector cannot change.
            assert.deepEqual(deployment.spec.selector, { matchLabels: { app: "tcp-echo" } });
            const [container] = deployment.spec.template.spec.containers;
            assert.equal(container.name, "proxy");
            assert.equal(container.image, "iceymoss/tcp-echo:1.0");
            assert.deepEqual(container.ports, [{ name: "tcp", containerPort: 3333 }]);
            assert.deepEqual(container.resources, { requests: { memory: "64Mi", cpu: "50m" }, limits: { memory: "128Mi", cpu: "100m" } });

            const service = find(manifests, "Service", "tcp-echo-service") as any;
            assert.deepEqual(service.spec.selector, { app: "tcp-echo" });
            assert.deepEqual(service.spec.ports, [{ name: "tcp", port: 3333, targetPort: 3333, protocol: "TCP" }]);
            assert.equal(service.spec.type, undefined, "ClusterIP by default, as in the seed");

            const route = find(manifests, "IngressRouteTCP", "tcp-echo-route") as any;
            assert.equal(route.apiVersion, "traefik.io/v1alpha1");
            assert.deepEqual(route.spec, { entryPoints: ["mytcp"], routes: [{ match: "HostSNI(`*`)", services: [{ name: "tcp-echo-service", port: 3333 }] }] });
            assert.deepEqual(route.metadata.labels, { app: "tcp-echo", environment: "development", project: "ic2", "tcp-platform/project": "tcp-platform", "tcp-platform/stack": "dev" });
        });

        it("replaces pods without refusing a connection: readiness, surge, a drain before SIGTERM", () => {
            const workloads = manifests.filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet") as any[];
            assert.ok(workloads.some((w) => w.kind === "StatefulSet"));
            for (const workload of workloads) {
                const name = `${workload.kind}/${workload.metadata.name}`;
                // A StatefulSet's single primary cannot surge: it keeps its own one-at-a-time update.
                assert.deepEqual(workload.spec.strategy, workload.kind === "Deployment" ? { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } } : undefined, name);
                const pod = workload.spec.template.spec;
                assert.equal(pod.terminationGracePeriodSeconds, 30, name);
                const [container] = pod.containers;
                assert.deepEqual(container.readinessProbe, { tcpSocket: { port: container.ports[0].name }, periodSeconds: 2 }, name);
                assert.deepEqual(container.lifecycle, { preStop: { sleep: { seconds: 5 } } }, name);
            }
        });

        it("gives mysql its root password from a Secret, never inline", () => {
            const statefulSet = find(manifests, "StatefulSet", "mysql-demo") as any;
            const env = statefulSet.spec.template.spec.containers[0].env;
            assert.deepEqual(env, [{ name: "MYSQL_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "mysql-credentials", key: "MYSQL_ROOT_PASSWORD" } } }]);
            const secret = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret");
            assert.ok(secret);
            assert.ok(JSON.stringify(secret.inputs).includes("mysqlRootPassword-test-value"), "the engine receives the value");
            assert.ok(!JSON.stringify(manifests).includes("mysqlRootPassword-test-value"), "rendered manifests never show it");
        });

        it("marks every object it owns so that up takes hand-edited fields back", () => {
            for (const m of manifests) {
                assert.equal(m.metadata.annotations?.["pulumi.com/patchForce"], "true", `${m.kind}/${m.metadata.name}`);
            }
        });

        it("denies ingress by default and admits only Traefik's pods, on the app's port", () => {
            assert.deepEqual((find(manifests, "NetworkPolicy", "default-deny-ingress") as any).spec, { podSelector: {}, policyTypes: ["Ingress"] });
            assert.deepEqual((find(manifests, "NetworkPolicy", "tcp-echo-allow-ingress") as any).spec, {
                podSelector: { matchLabels: { app: "tcp-echo" } },
                policyTypes: ["Ingress"],
                ingress: [{
                    from: [{
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } },
                        podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } },
                    }],
                    ports: [{ port: 3333, protocol: "TCP" }],
                }],
            });
        });

        it("routes hello-api through an IngressRoute on web, by its host", () => {
            const route = find(manifests, "IngressRoute", "hello-api-route") as any;
            assert.equal(route.apiVersion, "traefik.io/v1alpha1");
            assert.deepEqual(route.spec, {
                entryPoints: ["web"],
                routes: [{ match: "Host(`hello.dev.example.com`) && PathPrefix(`/`)", kind: "Rule", services: [{ name: "hello-api-service", port: 80 }] }],
            });
        });

        it("gives Traefik one port per TCP entryPoint, derived from the apps", () => {
            const values = traefikValuesOf(run.resources) as any;
            assert.deepEqual(values.ports, {
                mytcp: { port: 9999, expose: true, exposedPort: 9999, protocol: "TCP", nodePort: 30999 },
                redis: { port: 6379, expose: true, exposedPort: 6379, protocol: "TCP", nodePort: 30379 },
                mysql: { port: 3306, expose: true, exposedPort: 3306, protocol: "TCP", nodePort: 30306 },
            });
            assert.equal(values.additionalArguments, undefined, "no duplicate --entrypoints arguments");
            assert.deepEqual(values.service, { type: "NodePort" });
            assert.deepEqual(values.logs, { access: { enabled: true, format: "json" } });
        });

        it("installs chart 26.0.0 from the Traefik repository with helm.v4.Chart in namespace traefik", () => {
            const chart = run.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart");
            assert.ok(chart);
            assert.equal(chart.inputs.chart, "traefik");
            assert.equal(chart.inputs.version, "26.0.0");
            assert.deepEqual(chart.inputs.repositoryOpts, { repo: "https://traefik.github.io/charts" });
            assert.equal(chart.inputs.namespace, "traefik");
        });

        it("outputs the entryPoint table", async () => {
            const rows = await new Promise((resolve) => run.platform.traefik.entryPoints.apply(resolve));
            assert.deepEqual(rows, [
                { entryPoint: "mytcp", port: 9999, exposedPort: 9999, nodePort: 30999, apps: ["tcp-demo"] },
                { entryPoint: "redis", port: 6379, exposedPort: 6379, nodePort: 30379, apps: ["redis-demo"] },
                { entryPoint: "mysql", port: 3306, exposedPort: 3306, nodePort: 30306, apps: ["mysql-demo"] },
            ]);
        });

        it("names every resource after its component and parents it", () => {
            const types = run.resources.map((r) => r.type);
            assert.ok(types.includes("tcp-platform:traefik:TraefikIngress"));
            assert.equal(types.filter((t) => t === "tcp-platform:apps:TcpApp").length, 5);
            assert.equal(types.filter((t) => t === "tcp-platform:apps:HttpApp").length, 1);
            assert.deepEqual(run.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment").map((r) => r.name).sort(),
                ["cache-deployment", "hello-api-deployment", "redis-demo-deployment", "tcp-demo-deployment"]);
            assert.deepEqual(run.resources.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet").map((r) => r.name).sort(), ["db-statefulset", "mysql-demo-statefulset"]);
        });
    });

    describe("prod stack", () => {
        let run: Evaluation;
        let manifests: Manifest[];
        before(async () => {
            run = await evaluate(stackRaw("prod"), "prod");
            manifests = manifestsOf(run.resources);
        });

        it("runs every workload QoS Guaranteed (requests equal limits) from the production registry", () => {
            const deployments = manifests.filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet") as any[];
            assert.deepEqual(deployments.map((d) => `${d.kind}/${d.metadata.name}`).sort(), [
                "Deployment/cache", "Deployment/hello-api", "Deployment/redis-demo", "Deployment/tcp-echo-demo", "StatefulSet/db", "StatefulSet/mysql-demo",
            ]);
            for (const d of deployments) {
                const c = d.spec.template.spec.containers[0];
                assert.deepEqual(c.resources.requests, c.resources.limits, d.metadata.name);
                assert.match(c.image, /^registry\.company\.com\//, d.metadata.name);
                assert.equal(d.metadata.labels.environment, "production");
            }
            assert.equal((find(manifests, "Deployment", "tcp-echo-demo") as any).spec.template.spec.containers[0].image, "registry.company.com/stable/tcp-echo:v1.0.0");
            assert.equal((find(manifests, "Deployment", "redis-demo") as any).spec.template.spec.containers[0].image, "registry.company.com/mirror/redis:7.4.2");
            assert.equal((find(manifests, "Deployment", "tcp-echo-demo") as any).spec.replicas, 3);
        });

        it("binds tcp-demo to prodtcp and the TLS pair to websecure by SNI with passthrough", () => {
            assert.deepEqual((find(manifests, "IngressRouteTCP", "tcp-echo-route") as any).spec.entryPoints, ["prodtcp"]);
            assert.deepEqual((find(manifests, "IngressRouteTCP", "db-route") as any).spec, {
                entryPoints: ["websecure"],
                routes: [{ match: "HostSNI(`db.example.com`)", services: [{ name: "db-service", port: 5432 }] }],
                tls: { passthrough: true },
            });
            assert.deepEqual((find(manifests, "IngressRouteTCP", "cache-route") as any).spec.routes[0],
                { match: "HostSNI(`cache.example.com`)", services: [{ name: "cache-service", port: 6379 }] });
            const values = traefikValuesOf(run.resources) as any;
            // websecure is the chart's own; prod's pool has four spare entryPoints.
            assert.deepEqual(Object.keys(values.ports).sort(), ["mysql", "pool-20000", "pool-20001", "pool-20002", "pool-20003", "prodtcp", "redis"]);
        });
    });
});
