import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import * as YAML from "yaml";
import { evaluate } from "../../tools/evaluate";
import { Manifest, manifestsOf } from "../../tools/manifests";
import { projectDir, stackRaw } from "../support/helpers";

const overlay = path.resolve(projectDir, "../shared/seed/kustomize/apps/backend/tcp-demo/overlays/development");

/** Every leaf of `expected` must be in `actual` with the same value; `actual` may hold more. */
function missingFields(expected: unknown, actual: unknown, at = ""): string[] {
    if (expected !== null && typeof expected === "object") {
        if (actual === null || typeof actual !== "object" || Array.isArray(expected) !== Array.isArray(actual)) {
            return [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
        }
        if (Array.isArray(expected) && (actual as unknown[]).length !== expected.length) {
            return [`${at}: expected ${expected.length} items, got ${(actual as unknown[]).length}`];
        }
        return Object.entries(expected).flatMap(([key, value]) => missingFields(value, (actual as Record<string, unknown>)[key], `${at}.${key}`));
    }
    return expected === actual ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/**
 * Fields of the seed left out on purpose (README, deliberate differences): the Ingress annotation
 * its overlay puts on the IngressRouteTCP names the entryPoint, which only Ingresses read;
 * Traefik takes an IngressRouteTCP's entryPoints from its spec.
 */
const leftOut = ["IngressRouteTCP/tcp-echo-route.metadata.annotations.traefik.ingress.kubernetes.io/router.entrypoints"];

describe("parity with the seed's Kustomize development overlay", () => {
    it("renders every field `kubectl kustomize` produces for tcp-demo, with the same value", async () => {
        const kustomized = YAML.parseAllDocuments(execFileSync("kubectl", ["kustomize", overlay], { encoding: "utf8" })).map((d) => d.toJSON() as Manifest);
        assert.deepEqual(kustomized.map((m) => m.kind).sort(), ["Deployment", "IngressRouteTCP", "Service"]);
        const ours = manifestsOf((await evaluate(stackRaw("dev"), "dev")).resources);
        for (const expected of kustomized) {
            const actual = ours.find((m) => m.kind === expected.kind && m.metadata.name === expected.metadata.name);
            assert.ok(actual, `the dev render has no ${expected.kind} ${expected.metadata.name}`);
            const missing = missingFields(expected, actual, `${expected.kind}/${expected.metadata.name}`);
            assert.deepEqual(missing.filter((m) => !leftOut.some((field) => m.startsWith(`${field}:`))), []);
        }
    });

    it("would notice a field that differs", () => {
        assert.deepEqual(missingFields({ spec: { replicas: 1 } }, { spec: { replicas: 10 } }, "x"), ["x.spec.replicas: expected 1, got 10"]);
        assert.deepEqual(missingFields({ a: [{ b: 1 }] }, { a: [] }, "x"), ["x.a: expected 1 items, got 0"]);
    });
});
