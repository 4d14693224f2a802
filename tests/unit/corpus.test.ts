import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { rawConfigFromStackFile } from "../../lib/config/load";
import { evaluate, RecordedResource } from "../../tools/evaluate";
import { ConfigError } from "../../lib/problems";
import { projectDir } from "../support/helpers";

/** A refusal (`expect`, the regular expression its message matches), or a spelling that must be `accepted`. */
interface Case { name: string; expect?: string; accepted?: true; stack: string }

const cases = YAML.parse(fs.readFileSync(path.join(__dirname, "../corpus/bad-stacks.yaml"), "utf8")) as Case[];

describe("bad-input corpus", () => {
    let dir: string;
    before(() => {
        // The stack files sit beside a copy of Pulumi.yaml, so its defaults apply as for a real stack.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "corpus-"));
        fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("holds at least 30 cases", () => {
        assert.ok(cases.length >= 30, `${cases.length} cases`);
    });

    for (const c of cases.filter((c) => c.accepted)) {
        it(`accepts: ${c.name}`, async () => {
            const file = path.join(dir, "Pulumi.corpus.yaml");
            fs.writeFileSync(file, c.stack);
            const { resources } = await evaluate(rawConfigFromStackFile(file, dir), "corpus");
            assert.ok(resources.length > 0, "the stack is deployed");
        });
    }

    for (const c of cases.filter((c) => !c.accepted)) {
        it(`refuses: ${c.name}`, async () => {
            assert.ok(c.expect, "a refused case says what its message must match");
            const file = path.join(dir, "Pulumi.corpus.yaml");
            fs.writeFileSync(file, c.stack);
            const registered: RecordedResource[] = [];
            await assert.rejects(async () => evaluate(rawConfigFromStackFile(file, dir), "corpus", registered), (err: unknown) => {
                assert.ok(err instanceof ConfigError, `not a ConfigError: ${String(err)}`);
                assert.match(err.message, new RegExp(c.expect ?? ""));
                for (const problem of err.problems) {
                    assert.ok(problem.fix.length > 0 && problem.path.length > 0, "every problem names its path and a fix");
                }
                return true;
            });
            assert.deepEqual(registered, [], "nothing was registered");
        });
    }
});
