/**
 * Offline Traefik charts: ../shared/charts holds chart archives made from the chart's source
 * without `helm package`, so they still carry files the chart's .helmignore leaves out
 * (crds/kustomization.yaml), which Helm would then try to install from an archive. Helm honours
 * .helmignore when it loads a chart *directory*, so offline installs use the unpacked chart.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The project's cache outside the repository, as scripts/lib/common.sh defines it. */
export const cacheDir = process.env.TCP_PLATFORM_CACHE ?? path.join(os.homedir(), ".cache", "tcp-platform");

/** The unpacked chart directory of `traefik-<version>.tgz` from `chartsDir`, unpacked once into the cache. */
export function localChartDir(chartsDir: string, version: string): string {
    const archive = path.resolve(chartsDir, `traefik-${version}.tgz`);
    if (!fs.existsSync(archive)) {
        throw new Error(`no chart archive ${archive} for an offline install`);
    }
    const target = path.join(cacheDir, "charts", `traefik-${version}`);
    const chart = path.join(target, "traefik");
    if (!fs.existsSync(path.join(chart, "Chart.yaml"))) {
        // Unpacked beside and renamed into place: tiers that run side by side never read half a chart.
        fs.mkdirSync(path.dirname(target), { recursive: true });
        const unpacked = fs.mkdtempSync(`${target}.partial-`);
        execFileSync("tar", ["-xzf", archive, "-C", unpacked]);
        if (!fs.existsSync(path.join(chart, "Chart.yaml"))) {
            fs.rmSync(target, { recursive: true, force: true }); // what an interrupted unpack of old left
        }
        try {
            fs.renameSync(unpacked, target);
        } catch {
            // Another process put the same chart in place first.
            fs.rmSync(unpacked, { recursive: true, force: true });
        }
    }
    return chart;
}
