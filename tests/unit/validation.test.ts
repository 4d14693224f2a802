import { strict as assert } from "assert";
import { evaluate } from "../../tools/evaluate";
import { manifestsOf } from "../../tools/manifests";
import { ConfigError } from "../../lib/problems";
import { validate } from "../../lib/rules/validate";
import { devWith, problemsOf, stackRaw } from "../support/helpers";

/** Asserts that validation refuses `raw` with exactly one problem, and returns its text. */
function onlyProblem(raw: ReturnType<typeof devWith>): string {
    const problems = problemsOf(raw);
    assert.equal(problems.length, 1, `expected one problem, got:\n${problems.join("\n")}`);
    return problems[0];
}

describe("validation", () => {
    it("accepts the dev and prod stacks", () => {
        assert.deepEqual(problemsOf(stackRaw("dev")), []);
        assert.deepEqual(problemsOf(stackRaw("prod")), []);
    });

    describe("entryPoints", () => {
        it("refuses an entryPoint name declared twice", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["redis-demo"].entryPoint = { name: "mytcp", port: 6379, nodePort: 30379 }; })),
                'tcp-platform:apps.redis-demo.entryPoint.name: is already declared by app tcp-demo (got "mytcp"). ' +
                "Fix: choose another name; to share it, give only its name (no port) on the second app, which then needs TLS and a host");
        });

        it("refuses an entryPoint port used twice", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["redis-demo"].entryPoint.port = 9999; v.apps["redis-demo"].entryPoint.exposedPort = 6379; })),
                'tcp-platform:apps.redis-demo.entryPoint.port: is already used by app tcp-demo\'s entryPoint "mytcp" (got 9999). Fix: choose a free port');
        });

        it("refuses a Service port used twice", () => {
            assert.match(onlyProblem(devWith((v) => { v.apps["redis-demo"].entryPoint.exposedPort = 9999; })),
                /^tcp-platform:apps\.redis-demo\.entryPoint\.exposedPort: is already a port of the Traefik Service, used by app tcp-demo \(got 9999\)/);
        });

        it("refuses a NodePort outside 30000-32767", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["tcp-demo"].entryPoint.nodePort = 40000; })),
                "tcp-platform:apps.tcp-demo.entryPoint.nodePort: is outside the NodePort range 30000-32767 (got 40000). Fix: choose a free port in 30000-32767");
            assert.match(onlyProblem(devWith((v) => { v.apps["tcp-demo"].entryPoint.nodePort = 29999; })), /outside the NodePort range/);
        });

        it("refuses a NodePort used twice", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["redis-demo"].entryPoint.nodePort = 30999; })),
                "tcp-platform:apps.redis-demo.entryPoint.nodePort: is already the NodePort of app tcp-demo (got 30999). Fix: choose a free NodePort");
        });

        it("requires a NodePort for a declared entryPoint on a NodePort Service", () => {
            assert.match(onlyProblem(devWith((v) => { delete v.apps["tcp-demo"].entryPoint.nodePort; })),
                /^tcp-platform:apps\.tcp-demo\.entryPoint\.nodePort: is required: clients reach tcp-demo on a fixed NodePort/);
        });

        it("refuses ports that clash with the chart's own, per chart version", () => {
            // 9000 is the `traefik` entryPoint's port before chart 33, 8080 from chart 33 on.
            assert.match(onlyProblem(devWith((v) => { v.apps["tcp-demo"].entryPoint.port = 9000; })),
                /entryPoint\.port: is already used by Traefik's own "traefik" entryPoint \(chart 26\.0\.0\) \(got 9000\)/);
            assert.deepEqual(problemsOf(devWith((v) => { v.apps["tcp-demo"].entryPoint.port = 8080; })), []);
            const on41 = (port: number) => devWith((v) => { v.traefik.chart.version = "41.3.0"; v.apps["tcp-demo"].entryPoint.port = port; });
            assert.match(onlyProblem(on41(8080)), /is already used by Traefik's own "traefik" entryPoint \(chart 41\.3\.0\)/);
            assert.deepEqual(problemsOf(on41(9000)), []);
            for (const port of [8000, 8443, 9100]) {
                assert.match(onlyProblem(devWith((v) => { v.apps["tcp-demo"].entryPoint.port = port; })), /is already used by Traefik's own "(web|websecure|metrics)" entryPoint/);
            }
            assert.match(onlyProblem(devWith((v) => { v.apps["tcp-demo"].entryPoint.port = 10443; v.apps["tcp-demo"].entryPoint.exposedPort = 443; })),
                /exposedPort: is already a port of the Traefik Service, used by Traefik's own "websecure" \(got 443\)/);
        });

        it("refuses a name that is one of the chart's own entryPoints", () => {
            assert.match(onlyProblem(devWith((v) => { v.apps["tcp-demo"].entryPoint.name = "metrics"; })),
                /^tcp-platform:apps\.tcp-demo\.entryPoint\.name: is one of Traefik's own entryPoints \(traefik, web, websecure, metrics\) \(got "metrics"\)/);
        });

        it("refuses names that are not valid Service port names", () => {
            for (const name of ["MyTcp", "my_tcp", "-tcp", "tcp-", "my--tcp", "12345", "averyveryverylongname"]) {
                assert.match(onlyProblem(devWith((v) => { v.apps["tcp-demo"].entryPoint.name = name; })),
                    /entryPoint\.name: is not a valid Service port name \(IANA_SVC_NAME/, name);
            }
            assert.deepEqual(problemsOf(devWith((v) => { v.apps["tcp-demo"].entryPoint.name = "tcp-9-echo"; })), []);
        });

        it("refuses ports outside 1-65535", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["tcp-demo"].entryPoint.port = 0; })),
                "tcp-platform:apps.tcp-demo.entryPoint.port: must be >=1 (got 0). Fix: bring it within that range");
            assert.equal(onlyProblem(devWith((v) => { v.apps["tcp-demo"].entryPoint.port = 65536; })),
                "tcp-platform:apps.tcp-demo.entryPoint.port: must be <=65535 (got 65536). Fix: bring it within that range");
        });

        it("refuses a privileged port inside the Traefik pod", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["tcp-demo"].entryPoint.port = 999; })),
                "tcp-platform:apps.tcp-demo.entryPoint.port: is a privileged port, and Traefik runs unprivileged inside its pod (got 999). " +
                "Fix: use a port of 1024 or above here and set entryPoint.exposedPort: 999 to keep it on the Service");
            assert.deepEqual(problemsOf(devWith((v) => { v.apps["tcp-demo"].entryPoint.port = 10999; v.apps["tcp-demo"].entryPoint.exposedPort = 999; })), []);
        });
    });

    describe("routes", () => {
        it("refuses a route to an entryPoint that does not exist", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["redis-demo"].entryPoint = { name: "mytpc" }; })),
                'tcp-platform:apps.redis-demo.entryPoint.name: is not an entryPoint of Traefik, which would silently ignore the route (got "mytpc"). ' +
                'Fix: use one of traefik, web, websecure, metrics, mytcp, mysql (did you mean "mytcp"?), or declare it with entryPoint.port');
        });

        it("refuses a host name on a plain-TCP route", () => {
            assert.match(onlyProblem(devWith((v) => { v.apps["tcp-demo"].host = "echo.example.com"; })),
                /^tcp-platform:apps\.tcp-demo\.host: is a host name on a plain-TCP route: without TLS there is no SNI, and Traefik refuses it \("HostSNI matcher, but no TLS on router"\) \(got "echo\.example\.com"\)/);
        });

        it("refuses an SNI route without TLS", () => {
            const plain = stackRaw("prod");
            (plain.values.apps as any)["redis-demo"] = { entryPoint: { name: "websecure" }, host: "redis.example.com" };
            assert.deepEqual(problemsOf(plain), [
                'tcp-platform:apps.redis-demo.host: names an SNI route on "websecure" without TLS (got "redis.example.com"). ' +
                "Fix: add tls: {passthrough: true} (or {secretName: ...}), or remove host to match HostSNI(`*`)",
            ]);
        });

        it("refuses a plain-TCP catch-all on web", () => {
            assert.match(onlyProblem(devWith((v) => { v.apps["redis-demo"].entryPoint = { name: "web" }; })),
                /^tcp-platform:apps\.redis-demo\.entryPoint\.name: would put a plain-TCP catch-all \(HostSNI\(`\*`\)\) on web and capture all HTTP traffic \(got "web"\)/);
        });

        it("refuses two catch-all routes on one entryPoint", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["redis-demo"].entryPoint = { name: "mytcp" }; })),
                'tcp-platform:apps.redis-demo.entryPoint.name: already carries the catch-all route of app tcp-demo; plain TCP has no host name, so one entryPoint serves one app (got "mytcp"). ' +
                "Fix: give this app an entryPoint of its own");
        });

        it("refuses two SNI routes with the same host on one entryPoint", () => {
            const raw = stackRaw("prod");
            (raw.values.apps as any).cache.host = "db.example.com";
            assert.deepEqual(problemsOf(raw), [
                'tcp-platform:apps.cache.host: is already routed on "websecure" by app db (got "db.example.com"). Fix: use a different host name',
            ]);
        });

        it("requires a host for an app that shares an entryPoint by SNI", () => {
            const raw = stackRaw("prod");
            delete (raw.values.apps as any).db.host;
            assert.deepEqual(problemsOf(raw), [
                'tcp-platform:apps.db.host: is required: app db shares entryPoint "websecure" by SNI (got nothing). Fix: set host to the name its TLS clients send, e.g. db.example.com',
            ]);
        });

        it("requires an entryPoint for a plain-TCP app", () => {
            assert.match(onlyProblem(devWith((v) => { delete v.apps["tcp-demo"].entryPoint; })),
                /^tcp-platform:apps\.tcp-demo\.entryPoint: is required: plain-TCP app tcp-demo needs an entryPoint of its own/);
        });
    });

    describe("workloads", () => {
        it("refuses an image placeholder with no mapping", () => {
            assert.equal(onlyProblem(devWith((v) => { v.images = v.images.filter((m: any) => m.name !== "tcp-echo-server"); })),
                'tcp-platform:images: has no mapping for "tcp-echo-server", the image placeholder of app tcp-demo (got ["hello-api-server"]). ' +
                "Fix: add {name: tcp-echo-server, newName: <registry/repository>, newTag: <tag>}");
        });

        it("refuses requests above limits, naming where the value was set", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["tcp-demo"].resources = { requests: { cpu: "2" }, limits: { cpu: "500m" } }; })),
                'tcp-platform:apps.tcp-demo.resources.requests.cpu: is above the limit 500m (got "2"). Fix: lower the request to at most 500m, or raise limits.cpu');
            const fromDefaults = problemsOf(devWith((v) => { v.defaults.resources.requests.memory = "1Gi"; }));
            assert.deepEqual(fromDefaults, [
                'tcp-platform:defaults.resources.requests.memory: is above the limit 128Mi (applies to app tcp-demo) (got "1Gi"). Fix: lower the request to at most 128Mi, or raise limits.memory',
                'tcp-platform:defaults.resources.requests.memory: is above the limit 128Mi (applies to app redis-demo) (got "1Gi"). Fix: lower the request to at most 128Mi, or raise limits.memory',
                'tcp-platform:defaults.resources.requests.memory: is above the limit 128Mi (applies to app hello-api) (got "1Gi"). Fix: lower the request to at most 128Mi, or raise limits.memory',
                'tcp-platform:defaults.resources.requests.memory: is above the limit 128Mi (applies to app cache) (got "1Gi"). Fix: lower the request to at most 128Mi, or raise limits.memory',
            ]);
        });

        it("refuses malformed quantities", () => {
            assert.equal(onlyProblem(devWith((v) => { v.defaults.resources.limits.memory = "128MB"; })),
                'tcp-platform:defaults.resources.limits.memory: is not a Kubernetes memory quantity (got "128MB"). Fix: write bytes with a suffix ("64Mi", "1Gi", "500M")');
            assert.match(onlyProblem(devWith((v) => { v.defaults.resources.requests.cpu = "fifty"; })), /is not a Kubernetes cpu quantity/);
            assert.match(onlyProblem(devWith((v) => { v.defaults.resources.requests.cpu = "-1"; })), /is not a Kubernetes cpu quantity/);
        });

        it("admits extra clients listed in allowFrom, and only valid namespaces", async () => {
            const raw = devWith((v) => { v.apps["redis-demo"].allowFrom = [{ namespace: "monitoring", podLabels: { app: "exporter" } }]; });
            assert.deepEqual(problemsOf(raw), []);
            const { resources } = await evaluate(raw, "dev");
            const policy = manifestsOf(resources).find((m) => m.metadata.name === "redis-allow-ingress") as any;
            assert.deepEqual(policy.spec.ingress[0].from[1], {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
                podSelector: { matchLabels: { app: "exporter" } },
            });
            assert.match(onlyProblem(devWith((v) => { v.apps["redis-demo"].allowFrom = [{ namespace: "Not_A_Namespace" }]; })),
                /^tcp-platform:apps\.redis-demo\.allowFrom\[0\]\.namespace: is not a namespace name/);
        });

        it("refuses replicas below 0", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["tcp-demo"].replicas = -1; })),
                "tcp-platform:apps.tcp-demo.replicas: must be >=0 (got -1). Fix: bring it within that range");
            assert.deepEqual(problemsOf(devWith((v) => { v.apps["tcp-demo"].replicas = 0; })), []);
        });

        it("refuses a missing required secret", () => {
            const raw = stackRaw("dev");
            delete raw.values.mysqlRootPassword;
            raw.secretKeys.delete("mysqlRootPassword");
            assert.deepEqual(problemsOf(raw), [
                "tcp-platform:mysqlRootPassword: is required: app mysql-demo reads MYSQL_ROOT_PASSWORD from it (got nothing). Fix: run: pulumi config set --secret mysqlRootPassword <value>",
            ]);
            // Pulumi.yaml's default is an empty string: that is missing too.
            raw.values.mysqlRootPassword = "";
            assert.equal(problemsOf(raw).length, 1);
        });

        it("refuses a secret stored in plain text, without showing it", () => {
            const raw = stackRaw("dev");
            raw.secretKeys.delete("mysqlRootPassword");
            const problems = problemsOf(raw);
            assert.deepEqual(problems, [
                'tcp-platform:mysqlRootPassword: is stored in plain text (got "[not shown]"). Fix: run: pulumi config set --secret mysqlRootPassword <value>',
            ]);
            assert.ok(!problems[0].includes("mysqlRootPassword-test-value"));
        });
    });

    describe("schema", () => {
        it("suggests the near-miss for an unknown key", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["tcp-demo"].replcas = 2; })),
                "tcp-platform:apps.tcp-demo.replcas: is not a known key (got 2). Fix: did you mean \"replicas\"? Known keys: replicas, labels, selectorLabels, namePrefix, nameSuffix, allowFrom, resources, entryPoint, host, tls, storage, protect, alpn, ipAllowList, maxConnections, proxyProtocol, canary");
            assert.match(onlyProblem(devWith((v) => { v.aps = v.apps; })), /^tcp-platform:aps: is not a known key .* did you mean "apps"\?/);
        });

        it("suggests the near-miss for an app that is not in the catalog", () => {
            assert.match(onlyProblem(devWith((v) => { v.apps["redis-dmo"] = v.apps["redis-demo"]; delete v.apps["redis-demo"]; })),
                /^tcp-platform:apps\.redis-dmo: is not an app in the catalog \(got "redis-dmo"\)\. Fix: did you mean "redis-demo"\?/);
        });

        it("names the expected type", () => {
            assert.equal(onlyProblem(devWith((v) => { v.apps["tcp-demo"].entryPoint.port = "9999"; })),
                'tcp-platform:apps.tcp-demo.entryPoint.port: must be a number (got "9999"). Fix: write a number here');
        });

        it("refuses an empty app list", () => {
            assert.match(onlyProblem(devWith((v) => { v.apps = {}; })), /^tcp-platform:apps: lists no app \(got \{\}\)\. Fix: enable at least one of: cache, db, dns-demo, hello-api, mysql-demo, redis-demo, tcp-demo$/);
        });

        it("refuses configuration that is not a mapping", () => {
            assert.throws(() => validate({ values: ["a"] as unknown as Record<string, unknown>, secretKeys: new Set(), identity: { project: "tcp-platform", stack: "dev" } }),
                (err: unknown) => err instanceof ConfigError && /is not a mapping of config keys/.test(err.message));
        });

        it("reports every problem at once", () => {
            const problems = problemsOf(devWith((v) => {
                v.apps["tcp-demo"].entryPoint.nodePort = 40000;
                v.apps["redis-demo"].entryPoint.port = 9999;
                v.apps["tcp-demo"].replicas = -1;
            }));
            // The schema pass stops at replicas; fix it and the rule pass reports the rest together.
            assert.equal(problems.length, 1);
            const rules = problemsOf(devWith((v) => {
                v.apps["tcp-demo"].entryPoint.nodePort = 40000;
                v.apps["redis-demo"].entryPoint.port = 9999;
                v.images = [];
            }));
            assert.equal(rules.length, 4, rules.join("\n"));
        });

        it("requires a chart version it can read", () => {
            assert.match(onlyProblem(devWith((v) => { v.traefik.chart = { path: "charts/traefik" }; })), /traefik\.chart\.version: is required/);
            assert.deepEqual(problemsOf(devWith((v) => { v.traefik = {}; })), [], "the seed's 26.0.0 by default");
            assert.match(onlyProblem(devWith((v) => { v.traefik.chart = { version: "latest" }; })), /traefik\.chart\.version: is not a chart version/);
        });

        it("reads the chart version from a local archive's name and checks the path exists", () => {
            assert.match(onlyProblem(devWith((v) => { v.traefik.chart = { path: "/nonexistent/traefik-41.3.0.tgz" }; })),
                /^tcp-platform:traefik\.chart\.path: does not exist/);
        });
    });
});
