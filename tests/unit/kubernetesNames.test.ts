/**
 * Preview refuses what the API server would (issue 21): label keys and values wherever a stack
 * gives them, and every planned object's name with prefixes and suffixes applied, to the rules of
 * its kind, each with the key that made it, the value and the fix.
 */
import { strict as assert } from "assert";
import { labelKeyRefusal, labelValueRefusal, objectNameRefusal } from "../../lib/config/kubernetesNames";
import { devWith, problemsOf } from "../support/helpers";

describe("Kubernetes' own rules for names and labels", () => {
    it("takes label keys as qualified names: an optional DNS-subdomain prefix of at most 253, a name of at most 63", () => {
        for (const ok of ["team", "example.com/team", "app.kubernetes.io/name", `${"a".repeat(63)}`, `${"a".repeat(250)}.io/x`]) {
            assert.equal(labelKeyRefusal(ok), undefined, ok);
        }
        for (const bad of ["a/b/c", "/team", "Example.com/team", `${"a".repeat(64)}`, `${"a".repeat(254)}/x`, "-team", "team-", "te am", "example.com/"]) {
            assert.ok(labelKeyRefusal(bad), bad);
        }
        assert.equal(labelValueRefusal(""), undefined);
        assert.ok(labelValueRefusal("a".repeat(64)) && labelValueRefusal("-a") && labelValueRefusal("a b"));
    });

    it("checks the labels of every key that takes them, allowFrom's and the scraper's podLabels included", () => {
        assert.deepEqual(problemsOf(devWith((v) => { v.apps["redis-demo"].allowFrom = [{ namespace: "tools", podLabels: { "app/x/y": "cli" } }]; })), [
            "tcp-platform:apps.redis-demo.allowFrom[0].podLabels.app/x/y: is not a label key: it has more than one '/': a label key is [prefix/]name (got \"app/x/y\"). Fix: write a label key such as team or example.com/team: an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        ]);
        assert.deepEqual(problemsOf(devWith((v) => { v.monitoring.scraper.podLabels = { release: true }; })), [
            'tcp-platform:monitoring.scraper.podLabels.release: is a boolean in YAML, and a label value is text (got true). Fix: quote it: "true"',
        ]);
    });

    it("checks each planned name to its kind's rule: a Service a DNS-1035 label, a StatefulSet short enough for its revisions' labels", () => {
        assert.equal(objectNameRefusal("Deployment", "1-redis-demo"), undefined);
        assert.ok(objectNameRefusal("Service", "1-redis-service"));
        assert.deepEqual(problemsOf(devWith((v) => { v.apps["redis-demo"].namePrefix = "1-"; })), [
            "tcp-platform:apps.redis-demo.namePrefix: makes the Service name \"1-redis-service\", which is not a DNS-1035 label (a Service's name: lowercase letters, digits and '-', starting with a letter) (got \"1-\"). Fix: shorten the name, start it with a letter, or leave '.' and '_' out",
        ]);
        const prefix = "a".repeat(40);
        assert.deepEqual(problemsOf(devWith((v) => { v.apps["mysql-demo"].namePrefix = prefix; v.apps["mysql-demo"].nameSuffix = "-xyz"; })), [
            `tcp-platform:apps.mysql-demo.namePrefix: makes the StatefulSet name "${prefix}mysql-demo-xyz", which is 54 characters long, more than the 52 a StatefulSet's name may have: its controller labels revisions <name>-<hash>, a label value of at most 63 (got "${prefix}"). Fix: shorten the name`,
        ]);
    });
});
