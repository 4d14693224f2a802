/**
 * Traefik as a traffic plane (#22): replicas or an autoscaler, the disruption budget, spread, the
 * rolling update and the startup gate, as both chart lines take them (41's values.schema.json,
 * 26's templates); what validation refuses; the record of Traefik's static configuration that
 * tells the preview whether an up restarts Traefik.
 */
import Ajv2020 from "ajv/dist/2020";
import { strict as assert } from "assert";
import { restartWarning, staticConfigChanges } from "../../lib/live/traefikRestart";
import { PlatformPlan } from "../../lib/model";
import { traefikValues } from "../../lib/plan/chartValues";
import { DEPENDS_ON_ANNOTATION, STATIC_CONFIG_ANNOTATION, StaticConfigSummary } from "../../lib/plan/traefikPodValues";
import { validate } from "../../lib/rules/validate";
import { chartProfile } from "../../lib/traefik/profile";
import { chartCrdNames, chartFile, devWith, problemsOf, stackRaw } from "../support/helpers";

const onChart = (plan: PlatformPlan, version: string) => traefikValues({ ...plan.traefik, profile: chartProfile(version) }) as Record<string, any>;
/** dev with a pool of two spare entryPoints (20000-20001, NodePorts 32000-32001), then `change`. */
const poolDev = (change: (v: Record<string, any>) => void = () => undefined) => devWith((v) => { v.traefik.portPool = { port: 20000, nodePort: 32000, size: 2 }; change(v); });
const planOf = (change: (v: Record<string, any>) => void) => validate(poolDev(change));
/** The API groups of the kinds each chart line's Traefik (v2.10, v3.7) reads with its CRD provider. */
const PROVIDER_GROUPS: Record<string, string[]> = { "26.0.0": ["traefik.io", "traefik.containo.us"], "41.3.0": ["traefik.io"] };
const recordOf = (values: Record<string, any>) => JSON.parse(values.deployment.podAnnotations[STATIC_CONFIG_ANNOTATION] as string) as StaticConfigSummary;

describe("Traefik as a traffic plane", () => {
    describe("values, on both chart lines", () => {
        const prod = validate(stackRaw("prod"));

        it("prod runs 2 pods with a budget of 1 and spread across nodes and zones; dev runs 1 and no budget", () => {
            for (const version of ["26.0.0", "41.3.0"]) {
                const values = onChart(prod, version);
                assert.equal(values.deployment.replicas, 2, version);
                assert.deepEqual(values.podDisruptionBudget, { enabled: true, maxUnavailable: 1 }, version);
                assert.deepEqual(values.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable, c.labelSelector.matchLabels["app.kubernetes.io/instance"]]),
                    [["kubernetes.io/hostname", "DoNotSchedule", "traefik-ingress-traefik"], ["topology.kubernetes.io/zone", "ScheduleAnyway", "traefik-ingress-traefik"]], version);
                assert.deepEqual(values.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
                const dev = onChart(validate(stackRaw("dev")), version);
                assert.equal(dev.deployment.replicas, 1);
                assert.deepEqual(dev.podDisruptionBudget, { enabled: false });
                // Spread is there at one pod too: scaling never changes the pod template.
                assert.deepEqual(dev.topologySpreadConstraints, values.topologySpreadConstraints);
            }
        });

        it("gates a new pod on the CRD provider's routes: a startup probe on its own IngressRoute to ping@internal, in a namespace the provider reads", () => {
            for (const [version, port] of [["26.0.0", 9000], ["41.3.0", 8080]] as const) {
                const raw = stackRaw("prod");
                (raw.values.traefik as Record<string, any>).chart.version = version;
                const values = onChart(validate(raw), version);
                assert.deepEqual(values.startupProbe, { httpGet: { path: "/tcp-platform/ready", port }, periodSeconds: 1, failureThreshold: 120, timeoutSeconds: 2 });
                const [route] = values.extraObjects;
                assert.deepEqual([route.kind, route.metadata.name, route.metadata.namespace], ["IngressRoute", "traefik-ingress-ready", "traefik"]);
                assert.deepEqual(route.spec.routes[0], { kind: "Rule", match: "Path(`/tcp-platform/ready`)", services: [{ name: "ping@internal", kind: "TraefikService" }] });
                assert.deepEqual(route.spec.entryPoints, ["traefik"]);
                assert.ok(values.providers.kubernetesCRD.namespaces.includes("traefik"));
                assert.equal(route.metadata.labels["tcp-platform/stack"], "prod");
            }
        });

        it("starts Traefik's pods after the chart's CRDs its provider watches, by name, without restarting running pods", () => {
            for (const version of ["26.0.0", "41.3.0"]) {
                const plan = { ...prod.traefik, profile: chartProfile(version) };
                const watched = chartCrdNames(version).filter((name) => PROVIDER_GROUPS[version].includes(name.slice(name.indexOf(".") + 1)));
                const references = (traefikValues(plan).deployment as any).annotations[DEPENDS_ON_ANNOTATION].split(",");
                // Each reference names one of the chart's CRDs (Pulumi refuses a reference outside the chart), and every watched one.
                assert.deepEqual([...references].sort(), watched.map((name) => `apiextensions.k8s.io/CustomResourceDefinition/${name}`).sort(), version);
                assert.equal(references.length, version === "26.0.0" ? 19 : 10);
                // Adopted CRDs (skipCrds) or a Helm release: nothing in the chart to wait for.
                const elsewhere = traefikValues(plan, false) as any;
                assert.equal(elsewhere.deployment.annotations, undefined);
                assert.equal((traefikValues({ ...plan, installer: "release" }) as any).deployment.annotations, undefined);
                // The Deployment's metadata only: the pod template's record is the same, so an up adds it without a restart.
                assert.deepEqual(recordOf(traefikValues(plan) as any), recordOf(elsewhere), version);
            }
            assert.ok(chartFile("26.0.0", "templates/deployment.yaml").includes(".Values.deployment.annotations") && chartFile("41.3.0", "templates/deployment.yaml").includes(".Values.deployment.annotations"));
        });

        it("writes an autoscaler on CPU instead of a replica count", () => {
            const plan = planOf((v) => { Object.assign(v.traefik, { replicas: undefined, autoscaling: { min: 2, max: 5, cpu: 60 } }); delete v.traefik.replicas; });
            for (const version of ["26.0.0", "41.3.0"]) {
                const values = onChart(plan, version);
                assert.equal(values.deployment.replicas, undefined);
                assert.deepEqual(values.autoscaling, { enabled: true, minReplicas: 2, maxReplicas: 5, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }] });
                assert.deepEqual(values.podDisruptionBudget, { enabled: true, maxUnavailable: 1 });
            }
        });

        it("gives chart 41.3.0 values its values.schema.json accepts (2 pods, autoscaling, a minAvailable budget, the pool)", () => {
            const ajv = new Ajv2020({ strict: false, allErrors: true });
            const check = ajv.compile(JSON.parse(chartFile("41.3.0", "values.schema.json")));
            const scaled = planOf((v) => { delete v.traefik.replicas; v.traefik.autoscaling = { min: 3, max: 6 }; v.traefik.disruptionBudget = { minAvailable: 2 }; });
            for (const values of [onChart(prod, "41.3.0"), onChart(scaled, "41.3.0")]) {
                assert.ok(check(values), JSON.stringify(check.errors, null, 1));
            }
        });

        it("uses only keys chart 26.0.0's templates read", () => {
            const templates = ["deployment.yaml", "poddisruptionbudget.yaml", "hpa.yaml", "_podtemplate.tpl", "extra-objects.yaml"].map((f) => chartFile("26.0.0", `templates/${f}`)).join("\n");
            for (const key of [".Values.deployment.replicas", ".Values.podDisruptionBudget.maxUnavailable", ".Values.podDisruptionBudget.minAvailable", ".Values.autoscaling.minReplicas",
                ".Values.autoscaling.maxReplicas", ".Values.autoscaling.metrics", ".Values.topologySpreadConstraints", ".Values.startupProbe", ".Values.updateStrategy", ".Values.extraObjects",
                ".Values.deployment.podAnnotations"]) {
                assert.ok(templates.includes(key), `chart 26 reads ${key}`);
            }
        });

        it("lists the pool's spare entryPoints among Traefik's ports, each with its NodePort", () => {
            const values = onChart(prod, "41.3.0");
            assert.deepEqual(["pool-20000", "pool-20003"].map((name) => values.ports[name]), [
                { port: 20000, expose: { default: true }, exposedPort: 20000, protocol: "TCP", nodePort: 32000 },
                { port: 20003, expose: { default: true }, exposedPort: 20003, protocol: "TCP", nodePort: 32003 },
            ]);
            assert.equal(values.ports["pool-20004"], undefined);
        });
    });

    describe("the static-config record (what only a restart changes)", () => {
        const dev = validate(poolDev());
        const base = recordOf(onChart(dev, "41.3.0"));

        it("does not change when an app claims, moves between or leaves pool ports, or with replicas, the budget and NodePorts", () => {
            const same = [
                planOf((v) => { v.apps["tcp-demo"].entryPoint = { name: "pool-20000" }; }),
                planOf((v) => { v.apps["tcp-demo"].entryPoint = { name: "pool-20001" }; }),
                planOf((v) => { delete v.apps["redis-demo"]; v.apps["tcp-demo"].entryPoint = { name: "pool-20000" }; v.apps["mysql-demo"].entryPoint.name = "redis"; v.apps["mysql-demo"].entryPoint.port = 6379; v.apps["mysql-demo"].entryPoint.nodePort = 30379; }),
                planOf((v) => { v.traefik.replicas = 3; }),
                planOf((v) => { v.apps["mysql-demo"].entryPoint.nodePort = 30307; }),
            ];
            const moved = [recordOf(onChart(same[0], "41.3.0")), recordOf(onChart(same[1], "41.3.0"))];
            assert.deepEqual(moved[0], moved[1], "moving between pool ports");
            assert.deepEqual(recordOf(onChart(same[3], "41.3.0")), base, "3 replicas");
            assert.deepEqual(recordOf(onChart(same[4], "41.3.0")), base, "another NodePort");
        });

        it("changes, and says how, when the pool grows, an entryPoint moves, the chart changes, or other static settings", () => {
            const grown = recordOf(onChart(planOf((v) => { v.traefik.portPool.size = 3; }), "41.3.0"));
            assert.deepEqual(staticConfigChanges(base, grown), ["entryPoints added: pool-20002=20002/TCP"]);
            const moved = recordOf(onChart(planOf((v) => { v.apps["mysql-demo"].entryPoint.port = 3307; }), "41.3.0"));
            assert.deepEqual(staticConfigChanges(base, moved), ["entryPoints added: mysql=3307/TCP", "entryPoints removed: mysql=3306/TCP"]);
            assert.deepEqual(staticConfigChanges(recordOf(onChart(dev, "26.0.0")), base), ["chart 26.0.0 -> 41.3.0", "other static settings (providers, arguments, resources, probes, shutdown, labels)"]);
            const resized = recordOf(onChart(planOf((v) => { v.traefik.resources.limits.cpu = "600m"; }), "41.3.0"));
            assert.deepEqual(staticConfigChanges(base, resized), ["other static settings (providers, arguments, resources, probes, shutdown, labels)"]);
        });

        it("warns at preview, from the running Deployment's record, that an up restarts Traefik and when connections close", () => {
            const deployment = (plan: PlatformPlan) => ({ name: "traefik-ingress", labels: {}, ownerReferences: [], podAnnotations: onChart(plan, plan.profile.version).deployment.podAnnotations as Record<string, string> });
            assert.equal(restartWarning(dev, deployment(dev)), undefined, "the same record: no restart");
            assert.equal(restartWarning(dev, "absent"), undefined, "nothing runs yet");
            const claim = planOf((v) => { v.apps["tcp-demo"].entryPoint = { name: "pool-20000" }; });
            assert.equal(restartWarning(claim, deployment(planOf((v) => { v.apps["tcp-demo"].entryPoint = { name: "pool-20001" }; }))), undefined, "a move between pool ports");
            const grown = planOf((v) => { v.traefik.portPool.size = 3; v.traefik.gracePeriod = { graceTimeOut: "30s" }; });
            assert.equal(restartWarning(grown, deployment(dev)),
                "this change restarts Traefik (entryPoints added: pool-20002=20002/TCP; other static settings (providers, arguments, resources, probes, shutdown, labels)): " +
                "established connections of 6 apps (tcp-demo, redis-demo, mysql-demo, hello-api, db, cache) will be closed 35 s after their pod's shutdown begins (traefik.gracePeriod); " +
                "new connections go to the new pod once it is ready (one replica: the old pod keeps serving until then)");
            assert.match(restartWarning(dev, { name: "traefik-ingress", labels: {}, ownerReferences: [], podAnnotations: {} })!, /carry no record of their static configuration/);
            const twoPods = planOf((v) => { v.traefik.replicas = 2; });
            assert.match(restartWarning(twoPods, deployment(planOf((v) => { v.traefik.replicas = 2; v.traefik.portPool.size = 1; })))!, /closed 15 s after .*new connections go to the other ready pods/);
        });
    });

    describe("validation", () => {
        const refused = (change: (v: Record<string, any>) => void) => problemsOf(poolDev(change));

        it("refuses an autoscaler beside a replica count, min above max, and one without a CPU request", () => {
            assert.deepEqual(refused((v) => { v.traefik.replicas = 2; v.traefik.autoscaling = { min: 3, max: 2 }; delete v.traefik.resources; }), [
                "tcp-platform:traefik.replicas: is set beside traefik.autoscaling: the autoscaler owns the replica count, and every up would set it back (got 2). Fix: remove traefik.replicas (traefik.autoscaling.min, 3, is the floor), or remove traefik.autoscaling",
                "tcp-platform:traefik.autoscaling.min: is above autoscaling.max (2) (got 3). Fix: set min at most max",
                "tcp-platform:traefik.resources.requests.cpu: is required with traefik.autoscaling: the autoscaler scales on CPU use as a percent of the request, and without one it never scales (got nothing). Fix: set traefik.resources.requests.cpu (e.g. 100m)",
            ]);
        });

        it("refuses a budget that blocks every drain, or lets one take every pod", () => {
            const budget = (replicas: number, disruptionBudget: Record<string, number>) => refused((v) => { Object.assign(v.traefik, { replicas, disruptionBudget }); });
            assert.match(budget(1, { maxUnavailable: 1 })[0], /^tcp-platform:traefik.disruptionBudget: applies to one Traefik pod: a budget there either blocks every drain/);
            assert.match(budget(2, { maxUnavailable: 0 })[0], /^tcp-platform:traefik.disruptionBudget.maxUnavailable: blocks every drain: .* Fix: set 1 \(the default\)$/);
            assert.match(budget(2, { minAvailable: 2 })[0], /^tcp-platform:traefik.disruptionBudget.minAvailable: blocks every drain: with 2 pods, keeping 2 available lets none be evicted \(got 2\)\. Fix: set it below 2, or use maxUnavailable: 1$/);
            assert.match(budget(3, { maxUnavailable: 3 })[0], /maxUnavailable: lets a drain evict every Traefik pod at once \(3 pods kept\)/);
            assert.match(budget(3, { minAvailable: 0 })[0], /minAvailable: protects nothing/);
            assert.match(budget(3, { minAvailable: 1, maxUnavailable: 1 })[0], /sets both maxUnavailable and minAvailable/);
            assert.deepEqual(budget(3, { minAvailable: 2 }), []);
            assert.deepEqual(budget(3, { maxUnavailable: 2 }), []);
        });

        it("refuses a pool on privileged ports, beside another entryPoint's port, outside the NodePort range, or without NodePorts", () => {
            assert.match(refused((v) => { v.traefik.portPool = { port: 1000, nodePort: 32000, size: 2 }; })[0], /^tcp-platform:traefik.portPool.port: puts the pool on ports 1000-1001, outside 1024-65535/);
            assert.deepEqual(refused((v) => { v.traefik.portPool = { port: 9998, nodePort: 32000, size: 2 }; }), [
                'tcp-platform:apps.tcp-demo.entryPoint.port: is already used by the port pool\'s entryPoint "pool-9999" (got 9999). Fix: choose a free port',
            ]);
            assert.match(refused((v) => { v.traefik.portPool = { port: 8999, nodePort: 32000, size: 2 }; })[0], /^tcp-platform:traefik.portPool.port: puts pool-9000 on port 9000, which is Traefik's own "traefik" entryPoint/);
            assert.match(refused((v) => { v.traefik.portPool = { port: 20000, nodePort: 32767, size: 2 }; })[0], /^tcp-platform:traefik.portPool.nodePort: puts the pool's NodePorts on 32767-32768, outside the NodePort range/);
            assert.match(refused((v) => { v.traefik.portPool = { port: 20000, size: 2 }; })[0], /^tcp-platform:traefik.portPool.nodePort: is required/);
            assert.deepEqual(refused((v) => { v.traefik.portPool = { port: 20000, nodePort: 30998, size: 2 }; }), [
                "tcp-platform:apps.tcp-demo.entryPoint.nodePort: is already the NodePort of the port pool's pool-20001 (got 30999). Fix: choose a free NodePort",
            ]);
        });

        it("lets one plain-TCP app claim a pool entryPoint, refuses a second, a declaration of its name, and a claim beyond the pool", () => {
            assert.deepEqual(refused((v) => { v.apps["tcp-demo"].entryPoint = { name: "pool-20000" }; }), []);
            assert.match(refused((v) => { v.apps["tcp-demo"].entryPoint = { name: "pool-20000" }; v.apps["redis-demo"].entryPoint = { name: "pool-20000" }; })[0],
                /^tcp-platform:apps.redis-demo.entryPoint.name: already carries the catch-all route of app tcp-demo/);
            assert.match(refused((v) => { v.apps["tcp-demo"].entryPoint = { name: "pool-20000", port: 12345, nodePort: 31345 }; })[0],
                /^tcp-platform:apps.tcp-demo.entryPoint.name: is one of the stack's spare entryPoints \(traefik.portPool\), which an app claims by name/);
            assert.match(refused((v) => { v.apps["tcp-demo"].entryPoint = { name: "pool-20002" }; })[0], /is not an entryPoint of Traefik, which would silently ignore the route/);
        });
    });
});
