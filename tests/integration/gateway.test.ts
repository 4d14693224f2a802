/**
 * Gateway routing on the real API server: one `pulumi up` of dev in gateway mode on chart 41 (the
 * Gateway API CRDs installed by the stack, the API server keeping every field of the Gateway and
 * the routes), then one `pulumi up` back to IngressRouteTCPs. Traefik itself does not run on the
 * simulated nodes: the e2e tier runs it against these objects.
 */
import { Stack } from "@pulumi/pulumi/automation";
import { strict as assert } from "assert";
import * as path from "path";
import { rawConfigFromStackFile } from "../../lib/config/load";
import { PlatformPlan } from "../../lib/model";
import { validate } from "../../lib/rules/validate";
import { localChartDir } from "../../tools/charts";
import { GATEWAY_API_CRDS } from "../../tools/crdTypes";
import { deleteCrdsSince, traefikCrds } from "../e2e/release";
import { destroyAndClean, kubectl, kubectlJson, ProjectCopy, projectDir } from "../support/harness";

const quiet = { onOutput: () => undefined };
const gatewayCrdNames = GATEWAY_API_CRDS.map((plural) => `${plural}.gateway.networking.k8s.io`);

/** dev on chart 41.3.0 in gateway routing; no replicas (the simulated nodes would run nothing), the SNI pair's certificates from Secrets. */
function gatewayDev(config: Record<string, any>): void {
    config["tcp-platform:traefik"].routing = "gateway";
    const apps = config["tcp-platform:apps"];
    apps.db.tls = { passthrough: true, certificate: { secretName: "db-tls" } };
    apps.cache.tls = { passthrough: true, certificate: { secretName: "cache-tls" } };
    for (const app of Object.values<Record<string, unknown>>(apps)) {
        app.replicas = 0;
    }
}

function existingGatewayCrds(env: Record<string, string>): Set<string> {
    const names = kubectl(env, "get", "crd", "-o", "name").split("\n").map((n) => n.replace(/^customresourcedefinition[^/]*\//, ""));
    return new Set(names.filter((n) => gatewayCrdNames.includes(n)));
}

describe("gateway routing on the API server: one up in, one up back", function () {
    this.timeout(20 * 60 * 1000);
    let project: ProjectCopy;
    let stack: Stack;
    let plan: PlatformPlan;
    let crdsBefore: Set<string>;
    let gatewayCrdsBefore: Set<string>;

    before(async () => {
        project = new ProjectCopy();
        crdsBefore = new Set(traefikCrds(project.env));
        gatewayCrdsBefore = existingGatewayCrds(project.env);
        stack = await project.stack("gateway", "dev", (config) => {
            config["tcp-platform:traefik"].chart = { path: localChartDir(path.resolve(projectDir, "../shared/charts"), "41.3.0") };
            gatewayDev(config);
        });
        plan = validate(rawConfigFromStackFile(path.join(project.dir, "Pulumi.gateway.yaml"), project.dir));
        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
    });

    after(async () => {
        try {
            await destroyAndClean(stack, project.env, [...plan.namespaces, plan.traefik.namespace]);
            deleteCrdsSince(project.env, crdsBefore);
            const ours = [...existingGatewayCrds(project.env)].filter((n) => !gatewayCrdsBefore.has(n));
            if (ours.length > 0) {
                kubectl(project.env, "delete", "crd", ...ours, "--timeout=120s");
            }
        } finally {
            project.remove();
        }
    });

    it("installs the Gateway API CRDs as the stack's, and the chart's GatewayClass for Traefik's controller", () => {
        for (const name of gatewayCrdNames) {
            const crd = kubectlJson(project.env, "get", "crd", name);
            assert.equal(crd.metadata.labels["tcp-platform/stack"], "gateway", name);
            assert.equal(crd.metadata.annotations["gateway.networking.k8s.io/channel"], "experimental", name);
        }
        const gatewayClass = kubectlJson(project.env, "get", "gatewayclasses.gateway.networking.k8s.io", "tcp-platform-traefik");
        assert.equal(gatewayClass.spec.controllerName, "traefik.io/gateway-controller");
        assert.equal(gatewayClass.metadata.labels["tcp-platform/stack"], "gateway");
    });

    it("stores the Gateway and every route as sent, and no IngressRouteTCP", () => {
        const gateway = plan.traefik.gateway!;
        const stored = kubectlJson(project.env, "get", "gateways.gateway.networking.k8s.io", gateway.name, "-n", gateway.namespace);
        // The API server keeps listeners as a map keyed by name: compared by name.
        const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
        assert.deepEqual(stored.spec.listeners.map((l: any) => [l.name, l.port, l.protocol, l.hostname, l.tls?.mode]).sort(byName),
            gateway.listeners.map((l) => [l.name, l.port, l.protocol, l.hostname, l.protocol === "TLS" ? "Passthrough" : undefined]).sort(byName));
        for (const app of plan.apps) {
            if (app.kind !== "tcp") {
                continue;
            }
            const { route } = app;
            assert.ok(route.kind === "TCPRoute" || route.kind === "TLSRoute");
            const live = kubectlJson(project.env, "get", `${route.kind.toLowerCase()}s.gateway.networking.k8s.io`, route.name, "-n", app.namespace);
            assert.deepEqual(live.spec.parentRefs.map((r: any) => r.sectionName), [app.id]);
            assert.deepEqual(live.spec.rules.map((r: any) => r.backendRefs.map((b: any) => [b.name, b.port])), route.spec.rules.map((r) => r.backendRefs.map((b) => [b.name, b.port])));
            assert.equal(kubectl(project.env, "get", "ingressroutetcps.traefik.io", "-n", app.namespace, "-o", "name").trim(), "", app.id);
        }
    });

    it("renders Traefik with the Gateway provider on the experimental channel and a ClusterRole for it", () => {
        const deployment = kubectlJson(project.env, "get", "deployment", "-n", "traefik", "-l", "app.kubernetes.io/name=traefik").items[0];
        const args: string[] = deployment.spec.template.spec.containers[0].args;
        assert.ok(args.includes("--providers.kubernetesgateway"), args.join(" "));
        assert.ok(args.includes("--providers.kubernetesgateway.experimentalchannel=true"), args.join(" "));
        assert.ok(args.includes("--providers.kubernetesgateway.labelSelector=tcp-platform/project=tcp-platform,tcp-platform/stack=gateway"), args.join(" "));
        const roles = kubectlJson(project.env, "get", "clusterroles", "-l", "app.kubernetes.io/name=traefik").items;
        assert.ok(roles.some((r: any) => r.rules.some((rule: any) => rule.apiGroups?.includes("gateway.networking.k8s.io") && rule.resources.includes("tcproutes"))));
    });

    it("switches back to IngressRouteTCPs in one up, keeping the CRDs", async () => {
        project.editStack("gateway", (config) => {
            delete config["tcp-platform:traefik"].routing;
        });
        const up = await stack.up(quiet);
        assert.equal(up.summary.result, "succeeded");
        const changes = up.summary.resourceChanges ?? {};
        assert.ok((changes.create ?? 0) >= 5 && (changes.delete ?? 0) >= 6, JSON.stringify(changes));
        for (const app of plan.apps.filter((a) => a.kind === "tcp")) {
            assert.notEqual(kubectl(project.env, "get", "ingressroutetcps.traefik.io", "-n", app.namespace, "-o", "name").trim(), "", app.id);
            assert.equal(kubectl(project.env, "get", "tcproutes.gateway.networking.k8s.io,tlsroutes.gateway.networking.k8s.io", "-n", app.namespace, "-o", "name").trim(), "", app.id);
        }
        assert.equal(kubectl(project.env, "get", "gateways.gateway.networking.k8s.io", "-A", "-o", "name").trim(), "");
        assert.deepEqual([...existingGatewayCrds(project.env)].sort(), [...gatewayCrdNames].sort(), "the CRDs are kept: other controllers may use them");
    });
});
