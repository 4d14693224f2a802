/** Kubernetes manifests from the resources the program registered (see tools/evaluate.ts). */
import { SCRAPE_FILES } from "../lib/objects/platformObjects";
import { HIDDEN_SECRET } from "../lib/constants";
import { alertRules } from "../lib/plan/alerts";
import { grafanaDashboard } from "../lib/plan/dashboard";
import { scrapeConfig } from "../lib/plan/scrape";
import { portableYaml } from "../lib/portableYaml";
import type { Platform } from "../platform";
import { RecordedResource } from "./evaluate";

const kindOrder = ["Namespace", "NetworkPolicy", "Secret", "ConfigMap", "Certificate", "PersistentVolumeClaim", "Service", "Deployment", "StatefulSet", "IngressRouteTCP", "IngressRoute"];


export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [field: string]: unknown;
}

/** Kubernetes objects the program creates itself (not the chart's), in a stable order, secrets redacted. */
export function manifestsOf(resources: RecordedResource[]): Manifest[] {
    const manifests = resources
        .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && typeof r.inputs.kind === "string")
        .map((r) => redact(clean(r.inputs) as Manifest));
    return manifests.sort((a, b) =>
        rank(a.kind) - rank(b.kind) ||
        (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") ||
        a.metadata.name.localeCompare(b.metadata.name));
}

function rank(kind: string): number {
    const i = kindOrder.indexOf(kind);
    return i < 0 ? kindOrder.length : i;
}

// How the SDK marks a secret value when it serializes it (the mocks see that form).
const secretSignature = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

/** Drops empty lists and absent fields that the SDKs add, so a manifest reads like a hand-written one. */
function clean(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(clean);
    }
    if (value && typeof value === "object") {
        const wrapped = value as Record<string, unknown>;
        if (wrapped[secretSignature.key] === secretSignature.value) {
            return clean(wrapped.value);
        }
        const out: Record<string, unknown> = {};
        for (const [key, v] of Object.entries(value)) {
            if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) {
                continue;
            }
            out[key] = clean(v);
        }
        return out;
    }
    return value;
}

function redact(manifest: Manifest): Manifest {
    if (manifest.kind !== "Secret") {
        return manifest;
    }
    const hide = (data: unknown) => data && typeof data === "object"
        ? Object.fromEntries(Object.keys(data).map((key) => [key, HIDDEN_SECRET]))
        : data;
    return { ...manifest, ...(manifest.data ? { data: hide(manifest.data) } : {}), ...(manifest.stringData ? { stringData: hide(manifest.stringData) } : {}) };
}

/** The values the program gave the Traefik chart or release. */
export function traefikValuesOf(resources: RecordedResource[]): Record<string, unknown> {
    const install = resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" || r.type === "kubernetes:helm.sh/v3:Release");
    if (!install) {
        throw new Error("the program registered no Traefik chart or release");
    }
    return install.inputs.values as Record<string, unknown>;
}

/** What `npm run render` writes, by file name under its output directory. */
export function renderedFiles(resources: RecordedResource[], platform: Platform): Record<string, string> {
    const files: Record<string, string> = {
        "manifests.yaml": manifestsOf(resources).map((m) => portableYaml(m)).join("---\n"),
        "traefik-values.yaml": portableYaml(traefikValuesOf(resources)),
    };
    const { monitoring } = platform.plan.traefik;
    if (monitoring) {
        files["dashboard.json"] = `${JSON.stringify(grafanaDashboard(platform.plan), null, 2)}\n`;
        files[`prometheus/${SCRAPE_FILES.scrapeConfigs}`] = portableYaml({ scrape_configs: [scrapeConfig(monitoring)] });
        files[`prometheus/${SCRAPE_FILES.rules}`] = portableYaml({ groups: alertRules(platform.plan) });
    }
    return files;
}
