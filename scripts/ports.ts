/** npm run ports -- --stack <name>: the stack's port table as Markdown (no CLI, no cluster). */
import * as path from "path";
import { parseArgs } from "util";
import { rawConfigFromStackFile, stackFile } from "../lib/config/load";
import { portTableMarkdown } from "../lib/plan/plan";
import { ConfigError } from "../lib/problems";
import { validate } from "../lib/rules/validate";

try {
    const { values } = parseArgs({ options: { stack: { type: "string" } } });
    if (!values.stack) {
        throw new Error("usage: npm run ports -- --stack <name>");
    }
    const projectDir = path.resolve(__dirname, "..");
    process.chdir(projectDir);
    const plan = validate(rawConfigFromStackFile(stackFile(values.stack, projectDir), projectDir));
    process.stdout.write(portTableMarkdown(plan.portTable));
} catch (err) {
    console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err));
    process.exit(1);
}
