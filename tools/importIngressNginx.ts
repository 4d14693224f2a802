/**
 * `npm run import -- ingress-nginx <configmap.yaml ...> --services <file | cluster>`: reads
 * ingress-nginx's tcp-services / udp-services ConfigMaps from files, and the Services and
 * Deployments behind them (and the controller's Service, for its NodePorts) from a file or from
 * the live cluster (kubectl's current context), as their authors wrote them (the server's own
 * fields and defaults taken off). The mapping is lib/import's.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { asWritten } from "../lib/import/asWritten";
import { importIngressNginx as mapEntries } from "../lib/import/ingressNginxStack";
import { sourceRange } from "../lib/vocabulary";
import { isRecord, KubeObject, refusal, Sourced } from "../lib/import/objects";
import { ConfigError, Problem } from "../lib/problems";
import { checkedImport, ImportFiles, outputCatalog } from "./importOutput";

const refused = { subject: "the import", outcome: "nothing was written" };

/** The objects of YAML or JSON text: documents, and the items of a `kind: List` (what `kubectl get -o yaml` prints). */
export function objectsOf(text: string): KubeObject[] {
    return YAML.parseAllDocuments(text).flatMap((d) => {
        const value: unknown = d.toJSON();
        const items = isRecord(value) && value.kind === "List" && Array.isArray(value.items) ? value.items : [value];
        return items.filter((o): o is KubeObject => isRecord(o) && typeof o.kind === "string" && isRecord(o.metadata));
    });
}

function fromFile(file: string): Sourced[] {
    const shown = path.relative(process.cwd(), file).startsWith("..") ? file : path.relative(process.cwd(), file);
    return objectsOf(fs.readFileSync(file, "utf8")).map((object) => ({ object, source: { file: shown, changedBy: [] } }));
}

/** The Services and Deployments of the live cluster, as kubectl's current context reads them. */
function fromCluster(): Sourced[] {
    const context = execFileSync("kubectl", ["config", "current-context"], { encoding: "utf8" }).trim();
    const text = execFileSync("kubectl", ["get", "services,deployments", "--all-namespaces", "-o", "json"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    return objectsOf(text).map((object) => ({ object, source: { file: `the live cluster (kubectl context ${context})`, changedBy: [] } }));
}

export async function importIngressNginx(files: string[], services: string | undefined, trusted: string | undefined, out: string, projectDir: string, stack = "ingress-nginx"): Promise<ImportFiles> {
    const problems: Problem[] = [];
    if (services === undefined) {
        problems.push(refusal("--services", "is required: the entries name Services, and the import reads them and their Deployments (and the controller's Service, for its NodePorts)", "pass --services <file> (kubectl get services,deployments -A -o yaml) or --services cluster"));
    }
    const trustedIPs = trusted?.split(",").map((t) => t.trim());
    for (const ip of trustedIPs ?? []) {
        const range = sourceRange(ip);
        if (!range.ok) {
            problems.push(refusal("--trusted-ips", range.problem, `${range.fix}; several comma-separated: 10.0.0.0/8,192.0.2.10`, ip));
        }
    }
    const configMaps = files.flatMap(fromFile).filter((o) => o.object.kind === "ConfigMap");
    if (configMaps.length === 0) {
        problems.push(refusal(files.join(", "), "holds no ConfigMap", "give the tcp-services and udp-services ConfigMaps' files"));
    }
    if (problems.length > 0 || services === undefined) {
        throw new ConfigError(problems, refused);
    }
    const objects = (services === "cluster" ? fromCluster() : fromFile(path.resolve(services)))
        .filter((o) => o.object.kind === "Service" || o.object.kind === "Deployment")
        .map((o) => ({ ...o, object: asWritten(o.object) }));
    const mapped = mapEntries({ configMaps, objects, catalog: outputCatalog(out), stack, ...(trustedIPs ? { trustedIPs } : {}) });
    return checkedImport(mapped.apps, mapped.stacks, mapped.problems, out, projectDir);
}
