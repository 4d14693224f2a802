/**
 * Dev before prod: every component the prod stack runs is first exercised by dev, so no kind of
 * object, app, TLS mode or certificate source reaches production for the first time. Read from the
 * committed stack files.
 */
import { strict as assert } from "assert";
import { PlannedApp, PlatformPlan } from "../../lib/model";
import { validate } from "../../lib/rules/validate";
import { stackRaw } from "../support/helpers";

/** What kind of component an app is in a stack: how it is routed, and where its certificate comes from. */
function shape(app: PlannedApp): string {
    if (app.kind !== "tcp") {
        return app.kind;
    }
    const tls = app.tls ? ("passthrough" in app.tls ? "passthrough" : "terminated") : "plain";
    const certificate = app.serverTls ? (app.serverTls.issuer ? `issuer ${app.serverTls.issuer.kind}` : "secret") : "none";
    return `tcp ${tls}, certificate from ${certificate}, ${app.storage ? "stateful" : "stateless"}`;
}

const components = (plan: PlatformPlan) => ({
    apps: new Map(plan.apps.map((app) => [app.id, shape(app)])),
    kinds: new Set(plan.objects.map((o) => `${o.apiVersion} ${o.kind}`)),
});

describe("dev before prod", () => {
    const dev = components(validate(stackRaw("dev")));
    const prod = components(validate(stackRaw("prod")));

    it("runs every app prod runs, each as prod runs it", () => {
        for (const [id, shapeInProd] of prod.apps) {
            assert.equal(dev.apps.get(id), shapeInProd, `app ${id}: prod runs it as "${shapeInProd}", dev as "${dev.apps.get(id) ?? "(not at all)"}"`);
        }
    });

    it("creates every kind of object prod creates", () => {
        assert.deepEqual([...prod.kinds].filter((kind) => !dev.kinds.has(kind)), []);
        assert.ok(dev.kinds.has("cert-manager.io/v1 Certificate"), [...dev.kinds].join(", "));
    });
});
