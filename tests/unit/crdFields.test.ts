/**
 * Another owner's Traefik CRDs are used as they are: an object setting a field their schema lacks
 * (an older chart line's CRDs under a newer chart's objects) is refused at preview, not pruned or
 * refused half-way through an up. The CRDs here are the chart archives' own.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ClusterReader, LiveMeta, LiveRead, SchemaNode } from "../../lib/live/cluster";
import { fieldsOutside } from "../../lib/live/crdFields";
import { ownerLabels } from "../../lib/ownership";
import { validate } from "../../lib/rules/validate";
import { localChartDir } from "../../tools/charts";
import { devWith, liveRefusal, projectDir } from "../support/helpers";

const chartsDir = path.resolve(projectDir, "../shared/charts");

/** The traefik.io CRDs a chart line ships, as the API server returns them, with these labels. */
function chartCrds(version: string, labels: Record<string, string>): Map<string, LiveMeta> {
    const dir = path.join(localChartDir(chartsDir, version), "crds");
    const crds = fs.readdirSync(dir).filter((f) => f.startsWith("traefik.io_")).map((f) => YAML.parse(fs.readFileSync(path.join(dir, f), "utf8")) as {
        metadata: { name: string }; spec: { versions: { name: string; served: boolean; schema: { openAPIV3Schema: SchemaNode } }[] };
    });
    return new Map(crds.map((c) => [c.metadata.name, {
        name: c.metadata.name, labels, ownerReferences: [],
        crd: { served: c.spec.versions.filter((v) => v.served).map((v) => v.name), annotations: {}, schemas: Object.fromEntries(c.spec.versions.map((v) => [v.name, v.schema.openAPIV3Schema])) },
    }]));
}

/** A cluster with these Traefik CRDs (cert-manager's served too) and nothing else. */
function withTraefikCrds(crds: Map<string, LiveRead>): ClusterReader {
    const certManager: LiveMeta = { name: "certificates.cert-manager.io", labels: {}, ownerReferences: [], crd: { served: ["v1"], annotations: {} } };
    return {
        describe: "in-memory",
        read: (ref) => Promise.resolve(ref.kind !== "CustomResourceDefinition" ? "absent" : ref.name === certManager.name ? certManager : crds.get(ref.name) ?? "absent"),
        services: () => Promise.resolve([]),
        claims: () => Promise.resolve([]),
        namespaceContents: () => Promise.resolve([]),
    };
}

async function refusal(reader: ClusterReader, chart = "41.3.0"): Promise<string[]> {
    const plan = validate(devWith((v) => {
        v.traefik.chart.version = chart;
        v.apps["tcp-demo"].ipAllowList = ["10.0.0.0/8"];
        v.apps["tcp-demo"].proxyProtocol = { version: 2 };
    }));
    return liveRefusal(plan, reader);
}

describe("another owner's Traefik CRDs", () => {
    it("refuses chart 41's objects on chart 26's CRDs, naming each field, the CRD and its owner", async () => {
        const refused = await refusal(withTraefikCrds(chartCrds("26.0.0", {})));
        assert.deepEqual(refused.map((r) => r.replace(/ \(owned by .*$/, "")), [
            "tcp-platform:apps.tcp-demo: it sets spec.routes[0].services[0].serversTransport, which the cluster's ingressroutetcps.traefik.io does not have",
            "tcp-platform:apps.tcp-demo: it sets spec.ipAllowList, which the cluster's middlewaretcps.traefik.io does not have",
            "tcp-platform:apps.tcp-demo: it sets spec.proxyProtocol, which the cluster's serverstransporttcps.traefik.io does not have",
        ]);
        assert.match(refused[1], /\(owned by no stack \(no tcp-platform\/stack label: made by kubectl, Helm or Argo CD\?\); this stack uses them as they are\): the API server would drop it or refuse it at pulumi up, half-way \(got "MiddlewareTCP backend\/tcp-echo-ip-allow-list"\)\. Fix: have the CRDs' owner apply the CRDs of Traefik's chart 41\.3\.0/);
    });

    it("passes the same objects on chart 41's CRDs, chart 26's objects on chart 26's, and on the stack's own CRDs, which its chart upgrades", async () => {
        assert.deepEqual(await refusal(withTraefikCrds(chartCrds("41.3.0", {}))), []);
        assert.deepEqual(await refusal(withTraefikCrds(chartCrds("26.0.0", {})), "26.0.0"), []);
        assert.deepEqual(await refusal(withTraefikCrds(chartCrds("26.0.0", ownerLabels({ project: "tcp-platform", stack: "dev" })))), []);
    });

    it("refuses a kind whose CRD is missing beside Traefik's others", async () => {
        const crds: Map<string, LiveRead> = chartCrds("41.3.0", {});
        crds.set("serverstransporttcps.traefik.io", "absent");
        assert.match((await refusal(withTraefikCrds(crds)))[0], /^tcp-platform:apps\.tcp-demo: the cluster has no CRD serverstransporttcps\.traefik\.io, though it has Traefik's others: /);
    });

    it("reads a schema as the API server prunes by it", () => {
        const schema: SchemaNode = {
            properties: {
                kept: { type: "object", "x-kubernetes-preserve-unknown-fields": true } as SchemaNode,
                list: { items: { properties: { a: {} } } },
                map: { additionalProperties: { properties: { b: {} } } },
                free: {},
            },
        };
        assert.deepEqual(fieldsOutside(schema, { kept: { anything: 1 }, list: [{ a: 1 }, { a: 2, c: 3 }], map: { x: { b: 1, d: 2 } }, free: { e: 1 }, f: 1 }, "spec"),
            ["spec.list[1].c", "spec.map.x.d", "spec.f"]);
        assert.deepEqual(fieldsOutside(undefined, { a: 1 }, "spec"), []);
    });
});
