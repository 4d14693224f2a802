/**
 * node -r ts-node/register/transpile-only tools/offlineChart.ts <Pulumi.stack.yaml> <charts dir>
 *
 * Prints the stack file with its Traefik chart taken from a local directory of chart archives
 * (traefik-<version>.tgz, unpacked: see charts.ts) instead of the chart repository, for machines
 * without internet. The version stays what the stack pins; encrypted values and comments are kept.
 */
import * as fs from "fs";
import * as YAML from "yaml";
import { DEFAULT_CHART_VERSION } from "../lib/constants";
import { localChartDir } from "./charts";

const [file, chartsDir] = process.argv.slice(2);
const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
const key = ["config", "tcp-platform:traefik"];
const chart = (doc.getIn([...key, "chart"]) as YAML.YAMLMap | undefined)?.toJSON() as { version?: string; path?: string } | undefined;
if (!chart?.path) {
    doc.deleteIn([...key, "chart", "repo"]);
    doc.setIn([...key, "chart", "path"], localChartDir(chartsDir, chart?.version ?? DEFAULT_CHART_VERSION));
}
process.stdout.write(doc.toString());
