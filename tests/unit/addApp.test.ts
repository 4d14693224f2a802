import { strict as assert } from "assert";
import { AppSpec, Catalog } from "../../lib/catalog";
import { projectCatalog } from "../../lib/config/catalogFiles";
import { evaluate } from "../../tools/evaluate";
import { manifestsOf, traefikValuesOf } from "../../tools/manifests";
import { devWith, problemsOf } from "../support/helpers";

// What the README's "add a TCP app" asks of a user: one catalog entry plus its stack lines.
const memcached: AppSpec = {
    kind: "tcp",
    namespace: "backend",
    deploymentName: "memcached-demo",
    stem: "memcached",
    selector: { app: "memcached" },
    replicas: 2,
    portName: "memcached",
    servicePort: 11211,
    container: { name: "memcached", image: "memcached:1.6.34", placeholder: false, port: 11211, listen: { arg: "--port" }, runAsUser: 11211 },
};

describe("adding a fourth TCP app", () => {
    const withEntry: Catalog = { ...projectCatalog(), "memcached-demo": memcached };

    const withMemcached = (nodePort: number) => devWith((v) => {
        v.apps["memcached-demo"] = { entryPoint: { name: "memcached", port: 11211, nodePort } };
    });

    it("adds its Deployment, Service, route, and its entryPoint and NodePort to Traefik", async () => {
        const { resources } = await evaluate(withMemcached(30211), "dev", [], withEntry);
        const values = traefikValuesOf(resources) as any;
        assert.deepEqual(values.ports.memcached, { port: 11211, expose: true, exposedPort: 11211, protocol: "TCP", nodePort: 30211 });
        assert.deepEqual(Object.keys(values.ports).sort(), ["memcached", "mysql", "mytcp", "redis"]);
        const names = manifestsOf(resources).map((m) => `${m.kind}/${m.metadata.name}`);
        for (const expected of ["Deployment/memcached-demo", "Service/memcached-service", "IngressRouteTCP/memcached-route"]) {
            assert.ok(names.includes(expected), expected);
        }
    });

    it("is checked against the ports already planned", () => {
        assert.deepEqual(problemsOf(withMemcached(30379), withEntry), [
            "tcp-platform:apps.memcached-demo.entryPoint.nodePort: is already the NodePort of app redis-demo (got 30379). Fix: choose a free NodePort",
        ]);
    });
});
