/**
 * Messages that lead to the fix (issue 21): enum-like fields answer with their accepted values,
 * Traefik's own spellings (VersionTLS13, Go durations) are taken where they mean the same and
 * normalised once in the schema, a misspelt config namespace is answered with "did you mean",
 * and the YAML reader's limits are reported as such.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rawConfigFromStackFile } from "../../lib/config/load";
import { MAX_NESTING, readYamlText } from "../../lib/config/yamlInput";
import { traefikValues } from "../../lib/plan/chartValues";
import { podMonitorSpec } from "../../lib/plan/scrape";
import { validate } from "../../lib/rules/validate";
import { devWith, problemsOf, projectDir } from "../support/helpers";

describe("messages that lead to the fix", () => {
    it("answers an enum-like field with its accepted values, and the one a value misspells", () => {
        assert.deepEqual(problemsOf(devWith((v) => { v.apps["tcp-demo"].proxyProtocol = { version: 3 }; })), [
            "tcp-platform:apps.tcp-demo.proxyProtocol.version: is not an accepted value (got 3). Fix: use one of 1, 2",
        ]);
        assert.deepEqual(problemsOf(devWith((v) => { v.traefik.serviceType = "nodeport"; })), [
            'tcp-platform:traefik.serviceType: is not an accepted value (got "nodeport"). Fix: did you mean "NodePort"? use one of "NodePort", "LoadBalancer", "ClusterIP"',
        ]);
    });

    it("takes Traefik's VersionTLS13 (and an unquoted 1.2) as the project's TLS versions", () => {
        for (const [written, rendered] of [["VersionTLS13", "VersionTLS13"], ["1.3", "VersionTLS13"], [1.2, "VersionTLS12"]] as const) {
            const plan = validate(devWith((v) => { v.apps.cache.tls = { secretName: "cache-tls", options: { minVersion: written } }; }));
            const cache = plan.apps.find((a) => a.id === "cache");
            const option = cache?.kind === "tcp" ? cache.traefikObjects.find((o) => o.kind === "TLSOption") : undefined;
            assert.deepEqual(option?.spec, { minVersion: rendered }, String(written));
        }
    });

    it("takes Go's duration syntax wherever a duration is set, and writes what Traefik and Prometheus both read", () => {
        const plan = validate(devWith((v) => {
            v.traefik.gracePeriod = { graceTimeOut: "1m30s500ms", requestAcceptGraceTimeout: "15s" };
            v.monitoring.scrapeInterval = "500ms";
        }));
        assert.deepEqual(plan.traefik.shutdown && [plan.traefik.shutdown.graceTimeOut, plan.traefik.shutdown.requestAcceptGraceTimeout], [90.5, 15]);
        // Chart 26 (dev) takes them as Traefik's arguments.
        const args = (traefikValues(plan.traefik) as { additionalArguments: string[] }).additionalArguments;
        assert.ok(args.includes("--entryPoints.websecure.transport.lifeCycle.graceTimeOut=90500ms") && args.includes("--entryPoints.websecure.transport.lifeCycle.requestAcceptGraceTimeout=15s"), args.join(" "));
        assert.equal(plan.traefik.monitoring && podMonitorSpec(plan.traefik.monitoring).podMetricsEndpoints[0].interval, "500ms");
        assert.deepEqual(problemsOf(devWith((v) => { v.traefik.gracePeriod = { graceTimeOut: "-5s" }; })), [
            `tcp-platform:traefik.gracePeriod.graceTimeOut: is not a duration (got "-5s"). Fix: write whole seconds (30) or a duration in Go's syntax, as Traefik takes it: "30s", "1m30s", "500ms", "1h"`,
        ]);
    });

    it("answers a misspelt config namespace with the key it meant, and leaves other namespaces alone", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "namespace-"));
        try {
            const file = path.join(dir, "Pulumi.typo.yaml");
            fs.writeFileSync(file, "config:\n  kubernetes:context: kind\n  tcpplatform:traefik: {replicas: 2}\n  tcp-platfrom:apps:\n    redis-demo: {}\n");
            const raw = rawConfigFromStackFile(file, projectDir);
            assert.deepEqual(problemsOf(raw), [
                'tcpplatform:traefik: is in the config namespace "tcpplatform", which this project does not read (its keys are tcp-platform:<key>) (got "tcpplatform"). Fix: did you mean "tcp-platform:traefik"?',
                'tcp-platfrom:apps: is in the config namespace "tcp-platfrom", which this project does not read (its keys are tcp-platform:<key>) (got "tcp-platfrom"). Fix: did you mean "tcp-platform:apps"?',
                "tcp-platform:apps: is required (got nothing). Fix: set it (mapping)",
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reports the reader's nesting and alias limits as such, not as invalid YAML", () => {
        const deep = (n: number) => `config:\n  tcp-platform:labels: ${"[".repeat(n)}${"]".repeat(n)}\n`;
        const over = readYamlText(deep(MAX_NESTING), "Pulumi.deep.yaml");
        assert.ok(!over.ok && over.problem.problem === `nests ${MAX_NESTING + 2} levels deep, more than the ${MAX_NESTING} a file of this project may`, JSON.stringify(over));
        const exhausted = readYamlText(deep(20000), "Pulumi.deep.yaml");
        assert.ok(!exhausted.ok && /^nests deeper than the YAML reader follows \(it stopped at line 2, column \d+\)$/.test(exhausted.problem.problem), JSON.stringify(exhausted));
        const laughs = ["a: &a [x, x, x, x, x, x, x, x, x]", ..."bcdef".split("").map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdef"[i]}`).join(", ")}]`)].join("\n");
        const bomb = readYamlText(laughs, "Pulumi.bomb.yaml");
        assert.ok(!bomb.ok && bomb.problem.problem.startsWith("has aliases (*name) that expand past the reader's limit of 100"), JSON.stringify(bomb));
        assert.ok(readYamlText(deep(MAX_NESTING - 2), "Pulumi.ok.yaml").ok);
    });
});
