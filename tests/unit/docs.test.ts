/**
 * The README and docs/ link to each other and to the project's files: every relative link names a
 * file that exists, and every #anchor a heading of its target, as GitHub makes anchors of headings.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectDir } from "../support/helpers";

/** GitHub's anchor of a heading: lowercased, punctuation dropped but '-' and '_', spaces to '-'. */
export function headingAnchor(heading: string): string {
    return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, "").replace(/ /g, "-");
}

/** The anchors of a Markdown file's headings (outside code blocks), a repeated one suffixed -1, -2 as GitHub does. */
export function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    let fenced = false;
    for (const line of markdown.split("\n")) {
        if (line.startsWith("```")) {
            fenced = !fenced;
        }
        const heading = fenced ? null : /^#{1,6} (.*)$/.exec(line);
        if (heading) {
            const base = headingAnchor(heading[1]);
            const count = seen.get(base) ?? 0;
            anchors.add(count === 0 ? base : `${base}-${count}`);
            seen.set(base, count + 1);
        }
    }
    return anchors;
}

/** Markdown links `[text](target)` outside code, with the line they stand on. */
export function linksOf(markdown: string): { target: string; line: number }[] {
    const links: { target: string; line: number }[] = [];
    let fenced = false;
    markdown.split("\n").forEach((text, i) => {
        if (text.startsWith("```")) {
            fenced = !fenced;
        }
        if (!fenced) {
            for (const match of text.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)\)/g)) {
                links.push({ target: match[1], line: i + 1 });
            }
        }
    });
    return links;
}

const markdownFiles = ["README.md", ...fs.readdirSync(path.join(projectDir, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join("docs", f))];

describe("README and docs/", () => {
    it("finds anchors as GitHub makes them", () => {
        assert.equal(headingAnchor("Stack config (`tcp-platform:<key>`)"), "stack-config-tcp-platformkey");
        assert.deepEqual([...anchorsOf("# A\n```\n# not a heading\n```\n## A\n")], ["a", "a-1"]);
        assert.deepEqual(linksOf("see [x](docs/a.md#b) and `[y](c.md)`\n```\n[z](d.md)\n```"), [{ target: "docs/a.md#b", line: 1 }]);
    });

    it("keep the README a front door of at most 250 lines", () => {
        const lines = fs.readFileSync(path.join(projectDir, "README.md"), "utf8").split("\n").length;
        assert.ok(lines <= 250, `README.md has ${lines} lines`);
    });

    for (const file of markdownFiles) {
        it(`${file}: every relative link and anchor resolves`, () => {
            const text = fs.readFileSync(path.join(projectDir, file), "utf8");
            const broken = linksOf(text).filter(({ target }) => !/^[a-z]+:/.test(target)).filter(({ target }) => {
                const [relative, anchor] = target.split("#", 2);
                const resolved = relative ? path.resolve(projectDir, path.dirname(file), relative) : path.join(projectDir, file);
                if (!fs.existsSync(resolved)) {
                    return true;
                }
                return anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(fs.readFileSync(resolved, "utf8")).has(anchor);
            });
            assert.deepEqual(broken.map(({ target, line }) => `${file}:${line} ${target}`), []);
        });
    }
});
