/**
 * What the pods are told and what they keep: every container is told the port the Service and
 * the NetworkPolicy point at, stateful apps keep their data in claims, and passthrough apps
 * serve TLS with a certificate the stack names.
 */
import { strict as assert } from "assert";
import { AppSpec, PortContract } from "../../lib/catalog";
import { projectCatalog } from "../../lib/config/catalogFiles";
import { evaluate } from "../../tools/evaluate";
import { Manifest, manifestsOf } from "../../tools/manifests";
import { RawConfig } from "../../lib/config/schema";
import { validate } from "../../lib/rules/validate";
import { devWith, problemsOf, stackRaw } from "../support/helpers";

/** The dev stack with every catalog app: db and cache on websecure with certificates from Secrets. */
function everyApp(): RawConfig {
    const raw = devWith((v) => {
        v.apps.db = { host: "db.dev.example.com", tls: { passthrough: true, certificate: { secretName: "db-tls" } } };
        v.apps.cache = { host: "cache.dev.example.com", tls: { passthrough: true, certificate: { issuer: { name: "dev-ca" } } } };
    });
    raw.values.dbPassword = "db-password";
    raw.secretKeys.add("dbPassword");
    return raw;
}

const stacks: [string, () => RawConfig][] = [["dev", () => stackRaw("dev")], ["prod", () => stackRaw("prod")], ["every app", everyApp]];

/** The values of `contract` in a rendered container: what the process is told to listen on. */
function toldBy(contract: PortContract, container: any): number[] {
    if ("env" in contract) {
        const variable = (container.env ?? []).find((e: any) => e.name === contract.env);
        return variable ? [Number(variable.value)] : [];
    }
    const args: string[] = container.args ?? [];
    return args.flatMap((arg, i) => {
        if (arg === contract.arg && i + 1 < args.length) {
            return [Number(args[i + 1])];
        }
        return arg.startsWith(`${contract.arg}=`) ? [Number(arg.slice(contract.arg.length + 1))] : [];
    });
}

/** Every port the container is told to listen on, by any flag or variable its image takes; 0 turns a listener off. */
function toldPorts(spec: AppSpec, container: any): number[] {
    const contracts = [spec.container.listen, spec.container.tlsServer?.port].filter((c): c is PortContract => c !== undefined);
    return contracts.flatMap((c) => toldBy(c, container)).filter((port) => port !== 0);
}

function byKindAndName(manifests: Manifest[], kind: string, name: string): any {
    const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
    assert.ok(found, `no ${kind}/${name}`);
    return found;
}

describe("workloads as their images run them", () => {
    for (const [stack, raw] of stacks) {
        it(`tells every container of ${stack} the port its Service and NetworkPolicy use`, async () => {
            const { resources, config } = await evaluate(raw(), "test");
            const manifests = manifestsOf(resources);
            for (const id of Object.keys(config.apps)) {
                const spec = projectCatalog()[id];
                const workload = manifests.find((m) => (m.kind === "Deployment" || m.kind === "StatefulSet") && m.metadata.name === spec.deploymentName) as any;
                assert.ok(workload, `${id}: no workload`);
                const [container] = workload.spec.template.spec.containers;
                const containerPort = container.ports[0].containerPort;
                const service = byKindAndName(manifests, "Service", `${spec.stem}-service`);
                const policy = byKindAndName(manifests, "NetworkPolicy", `${spec.stem}-allow-ingress`);
                assert.deepEqual({
                    told: toldPorts(spec, container),
                    targetPort: service.spec.ports[0].targetPort,
                    policyPort: policy.spec.ingress[0].ports[0].port,
                }, { told: [containerPort], targetPort: containerPort, policyPort: containerPort }, `${stack}: ${id}`);
            }
        });
    }

    it("tells hello-api (traefik/whoami, which listens on 80 by default) --port 8080", async () => {
        const manifests = manifestsOf((await evaluate(stackRaw("dev"), "dev")).resources);
        const [container] = byKindAndName(manifests, "Deployment", "hello-api").spec.template.spec.containers;
        assert.equal(container.image, "traefik/whoami:v1.10.3");
        assert.deepEqual(container.args, ["--port", "8080"]);
        assert.deepEqual(container.ports, [{ name: "http", containerPort: 8080 }]);
    });

    it("gives a pod template that reads a Secret the Secret's version, so that a rotated secret rolls the pods", async () => {
        const manifests = manifestsOf((await evaluate(stackRaw("dev"), "dev")).resources);
        // Under the mocks every object is stored at resourceVersion "1".
        assert.deepEqual(byKindAndName(manifests, "StatefulSet", "mysql-demo").spec.template.metadata.annotations, { "tcp-platform/secret-version": "1" });
        assert.equal(byKindAndName(manifests, "Deployment", "redis-demo").spec.template.metadata.annotations, undefined, "dev sets no redis password: no Secret");
    });

    describe("stateful apps", () => {
        it("run as StatefulSets whose claims outlive pods, scale-down and deletion", async () => {
            const manifests = manifestsOf((await evaluate(stackRaw("dev"), "dev")).resources);
            const statefulSet = byKindAndName(manifests, "StatefulSet", "mysql-demo");
            assert.equal(statefulSet.spec.serviceName, "mysql-service");
            assert.deepEqual(statefulSet.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
            assert.deepEqual(statefulSet.spec.volumeClaimTemplates, [{
                metadata: { name: "data", labels: { app: "mysql", environment: "development", project: "ic2", "tcp-platform/project": "tcp-platform", "tcp-platform/stack": "dev" } },
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
            }]);
            const [container] = statefulSet.spec.template.spec.containers;
            assert.deepEqual(container.volumeMounts.find((m: any) => m.name === "data"), { name: "data", mountPath: "/var/lib/mysql" });
            assert.ok(!statefulSet.spec.template.spec.volumes.some((v: any) => v.name === "data"), "the data volume comes from the claim template, not an emptyDir");
            // The claim is the program's own, so that protectStateful covers it.
            const claim = byKindAndName(manifests, "PersistentVolumeClaim", "data-mysql-demo-0");
            assert.deepEqual(claim.spec, statefulSet.spec.volumeClaimTemplates[0].spec);
        });

        it("take the claim size and class from the app, else from defaults", () => {
            const raw = devWith((v) => {
                v.defaults.storage = { size: "5Gi", storageClass: "fast" };
                v.apps["mysql-demo"].storage = { size: "8Gi" };
            });
            const plan = validate(raw);
            const mysql = plan.apps.find((a) => a.id === "mysql-demo")!;
            assert.deepEqual(mysql.storage, {
                size: "8Gi", storageClass: "fast", mountPath: "/var/lib/mysql", template: "data", claims: ["data-mysql-demo-0"],
                paths: { size: "tcp-platform:apps.mysql-demo.storage.size", storageClass: "tcp-platform:defaults.storage.storageClass" },
            });
            assert.equal(plan.apps.find((a) => a.id === "redis-demo")!.storage, undefined, "a cache keeps no claim");
        });

        it("keep the claim at zero replicas, and protect it with protectStateful", () => {
            const stopped = validate(devWith((v) => { v.apps["mysql-demo"].replicas = 0; v.protectStateful = true; }));
            const mysql = stopped.apps.find((a) => a.id === "mysql-demo")!;
            assert.deepEqual(mysql.storage?.claims, ["data-mysql-demo-0"]);
            assert.equal(mysql.protect, true);
        });

        it("refuses more than one replica of a single-primary database, from the app or from defaults", () => {
            assert.deepEqual(problemsOf(devWith((v) => { v.apps["mysql-demo"].replicas = 3; })), [
                "tcp-platform:apps.mysql-demo.replicas: app mysql-demo is a single-primary database without replication: each replica would be a separate database with its own data behind one Service (got 3). " +
                "Fix: set apps.mysql-demo.replicas to 1 (or 0 to stop it; its claim is kept)",
            ]);
            assert.deepEqual(problemsOf(devWith((v) => { v.defaults.replicas = 2; })), [
                "tcp-platform:defaults.replicas: applies to app mysql-demo, which is a single-primary database without replication: each replica would be a separate database with its own data behind one Service (got 2). " +
                "Fix: set apps.mysql-demo.replicas to 1 (or 0 to stop it; its claim is kept)",
                "tcp-platform:defaults.replicas: applies to app db, which is a single-primary database without replication: each replica would be a separate database with its own data behind one Service (got 2). " +
                "Fix: set apps.db.replicas to 1 (or 0 to stop it; its claim is kept)",
            ]);
        });

        it("refuses storage on an app without data, and sizes that are not quantities", () => {
            assert.deepEqual(problemsOf(devWith((v) => { v.apps["redis-demo"].storage = { size: "1Gi" }; })), [
                'tcp-platform:apps.redis-demo.storage: does not apply: app redis-demo keeps no data on disk (got {"size":"1Gi"}). Fix: remove it',
            ]);
            assert.deepEqual(problemsOf(devWith((v) => { v.apps["mysql-demo"].storage = { size: "10GB" }; })), [
                'tcp-platform:apps.mysql-demo.storage.size: is not a Kubernetes storage quantity above zero (got "10GB"). Fix: write bytes with a suffix ("64Mi", "1Gi", "500M")',
            ]);
            assert.match(problemsOf(devWith((v) => { v.defaults.storage = { size: "0" }; }))[0], /^tcp-platform:defaults\.storage\.size: is not a Kubernetes storage quantity above zero/);
            assert.match(problemsOf(devWith((v) => { v.apps["mysql-demo"].storage = { storageClass: "Fast_SSD" }; }))[0], /^tcp-platform:apps\.mysql-demo\.storage\.storageClass: is not a StorageClass name/);
        });
    });

    describe("TLS passthrough", () => {
        it("mounts the named Secret and tells postgres to serve TLS with it", async () => {
            const manifests = manifestsOf((await evaluate(everyApp(), "test")).resources);
            const pod = byKindAndName(manifests, "StatefulSet", "db").spec.template.spec;
            assert.deepEqual(pod.volumes.find((v: any) => v.name === "tls"), { name: "tls", secret: { secretName: "db-tls", defaultMode: 0o440 } });
            const [container] = pod.containers;
            assert.deepEqual(container.volumeMounts.find((m: any) => m.name === "tls"), { name: "tls", mountPath: "/tls", readOnly: true });
            assert.deepEqual(container.args, ["-p", "5432", "-c", "ssl=on", "-c", "ssl_cert_file=/tls/tls.crt", "-c", "ssl_key_file=/tls/tls.key"]);
            assert.ok(!manifests.some((m) => m.kind === "Certificate" && m.metadata.name === "db-tls"), "a named Secret needs no Certificate");
        });

        it("requests a Certificate from the named issuer and turns redis's plain port off", async () => {
            const manifests = manifestsOf((await evaluate(everyApp(), "test")).resources);
            const certificate = byKindAndName(manifests, "Certificate", "cache-tls");
            assert.equal(certificate.apiVersion, "cert-manager.io/v1");
            assert.deepEqual(certificate.spec, {
                secretName: "cache-tls",
                dnsNames: ["cache.dev.example.com"],
                issuerRef: { name: "dev-ca", kind: "Issuer", group: "cert-manager.io" },
            });
            const [container] = byKindAndName(manifests, "Deployment", "cache").spec.template.spec.containers;
            assert.deepEqual(container.args.slice(4), [
                "--save", "", "--appendonly", "no", "--protected-mode", "no",
                "--tls-port", "6379", "--port", "0", "--tls-cert-file", "/tls/tls.crt", "--tls-key-file", "/tls/tls.key", "--tls-auth-clients", "no",
            ]);
            assert.deepEqual(byKindAndName(manifests, "IngressRouteTCP", "cache-route").spec.tls, { passthrough: true });
        });

        it("refuses passthrough without a certificate, and to an image that cannot serve TLS", () => {
            const raw = stackRaw("prod");
            (raw.values.apps as any).db.tls = { passthrough: true };
            assert.deepEqual(problemsOf(raw), [
                "tcp-platform:apps.db.tls.certificate: is required with passthrough: Traefik hands the TLS stream to db unopened, so db's server presents the certificate (got nothing). " +
                "Fix: name a kubernetes.io/tls Secret in namespace backend (certificate: {secretName: db-tls}) or a cert-manager issuer (certificate: {issuer: {name: <issuer>, kind: ClusterIssuer}})",
            ]);
            assert.deepEqual(problemsOf(devWith((v) => {
                v.apps["tcp-demo"] = { entryPoint: { name: "mytcp", port: 9999, nodePort: 30999 }, tls: { passthrough: true, certificate: { secretName: "echo-tls" } } };
            })), [
                "tcp-platform:apps.tcp-demo.tls.passthrough: hands the client's TLS stream to tcp-demo, whose image does not serve TLS (got true). " +
                "Fix: terminate TLS in Traefik instead: tls: {secretName: <kubernetes.io/tls Secret>}",
            ]);
        });

        it("refuses a certificate where Traefik terminates TLS, and a certificate with two sources or none", () => {
            const raw = stackRaw("prod");
            (raw.values.apps as any).db.tls = { secretName: "db-edge-tls", certificate: { secretName: "db-tls" } };
            assert.deepEqual(problemsOf(raw), [
                'tcp-platform:apps.db.tls.certificate: only applies with passthrough: Traefik terminates TLS with secretName and talks plain TCP to the app (got {"secretName":"db-tls"}). ' +
                "Fix: remove certificate, or replace secretName with passthrough: true",
            ]);
            const both = stackRaw("prod");
            (both.values.apps as any).db.tls = { passthrough: true, certificate: { secretName: "db-tls", issuer: { name: "ca" } } };
            assert.match(problemsOf(both)[0], /^tcp-platform:apps\.db\.tls\.certificate: names no certificate source, or two/);
        });

        it("keeps plain TCP to the backend when Traefik terminates TLS", async () => {
            const raw = stackRaw("prod");
            (raw.values.apps as any).db.tls = { secretName: "db-edge-tls" };
            const manifests = manifestsOf((await evaluate(raw, "prod")).resources);
            assert.deepEqual(byKindAndName(manifests, "IngressRouteTCP", "db-route").spec.tls, { secretName: "db-edge-tls" });
            const [container] = byKindAndName(manifests, "StatefulSet", "db").spec.template.spec.containers;
            assert.deepEqual(container.args, ["-p", "5432"]);
        });
    });
});

describe("configuration refused, not dropped", () => {
    it("refuses a common label whose key a selector uses, naming who uses it", () => {
        assert.deepEqual(problemsOf(devWith((v) => { v.labels.app = "everything"; })), [
            'tcp-platform:labels.app: is a label key that selectors use (app tcp-demo, app redis-demo, app mysql-demo, app hello-api, app db, app cache): on the pod templates it would break those selectors (got "everything"). ' +
            "Fix: rename the label (e.g. team, or example.com/app)",
        ]);
        assert.match(problemsOf(devWith((v) => { v.labels["app.kubernetes.io/instance"] = "x"; }))[0],
            /^tcp-platform:labels\.app\.kubernetes\.io\/instance: is a label key that selectors use \(Traefik\)/);
        assert.deepEqual(problemsOf(devWith((v) => { v.labels.team = "platform"; })), []);
    });

    it("refuses a release name Helm would refuse", () => {
        const ok = "a".repeat(53);
        assert.deepEqual(problemsOf(devWith((v) => { v.traefik.releaseName = ok; })), []);
        for (const name of [`${ok}b`, "Traefik", "traefik_ingress", "-traefik"]) {
            assert.deepEqual(problemsOf(devWith((v) => { v.traefik.releaseName = name; })), [
                `tcp-platform:traefik.releaseName: is not a Helm release name (a DNS-1123 label of at most 53 characters) (got "${name}"). ` +
                "Fix: use at most 53 lowercase letters, digits and '-', starting and ending with a letter or digit",
            ], name);
        }
    });

    it("refuses app ids that JavaScript objects already have (__proto__, constructor, toString)", () => {
        for (const id of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
            // As the engine hands config over: JSON text, so __proto__ is an ordinary own key.
            const raw = devWith((v) => { v.apps = JSON.parse(`{"tcp-demo": ${JSON.stringify(v.apps["tcp-demo"])}, ${JSON.stringify(id)}: {"replicas": 1}}`); });
            const problems = problemsOf(raw);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], new RegExp(`^tcp-platform:apps\\.${id}: is not an app in the catalog \\(got "${id}"\\)`));
        }
    });
});
