/**
 * Checked by Traefik itself (issue 21): every rule the program renders — the committed stacks on
 * both chart lines, and rules of fast-check generated values — parsed by Traefik's own TCP and
 * HTTP muxers (scripts/go/rulecheck, v3.7.11, in the rule's syntax), matching exactly the clients
 * it was built for and no other. Needs the checker: `bash scripts/rulecheck.sh` first.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { RuleCase, ruleCases } from "../../tools/ruleCases";
import { projectDir } from "../support/helpers";

interface Checked { id: string; error?: string; wrong?: number[]; probes: number }

function rulecheck(cases: RuleCase[]): Checked[] {
    const binary = execFileSync("bash", [path.join(projectDir, "scripts/rulecheck.sh"), "path"], { encoding: "utf8" }).trim();
    const out = execFileSync(binary, [], { input: cases.map((c) => JSON.stringify(c)).join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 26 });
    return out.trim().split("\n").map((line) => JSON.parse(line) as Checked);
}

describe("rules, as Traefik's own muxers read them", () => {
    let cases: RuleCase[];
    let results: Checked[];
    before(async () => {
        cases = await ruleCases(projectDir);
        results = rulecheck(cases);
    });

    it("sees an injected matcher as Traefik does: the pasted-in catch-all admits a client it was not built for", () => {
        const [pasted] = rulecheck([{ id: "pasted", kind: "tcp", syntax: "v3", rule: "HostSNI(`db.example.com`) || HostSNI(`*`)", probes: [{ sni: "attacker.example.net", want: false }] }]);
        assert.deepEqual(pasted.wrong, [0]);
    });

    it("covers every TCP and HTTP route of every committed stack on both chart lines, and generated values", () => {
        const stacks = new Set(cases.filter((c) => !c.id.startsWith("generated")).map((c) => c.id.split(" ").slice(0, 2).join(" ")));
        assert.deepEqual([...stacks].sort(), ["dev 26.0.0", "dev 41.3.0", "prod 26.0.0", "prod 41.3.0"]);
        assert.ok(cases.filter((c) => c.id.startsWith("generated")).length >= 600, `${cases.length} cases`);
    });

    it("parses every rule in its syntax, and each matches exactly the clients it was built for", () => {
        assert.equal(results.length, cases.length);
        const bad = results.flatMap((r, i) => (r.error || r.wrong) ? [`${r.id}: ${cases[i].rule} ${r.error ?? JSON.stringify(r.wrong?.map((w) => cases[i].probes[w]))}`] : []);
        assert.deepEqual(bad, []);
    });
});
