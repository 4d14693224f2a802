/**
 * The render as kubectl, Argo CD and Prometheus read it: YAML 1.1 readers, for which a plain
 * `no`, `on`, `0777` or `12:30` is not a string. Each committed stack's files, read back with a
 * YAML 1.1 reader and a YAML 1.2 one, hold exactly what the program registered.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { projectCatalog } from "../../lib/config/catalogFiles";
import { rawConfigFromStackFile } from "../../lib/config/load";
import { alertRules } from "../../lib/plan/alerts";
import { scrapeConfig } from "../../lib/plan/scrape";
import { evaluate, Evaluation } from "../../tools/evaluate";
import { manifestsOf, renderedFiles, traefikValuesOf } from "../../tools/manifests";
import { portableYaml } from "../../lib/portableYaml";
import { projectDir } from "../support/helpers";

const stacks = fs.readdirSync(projectDir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
const readers = { "YAML 1.1": "1.1", "YAML 1.2": "1.2" } as const;

const readAll = (text: string, version: "1.1" | "1.2") => YAML.parseAllDocuments(text, { version }).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as unknown;
});

describe("render: manifests every YAML reader reads the same", () => {
    it("covers the committed stacks", () => assert.deepEqual(stacks.sort(), ["dev", "prod"]));

    for (const stack of stacks) {
        describe(`stack ${stack}`, () => {
            let run: Evaluation;
            let files: Record<string, string>;
            before(async () => {
                run = await evaluate(rawConfigFromStackFile(path.join(projectDir, `Pulumi.${stack}.yaml`), projectDir), stack, [], projectCatalog());
                files = renderedFiles(run.resources, run.platform);
            });

            for (const [reader, version] of Object.entries(readers)) {
                it(`reads back with a ${reader} reader as exactly the objects the program registered`, () => {
                    assert.deepEqual(readAll(files["manifests.yaml"], version), manifestsOf(run.resources));
                    assert.deepEqual(readAll(files["traefik-values.yaml"], version), [traefikValuesOf(run.resources)]);
                    const { monitoring } = run.platform.plan.traefik;
                    if (monitoring) {
                        assert.deepEqual(readAll(files["prometheus/scrape-configs.yaml"], version), [{ scrape_configs: [scrapeConfig(monitoring)] }]);
                        assert.deepEqual(readAll(files["prometheus/rules.yaml"], version), [{ groups: alertRules(run.platform.plan) }]);
                    }
                });
            }

            it("keeps redis's `no` arguments strings for a YAML 1.1 reader", () => {
                const redis = readAll(files["manifests.yaml"], "1.1").find((m: any) => m.kind === "Deployment" && m.metadata.name.endsWith("redis-demo")) as any;
                assert.ok(redis, "the redis-demo Deployment is rendered");
                const args: unknown[] = redis.spec.template.spec.containers[0].args;
                assert.deepEqual(args.slice(args.indexOf("--protected-mode"), args.indexOf("--protected-mode") + 2), ["--protected-mode", "no"]);
                assert.ok(!args.includes(false), `no argument became a boolean: ${JSON.stringify(args)}`);
            });
        });
    }

    it("quotes every string a YAML 1.1 or 1.2 reader would take for another type", () => {
        const strings = ["no", "No", "NO", "n", "y", "Y", "yes", "on", "ON", "off", "true", "False", "~", "null", "", "0777", "0o777", "010", "1_000", "0b101", "0x1F", "12:30", "190:20:30", "1e3", ".inf", "-.Inf", ".NaN", "3.", "+12", "2001-12-14", "<<", "abc"];
        const text = portableYaml({ strings, keys: Object.fromEntries(strings.map((s) => [s, s])) });
        for (const version of Object.values(readers)) {
            assert.deepEqual(YAML.parse(text, { version }), { strings, keys: Object.fromEntries(strings.map((s) => [s, s])) }, `read as YAML ${version}:\n${text}`);
        }
    });
});
