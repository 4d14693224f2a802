/**
 * The generated alert rules in Prometheus's own rule checker and rule unit tests (promtool from
 * scripts/prometheus.sh): dev and prod as their stack files plan them (chart 26: Traefik's pods,
 * every app's endpoints, cert-manager's certificates), and dev on chart 41 with a connection
 * limit and a certificate Traefik serves (the alerts that need Traefik v3's series). Each rule
 * fires on input series shaped as its exporter writes them, and clears. kube-state-metrics,
 * which the endpoint alert reads on a real cluster, cannot be built here (the module proxy
 * refuses k8s.io/kube-state-metrics): its series are written into the test's input.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { PlatformPlan } from "../../lib/model";
import { ALERTS, alertRules } from "../../lib/plan/alerts";
import { validate } from "../../lib/rules/validate";
import { devWith, stackRaw } from "../support/helpers";
import { builtBinary } from "./release";
import { ruleTestFile } from "./ruleTests";

const stacks: [string, () => PlatformPlan][] = [
    ["dev", () => validate(stackRaw("dev"))],
    ["prod", () => validate(stackRaw("prod"))],
    ["dev on chart 41.3.0, tcp-demo at most 3 connections, cache's TLS terminated by Traefik", () => validate(devWith((v) => {
        v.traefik.chart.version = "41.3.0";
        v.apps["tcp-demo"].maxConnections = 3;
        v.apps.cache.tls = { secretName: "cache-tls" };
    }))],
];

describe("the generated alert rules in promtool", function () {
    this.timeout(10 * 60 * 1000);
    let promtool: string;
    let dir: string;
    const seen = new Set<string>();

    before(() => {
        promtool = path.join(path.dirname(builtBinary("prometheus.sh")), "promtool");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "tcp-platform-rules-"));
    });

    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        assert.deepEqual([...seen].sort(), Object.values(ALERTS).sort(), "every alert was tested");
    });

    stacks.forEach(([name, planOf], i) => {
        it(`${name}: loads in promtool check rules, and each rule fires and clears in promtool test rules`, () => {
            const plan = planOf();
            const groups = alertRules(plan);
            const rules = path.join(dir, `rules-${i}.yaml`);
            fs.writeFileSync(rules, YAML.stringify({ groups }));
            const check = execFileSync(promtool, ["check", "rules", rules], { encoding: "utf8", timeout: 60_000 });
            const count = groups.flatMap((g) => g.rules).length;
            assert.match(check, new RegExp(`SUCCESS: ${count} rules found`));
            const { file, cases } = ruleTestFile(groups, plan, path.basename(rules));
            const tests = path.join(dir, `rules-${i}.test.yaml`);
            fs.writeFileSync(tests, YAML.stringify(file));
            let output: string;
            try {
                output = execFileSync(promtool, ["test", "rules", tests], { encoding: "utf8", timeout: 120_000, stdio: "pipe" });
            } catch (err) {
                const e = err as { stdout?: string; stderr?: string };
                throw new Error(`promtool test rules failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
            }
            assert.match(output, /SUCCESS/);
            console.log(`      ${count} rules checked; ${cases.length} rule tests passed (fire and clear): ${cases.join("; ")}`);
            groups.flatMap((g) => g.rules).forEach((r) => seen.add(r.alert));
        });
    });
});
