/**
 * Adoption of what Argo CD or Helm installed: the chart's objects are applied with
 * `pulumi.com/patchForce`, so fields another field manager set (Argo CD's tracking label, Helm's)
 * are taken over instead of failing the update. The integration tier adopts a real cluster
 * (tests/integration/adoption.test.ts).
 */
import { strict as assert } from "assert";
import { forcePatch } from "../../components/traefikIngress";

const transform = async (type: string, props: Record<string, unknown>) =>
    (await Promise.resolve(forcePatch({ type, name: "x", props, opts: {}, custom: true }))) as { props: Record<string, any> } | undefined;

describe("adopting the chart's objects", () => {
    it("applies every object of the chart with patchForce, keeping its own annotations", async () => {
        const service = await transform("kubernetes:core/v1:Service", {
            apiVersion: "v1", kind: "Service", metadata: { name: "traefik-ingress", annotations: { "example.com/keep": "yes" } }, spec: {},
        });
        assert.deepEqual(service?.props.metadata.annotations, { "example.com/keep": "yes", "pulumi.com/patchForce": "true" });
        assert.equal(service?.props.metadata.name, "traefik-ingress");
        const account = await transform("kubernetes:core/v1:ServiceAccount", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "traefik-ingress" } });
        assert.deepEqual(account?.props.metadata.annotations, { "pulumi.com/patchForce": "true" });
    });

    it("leaves the chart component and anything that is not a Kubernetes object alone", async () => {
        assert.equal(await transform("kubernetes:helm.sh/v4:Chart", { chart: "traefik", kind: "x" }), undefined);
        assert.equal(await transform("tcp-platform:traefik:TraefikIngress", { kind: "x" }), undefined);
        assert.equal(await transform("kubernetes:core/v1:Service", { metadata: {} }), undefined);
    });
});
