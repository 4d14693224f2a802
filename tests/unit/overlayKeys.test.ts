/**
 * The app keys that carry what a Kustomize overlay changes besides replicas, resources and images:
 * an app's own labels, labels on its selector (commonLabels), and a prefix and suffix around every
 * name (namePrefix, nameSuffix). Rendered under mocks, and refused where they would break selectors.
 */
import { strict as assert } from "assert";
import { evaluate } from "../../tools/evaluate";
import { Manifest, manifestsOf } from "../../tools/manifests";
import { devWith, problemsOf } from "../support/helpers";

function find(manifests: Manifest[], kind: string, name: string): any {
    const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
    assert.ok(found, `no ${kind} ${name} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
    return found;
}

describe("an app's own labels, selector labels and name affixes", () => {
    it("prefixes and suffixes every name of the app, and the route sends to the renamed Service", async () => {
        const raw = devWith((v) => {
            v.apps["tcp-demo"] = { ...v.apps["tcp-demo"], namePrefix: "dev-", nameSuffix: "-v2", canary: { newTag: "1.1", weight: 10 } };
            v.apps["mysql-demo"] = { ...v.apps["mysql-demo"], namePrefix: "dev-" };
        });
        const manifests = manifestsOf((await evaluate(raw, "dev")).resources);
        find(manifests, "Deployment", "dev-tcp-echo-demo-v2");
        find(manifests, "NetworkPolicy", "dev-tcp-echo-allow-ingress-v2");
        find(manifests, "Deployment", "dev-tcp-echo-demo-canary-v2");
        const route = find(manifests, "IngressRouteTCP", "dev-tcp-echo-route-v2");
        assert.deepEqual(route.spec.routes[0].services.map((s: any) => s.name), ["dev-tcp-echo-service-v2", "dev-tcp-echo-canary-service-v2"]);
        // The StatefulSet's claims are named after the StatefulSet as Kubernetes names them.
        const mysql = find(manifests, "StatefulSet", "dev-mysql-demo");
        assert.equal(mysql.spec.serviceName, "dev-mysql-service");
        find(manifests, "PersistentVolumeClaim", "data-dev-mysql-demo-0");
        assert.equal(manifests.filter((m) => m.metadata.name.includes("tcp-echo") && !m.metadata.name.startsWith("dev-")).length, 0);
    });

    it("puts an app's labels on its objects only, and its selector labels on its selector, pods and NetworkPolicy", async () => {
        const raw = devWith((v) => {
            v.apps["tcp-demo"] = { ...v.apps["tcp-demo"], labels: { team: "echo" }, selectorLabels: { environment: "dev" } };
            v.labels = { project: "ic2" };
        });
        const manifests = manifestsOf((await evaluate(raw, "dev")).resources);
        const deployment = find(manifests, "Deployment", "tcp-echo-demo");
        assert.deepEqual(deployment.spec.selector.matchLabels, { app: "tcp-echo", environment: "dev" });
        assert.equal(deployment.spec.template.metadata.labels.environment, "dev");
        assert.equal(deployment.metadata.labels.team, "echo");
        assert.deepEqual(find(manifests, "Service", "tcp-echo-service").spec.selector, { app: "tcp-echo", environment: "dev" });
        assert.deepEqual(find(manifests, "NetworkPolicy", "tcp-echo-allow-ingress").spec.podSelector.matchLabels, { app: "tcp-echo", environment: "dev" });
        assert.equal(find(manifests, "IngressRouteTCP", "tcp-echo-route").metadata.labels.team, "echo");
        assert.equal(find(manifests, "Deployment", "redis-demo").metadata.labels.team, undefined, "another app's objects do not get it");
        assert.equal(find(manifests, "Deployment", "redis-demo").metadata.labels.project, "ic2");
    });

    it("refuses labels that would break a selector, ownership keys, and a prefix that makes a Service name Kubernetes refuses", () => {
        const raw = devWith((v) => {
            v.apps["tcp-demo"] = { ...v.apps["tcp-demo"], labels: { app: "x", "tcp-platform/stack": "prod" }, selectorLabels: { app: "other", tier: "edge" } };
            v.apps["redis-demo"] = { ...v.apps["redis-demo"], namePrefix: "a.b-" };
            v.labels = { ...v.labels, tier: "x" };
        });
        assert.deepEqual(problemsOf(raw), [
            "tcp-platform:apps.tcp-demo.labels.app: is a key of app tcp-demo's selector: on its pods it would break that selector (got \"x\"). Fix: rename the label, or put it in selectorLabels if the pods are to be selected by it",
            "tcp-platform:apps.tcp-demo.labels.tcp-platform/stack: is a label key the program keeps for ownership (tcp-platform/project, tcp-platform/stack) (got \"prod\"). Fix: rename the label",
            "tcp-platform:apps.tcp-demo.selectorLabels.app: is already a key of app tcp-demo's selector in the catalog (app: tcp-echo) (got \"other\"). Fix: choose another key: selector labels are added to the catalog's, never change them",
            "tcp-platform:labels.tier: is a label key that selectors use (app tcp-demo): on the pod templates it would break those selectors (got \"x\"). Fix: rename the label (e.g. team, or example.com/tier)",
            "tcp-platform:apps.redis-demo.namePrefix: makes the Service name \"a.b-redis-service\", which is not a DNS-1035 label (a Service's name: lowercase letters, digits and '-', starting with a letter) (got \"a.b-\"). Fix: shorten the name, start it with a letter, or leave '.' and '_' out",
        ]);
    });
});
