/**
 * Issue 15's features as both chart lines render them: who may connect, PROXY protocol, graceful
 * shutdown, SNI wildcards and ALPN, TLS options, canary, UDP apps. Each rendered Traefik object is
 * checked against the CRD of the chart line it is for, and the values against the chart's own
 * templates (26) and values schema (41).
 */
import Ajv2020 from "ajv/dist/2020";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { objectKey } from "../../lib/live/cluster";
import { registeredObjects } from "../../lib/plan/plan";
import { rules, stackRules } from "../../policy/rules";
import { chartProfile } from "../../lib/traefik/profile";
import { CHART_LINES, GENERATED_KINDS, generateCrdTypes } from "../../tools/crdTypes";
import { localChartDir } from "../../tools/charts";
import { evaluate, Evaluation } from "../../tools/evaluate";
import { Manifest, manifestsOf, traefikValuesOf } from "../../tools/manifests";
import { devWith, projectDir } from "../support/helpers";

const chartsDir = path.resolve(projectDir, "../shared/charts");

/** dev with every feature of issue 15 in use, on chart `version`. */
export function featuresStack(version: string) {
    const raw = devWith((v) => {
        v.traefik.chart.version = version;
        v.traefik.gracePeriod = { graceTimeOut: "30s" };
        Object.assign(v.apps["tcp-demo"], {
            ipAllowList: ["10.0.0.0/8", "192.0.2.10"],
            maxConnections: 100,
            proxyProtocol: { version: 2 },
            canary: { newTag: "1.1", weight: 20 },
        });
        v.apps["tcp-demo"].entryPoint.proxyProtocol = { trustedIPs: ["10.1.0.0/16"] };
        v.apps.db = { host: "db.example.com", alpn: ["postgresql"], tls: { passthrough: true, certificate: { secretName: "db-tls" } } };
        v.apps.cache = {
            host: "*.cache.example.com",
            tls: { secretName: "cache-tls", options: { minVersion: "1.3", clientAuth: { secretNames: ["cache-client-ca"] } } },
        };
        v.apps["dns-demo"] = { entryPoint: { name: "dns", port: 5353, nodePort: 30053 } };
        v.dbPassword = "db-password";
        v.images.push({ name: "coredns/coredns", newTag: "1.12.1" });
    });
    raw.secretKeys.add("dbPassword");
    return raw;
}

function find(manifests: Manifest[], kind: string, name: string): any {
    const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
    assert.ok(found, `no ${kind} ${name} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
    return found;
}

/** The openAPIV3Schema of a traefik.io kind in a chart line's CRD file. */
function crdSchema(version: string, plural: string): object {
    const file = path.join(localChartDir(chartsDir, version), "crds", `traefik.io_${plural}.yaml`);
    return YAML.parse(fs.readFileSync(file, "utf8")).spec.versions.find((v: { name: string }) => v.name === "v1alpha1").schema.openAPIV3Schema;
}

const crdPlural: Record<string, string> = Object.fromEntries(GENERATED_KINDS.map((k) => [k.kind, k.plural]));

for (const { chart, traefik } of CHART_LINES) {
    describe(`TCP features on chart ${chart} (Traefik ${traefik})`, () => {
        const v2 = chartProfile(chart).traefikMajor === 2;
        let run: Evaluation;
        let manifests: Manifest[];
        let values: any;
        before(async () => {
            run = await evaluate(featuresStack(chart), "features");
            manifests = manifestsOf(run.resources);
            values = traefikValuesOf(run.resources);
        });

        it("writes every Traefik object as the chart line's CRD accepts it (its OpenAPI schema, no unknown field)", () => {
            const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
            const traefikObjects = manifests.filter((m) => m.apiVersion === "traefik.io/v1alpha1" && crdPlural[m.kind]);
            assert.deepEqual([...new Set(traefikObjects.map((m) => m.kind))].sort(), ["IngressRouteTCP", "IngressRouteUDP", "MiddlewareTCP", "ServersTransportTCP", "TLSOption"].filter((k) => !(v2 && k === "ServersTransportTCP")));
            for (const object of traefikObjects) {
                // The structural schema prunes unknown fields: refuse them here instead.
                const strict = JSON.parse(JSON.stringify(crdSchema(chart, crdPlural[object.kind])), (key, value) =>
                    value && typeof value === "object" && value.properties && value.additionalProperties === undefined && key !== "metadata" ? { ...value, additionalProperties: false } : value);
                const validate = ajv.compile(strict);
                assert.ok(validate(object), `${object.kind}/${object.metadata.name}: ${JSON.stringify(validate.errors)}`);
            }
        });

        it("admits clients by address and limits simultaneous connections with MiddlewareTCPs on the route", () => {
            assert.deepEqual(find(manifests, "MiddlewareTCP", "tcp-echo-ip-allow-list").spec, { [v2 ? "ipWhiteList" : "ipAllowList"]: { sourceRange: ["10.0.0.0/8", "192.0.2.10"] } });
            assert.deepEqual(find(manifests, "MiddlewareTCP", "tcp-echo-max-connections").spec, { inFlightConn: { amount: 100 } });
            const route = find(manifests, "IngressRouteTCP", "tcp-echo-route");
            assert.deepEqual(route.spec.routes[0].middlewares, [{ name: "tcp-echo-ip-allow-list" }, { name: "tcp-echo-max-connections" }]);
        });

        it("sends the PROXY protocol to the backend as the chart line takes it, and accepts it on the entryPoint", () => {
            const services = find(manifests, "IngressRouteTCP", "tcp-echo-route").spec.routes[0].services;
            if (v2) {
                assert.deepEqual(services.map((s: any) => s.proxyProtocol), [{ version: 2 }, { version: 2 }]);
                assert.ok(!manifests.some((m) => m.kind === "ServersTransportTCP"));
            } else {
                assert.deepEqual(find(manifests, "ServersTransportTCP", "tcp-echo-transport").spec, { proxyProtocol: { version: 2 } });
                assert.deepEqual(services.map((s: any) => [s.serversTransport, s.proxyProtocol]), [["tcp-echo-transport", undefined], ["tcp-echo-transport", undefined]]);
            }
            assert.deepEqual(values.ports.mytcp.proxyProtocol, { trustedIPs: ["10.1.0.0/16"] });
        });

        it("splits tcp-demo's connections 80/20 with a canary Deployment, Service and NetworkPolicy of their own", () => {
            const services = find(manifests, "IngressRouteTCP", "tcp-echo-route").spec.routes[0].services;
            assert.deepEqual(services.map((s: any) => [s.name, s.port, s.weight]), [["tcp-echo-service", 3333, 80], ["tcp-echo-canary-service", 3333, 20]]);
            const canary = find(manifests, "Deployment", "tcp-echo-demo-canary");
            assert.equal(canary.spec.template.spec.containers[0].image, "iceymoss/tcp-echo:1.1");
            assert.equal(canary.spec.replicas, 1);
            assert.deepEqual(canary.spec.selector, { matchLabels: { app: "tcp-echo-canary" } });
            assert.equal(canary.metadata.labels["tcp-platform/stack"], "features");
            assert.deepEqual(find(manifests, "Service", "tcp-echo-canary-service").spec.selector, { app: "tcp-echo-canary" });
            assert.deepEqual(find(manifests, "Service", "tcp-echo-service").spec.selector, { app: "tcp-echo" }, "the stable Service never selects the canary's pods");
            assert.deepEqual(find(manifests, "NetworkPolicy", "tcp-echo-canary-allow-ingress").spec.podSelector, { matchLabels: { app: "tcp-echo-canary" } });
        });

        it("writes a wildcard host as the chart line's Traefik takes it, and ALPN besides the host", () => {
            const cache = find(manifests, "IngressRouteTCP", "cache-route");
            assert.equal(cache.spec.routes[0].match, v2 ? "HostSNIRegexp(`{subdomain:[^.]+}.cache.example.com`)" : "HostSNI(`*.cache.example.com`)");
            assert.equal(find(manifests, "IngressRouteTCP", "db-route").spec.routes[0].match, "HostSNI(`db.example.com`) && ALPN(`postgresql`)");
        });

        it("terminates TLS with a TLSOption: minimum version and client certificates", () => {
            assert.deepEqual(find(manifests, "TLSOption", "cache-tls-options").spec, { minVersion: "VersionTLS13", clientAuth: { secretNames: ["cache-client-ca"], clientAuthType: "RequireAndVerifyClientCert" } });
            assert.deepEqual(find(manifests, "IngressRouteTCP", "cache-route").spec.tls, { secretName: "cache-tls", options: { name: "cache-tls-options" } });
        });

        it("routes the UDP app on a UDP entryPoint and NodePort", () => {
            assert.deepEqual(find(manifests, "IngressRouteUDP", "dns-route").spec, { entryPoints: ["dns"], routes: [{ services: [{ name: "dns-service", port: 53 }] }] });
            assert.deepEqual(find(manifests, "Service", "dns-service").spec.ports, [{ name: "dns", port: 53, targetPort: 5353, protocol: "UDP" }]);
            const container = find(manifests, "Deployment", "dns-demo").spec.template.spec.containers[0];
            assert.deepEqual(container.ports, [{ name: "dns", containerPort: 5353, protocol: "UDP" }]);
            assert.deepEqual(container.args, ["-dns.port", "5353"]);
            assert.equal(container.readinessProbe, undefined, "nothing in Kubernetes probes UDP");
            assert.deepEqual(find(manifests, "NetworkPolicy", "dns-allow-ingress").spec.ingress[0].ports, [{ port: 5353, protocol: "UDP" }]);
            assert.deepEqual(values.ports.dns, { port: 5353, expose: v2 ? true : { default: true }, exposedPort: 5353, protocol: "UDP", nodePort: 30053, ...(v2 ? {} : { transport: values.ports.dns.transport }) });
        });

        it("gives every entryPoint Traefik's shutdown and the pod a grace period that covers it", () => {
            assert.equal(values.deployment.terminationGracePeriodSeconds, 40, "5 s preStop + 0 s accepting + 30 s serving + 5 s");
            const flags = ["requestAcceptGraceTimeout=0s", "graceTimeOut=30s"];
            const names = ["traefik", "web", "websecure", "metrics", "mytcp", "redis", "mysql", "dns"];
            if (v2) {
                assert.deepEqual(values.additionalArguments, names.flatMap((n) => flags.map((f) => `--entryPoints.${n}.transport.lifeCycle.${f}`)));
            } else {
                assert.equal(values.additionalArguments, undefined);
                for (const name of names) {
                    assert.deepEqual(values.ports[name].transport, { lifeCycle: { requestAcceptGraceTimeout: "0s", graceTimeOut: "30s" } }, name);
                }
            }
        });

        it("gives values the chart reads: its values schema (41), its templates (26)", () => {
            const chartDir = localChartDir(chartsDir, chart);
            const podTemplate = fs.readFileSync(path.join(chartDir, "templates", "_podtemplate.tpl"), "utf8");
            assert.match(podTemplate, /proxyProtocol\.trustedIPs=\{\{ join "," \$config\.proxyProtocol\.trustedIPs \}\}/);
            assert.match(podTemplate, /address=.*\{\{ default "tcp" \$config\.protocol \| lower \}\}/, "the entryPoint's address carries /udp");
            assert.match(podTemplate, /terminationGracePeriodSeconds: \{\{ default 60 \.Values\.deployment\.terminationGracePeriodSeconds \}\}/);
            if (v2) {
                assert.doesNotMatch(podTemplate, /lifeCycle/, "chart 26 has no transport.lifeCycle in ports: the program passes flags");
                assert.match(podTemplate, /with \.Values\.additionalArguments/);
            } else {
                assert.match(podTemplate, /with \.lifeCycle \}\}[\s\S]*transport\.lifeCycle\.graceTimeOut=\{\{ \.graceTimeOut \}\}/);
                const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(chartDir, "values.schema.json"), "utf8")));
                assert.ok(validate(values), JSON.stringify(validate.errors, null, 1));
            }
        });

        it("passes every policy of the pack", () => {
            const views = run.resources.map((r) => ({ type: r.type, props: r.inputs }));
            const violations = [...views.flatMap((v) => rules.flatMap((rule) => rule.check(v))), ...stackRules.flatMap((rule) => rule.check(views))];
            assert.deepEqual(violations, []);
        });

        it("lists every object it registers in the plan's inventory", () => {
            const registered = manifests.map((m) => objectKey({ kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name })).sort();
            assert.deepEqual(registeredObjects(run.platform.plan.objects).map(objectKey).sort(), registered);
            for (const m of manifests) {
                assert.equal(m.metadata.labels?.["tcp-platform/stack"], "features", `${m.kind}/${m.metadata.name}`);
                assert.equal(m.metadata.labels?.environment, "development", `${m.kind}/${m.metadata.name}`);
            }
        });
    });
}

describe("generated Traefik CRD types", () => {
    it("are what tools/crdTypes.ts makes of both charts' CRD files (npm run crd-types)", () => {
        for (const [file, text] of generateCrdTypes(chartsDir)) {
            assert.equal(fs.readFileSync(path.join(projectDir, file), "utf8"), text, `${file} is stale: run npm run crd-types`);
        }
    });
});
