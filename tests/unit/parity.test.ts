import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import * as YAML from "yaml";
import { KubeObject } from "../../lib/import/objects";
import { differences, missingFields } from "../../lib/import/parity";
import { evaluate } from "../../tools/evaluate";
import { manifestsOf } from "../../tools/manifests";
import { projectDir, stackRaw } from "../support/helpers";

const overlay = path.resolve(projectDir, "../shared/seed/kustomize/apps/backend/tcp-demo/overlays/development");

// The check itself (lib/import/parity.ts) is the import's too: an imported stack must hold every
// field of what users run. Fields left out on purpose (the Ingress annotation the seed's overlay
// puts on the IngressRouteTCP, which only Ingresses read) are listed there, with why.
describe("parity with the seed's Kustomize development overlay", () => {
    it("renders every field `kubectl kustomize` produces for tcp-demo, with the same value", async () => {
        const kustomized = YAML.parseAllDocuments(execFileSync("kubectl", ["kustomize", overlay], { encoding: "utf8" })).map((d) => d.toJSON() as KubeObject);
        assert.deepEqual(kustomized.map((m) => m.kind).sort(), ["Deployment", "IngressRouteTCP", "Service"]);
        const ours = manifestsOf((await evaluate(stackRaw("dev"), "dev")).resources);
        assert.deepEqual(kustomized.flatMap((expected) => differences(expected, ours)), []);
    });

    it("would notice a field that differs, an object that is missing, and keeps only the fields left out on purpose", () => {
        assert.deepEqual(missingFields({ spec: { replicas: 1 } }, { spec: { replicas: 10 } }, "x"), ["x.spec.replicas: expected 1, got 10"]);
        assert.deepEqual(missingFields({ a: [{ b: 1 }] }, { a: [] }, "x"), ["x.a: expected 1 items, got 0"]);
        const route = (annotations: Record<string, string>): KubeObject => ({ apiVersion: "traefik.io/v1alpha1", kind: "IngressRouteTCP", metadata: { name: "r", namespace: "n", annotations } });
        assert.deepEqual(differences(route({ "traefik.ingress.kubernetes.io/router.entrypoints": "mytcp" }), [route({})]), []);
        assert.deepEqual(differences(route({ team: "a" }), [route({})]), ["IngressRouteTCP/r.metadata.annotations.team: expected \"a\", got undefined"]);
        assert.deepEqual(differences(route({}), []), ["IngressRouteTCP/r: the render has no such object"]);
    });
});
