/**
 * npm run -s rules: prints every Traefik rule the program renders (tools/ruleCases.ts), one JSON
 * object a line, as scripts/go/rulecheck reads them: `npm run -s rules | "$(bash scripts/rulecheck.sh path)"`.
 */
import * as path from "path";
import { ruleCases } from "./ruleCases";

ruleCases(path.resolve(__dirname, "..")).then((cases) => {
    process.stdout.write(cases.map((c) => JSON.stringify(c)).join("\n") + "\n");
}).catch((err: unknown) => {
    console.error(`rules failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
