/**
 * One measurement in its own process, so peak memory belongs to it alone:
 * node bench/renderOnce.ts <N>  ->  {"n":N,"seconds":...,"objects":...,"maxRssMiB":...}
 * Times program evaluation (validation, planning, every resource registered under mocks) and
 * the YAML render of the manifests, as `npm run render` does.
 */
import { portableYaml } from "../lib/portableYaml";
import { evaluate } from "../tools/evaluate";
import { manifestsOf } from "../tools/manifests";
import { useUnmappedStackTraces } from "../lib/stackTraces";
import { benchCatalog, stackConfig } from "./generate";

async function main(): Promise<void> {
    useUnmappedStackTraces();
    const n = Number(process.argv[2]);
    const raw = stackConfig(n);
    const catalog = benchCatalog(n);
    const start = process.hrtime.bigint();
    const { resources } = await evaluate(raw, "bench", [], catalog);
    const docs = manifestsOf(resources).map((m) => portableYaml(m));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(JSON.stringify({ n, seconds, objects: docs.length, maxRssMiB }) + "\n");
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
