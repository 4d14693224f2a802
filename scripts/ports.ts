/** npm run ports -- --stack <name>: the stack's port table as Markdown (no CLI, no cluster). */
import * as path from "path";
import { parseArgs } from "util";
import { rawConfigFromStackFile, stackFile } from "../lib/config";
import { planPlatform, portTableMarkdown } from "../lib/plan";
import { ConfigError, validateConfig } from "../lib/validation";

try {
    const { values } = parseArgs({ options: { stack: { type: "string" } } });
    if (!values.stack) {
        throw new Error("usage: npm run ports -- --stack <name>");
    }
    const projectDir = path.resolve(__dirname, "..");
    process.chdir(projectDir);
    const config = validateConfig(rawConfigFromStackFile(stackFile(values.stack, projectDir), projectDir));
    process.stdout.write(portTableMarkdown(planPlatform(config).portTable));
} catch (err) {
    console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err));
    process.exit(1);
}
